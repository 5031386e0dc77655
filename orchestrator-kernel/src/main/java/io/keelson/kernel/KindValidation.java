package io.keelson.kernel;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClass;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** The per-kind rules of {@code pkg/apis/<group>/validation}: required fields, selectors, immutable fields. */
final class KindValidation {
    private static final Pattern CONFIG_KEY = Pattern.compile("[-._a-zA-Z0-9]+");
    private static final List<String> SERVICE_TYPES = List.of("ClusterIP", "NodePort", "LoadBalancer", "ExternalName");
    private static final int HIGHEST_USER_PRIORITY = 1_000_000_000;

    private KindValidation() {
    }

    static List<FieldError> create(HasMetadata o) {
        List<FieldError> errors = new ArrayList<>();
        if (o instanceof Pod p) {
            errors.addAll(PodValidation.spec(p.getSpec(), "spec"));
        } else if (o instanceof Deployment d) {
            var s = d.getSpec();
            if (s == null) {
                errors.add(FieldError.required("spec", ""));
            } else {
                replicas(errors, s.getReplicas());
                errors.addAll(selectedTemplate(s.getSelector(), s.getTemplate(), "deployment"));
                nonNegative(errors, "spec.revisionHistoryLimit", s.getRevisionHistoryLimit());
                nonNegative(errors, "spec.minReadySeconds", s.getMinReadySeconds());
                if (s.getStrategy() != null && s.getStrategy().getRollingUpdate() != null) {
                    IntOrString surge = s.getStrategy().getRollingUpdate().getMaxSurge();
                    IntOrString unavailable = s.getStrategy().getRollingUpdate().getMaxUnavailable();
                    if (isZero(surge) && isZero(unavailable)) {
                        errors.add(FieldError.invalid("spec.strategy.rollingUpdate.maxUnavailable",
                                render(unavailable), "may not be 0 when `maxSurge` is 0"));
                    }
                }
                if (s.getProgressDeadlineSeconds() != null && s.getMinReadySeconds() != null
                        && s.getProgressDeadlineSeconds() <= s.getMinReadySeconds()) {
                    errors.add(FieldError.invalid("spec.progressDeadlineSeconds", s.getProgressDeadlineSeconds(),
                            "must be greater than minReadySeconds"));
                }
            }
        } else if (o instanceof ReplicaSet r) {
            if (r.getSpec() != null) {
                replicas(errors, r.getSpec().getReplicas());
                errors.addAll(selectedTemplate(r.getSpec().getSelector(), r.getSpec().getTemplate(), "replicaset"));
            }
        } else if (o instanceof DaemonSet d) {
            if (d.getSpec() != null) {
                errors.addAll(selectedTemplate(d.getSpec().getSelector(), d.getSpec().getTemplate(), "daemonset"));
            }
        } else if (o instanceof StatefulSet s) {
            if (s.getSpec() != null) {
                replicas(errors, s.getSpec().getReplicas());
                errors.addAll(selectedTemplate(s.getSpec().getSelector(), s.getSpec().getTemplate(), "statefulset"));
            }
        } else if (o instanceof Job j) {
            job(errors, j);
        } else if (o instanceof CronJob c) {
            if (c.getSpec() == null || MetadataValidation.empty(c.getSpec().getSchedule())) {
                errors.add(FieldError.required("spec.schedule", ""));
            } else if (c.getSpec().getSchedule().trim().split("\\s+").length != 5
                    && !c.getSpec().getSchedule().startsWith("@")) {
                errors.add(FieldError.invalid("spec.schedule", c.getSpec().getSchedule(),
                        "expected exactly 5 fields, found " + c.getSpec().getSchedule().trim().split("\\s+").length
                                + ": " + c.getSpec().getSchedule()));
            }
            if (c.getMetadata().getName() != null && c.getMetadata().getName().length() > 52) {
                errors.add(FieldError.invalid("metadata.name", c.getMetadata().getName(),
                        "must be no more than 52 characters"));
            }
        } else if (o instanceof Service s) {
            service(errors, s);
        } else if (o instanceof ConfigMap c) {
            configKeys(errors, c.getData(), "data");
            configKeys(errors, c.getBinaryData(), "binaryData");
        } else if (o instanceof Secret s) {
            configKeys(errors, s.getData(), "data");
            configKeys(errors, s.getStringData(), "stringData");
        } else if (o instanceof Lease l && l.getSpec() != null && l.getSpec().getLeaseDurationSeconds() != null
                && l.getSpec().getLeaseDurationSeconds() <= 0) {
            errors.add(FieldError.invalid("spec.leaseDurationSeconds", l.getSpec().getLeaseDurationSeconds(),
                    "must be greater than 0"));
        } else if (o instanceof PodDisruptionBudget b && b.getSpec() != null
                && b.getSpec().getMinAvailable() != null && b.getSpec().getMaxUnavailable() != null) {
            errors.add(FieldError.invalid("spec", ObjectCodec.tree(b.getSpec()),
                    "minAvailable and maxUnavailable cannot be both set"));
        } else if (o instanceof PriorityClass pc) {
            String name = pc.getMetadata().getName();
            if (name != null && name.startsWith("system-") && !List.of("system-node-critical",
                    "system-cluster-critical").contains(name)) {
                errors.add(FieldError.forbidden("metadata.name",
                        "priority class names with 'system-' prefix are reserved"));
            }
            if (pc.getValue() != null && pc.getValue() > HIGHEST_USER_PRIORITY && (name == null || !name.startsWith("system-"))) {
                errors.add(FieldError.forbidden("value",
                        "maximum allowed value of a user defined priority is " + HIGHEST_USER_PRIORITY));
            }
        }
        return errors;
    }

    /** Create's rules plus the fields an update may not change. */
    static List<FieldError> update(HasMetadata o, HasMetadata old) {
        List<FieldError> errors = new ArrayList<>();
        if (o instanceof Pod p) {
            errors.addAll(PodValidation.update(p.getSpec(), ((Pod) old).getSpec()));
            return errors; // the spec can barely change: create's checks would only repeat these
        }
        errors.addAll(create(o));
        if (o instanceof Deployment d) {
            MetadataValidation.immutable(errors, "spec.selector", d.getSpec().getSelector(),
                    ((Deployment) old).getSpec().getSelector());
        } else if (o instanceof ReplicaSet r) {
            MetadataValidation.immutable(errors, "spec.selector", r.getSpec().getSelector(),
                    ((ReplicaSet) old).getSpec().getSelector());
        } else if (o instanceof DaemonSet d) {
            MetadataValidation.immutable(errors, "spec.selector", d.getSpec().getSelector(),
                    ((DaemonSet) old).getSpec().getSelector());
        } else if (o instanceof StatefulSet s) {
            MetadataValidation.immutable(errors, "spec.selector", s.getSpec().getSelector(),
                    ((StatefulSet) old).getSpec().getSelector());
        } else if (o instanceof Job j) {
            Job oldJob = (Job) old;
            MetadataValidation.immutable(errors, "spec.selector", j.getSpec().getSelector(), oldJob.getSpec().getSelector());
            MetadataValidation.immutable(errors, "spec.template", j.getSpec().getTemplate(), oldJob.getSpec().getTemplate());
            MetadataValidation.immutable(errors, "spec.completions", j.getSpec().getCompletions(),
                    oldJob.getSpec().getCompletions());
        } else if (o instanceof PriorityClass pc) {
            MetadataValidation.immutable(errors, "value", pc.getValue(), ((PriorityClass) old).getValue());
        } else if (o instanceof Service svc) {
            serviceUpdate(errors, svc.getSpec(), ((Service) old).getSpec());
        }
        return errors;
    }

    /** A workload's selector: required, not empty, and matching its template's labels. */
    private static List<FieldError> selectedTemplate(io.fabric8.kubernetes.api.model.LabelSelector selector,
                                                     PodTemplateSpec template, String kind) {
        List<FieldError> errors = new ArrayList<>();
        if (selector == null) {
            errors.add(FieldError.required("spec.selector", ""));
        } else if ((selector.getMatchLabels() == null || selector.getMatchLabels().isEmpty())
                && selector.getMatchExpressions().isEmpty()) {
            errors.add(FieldError.invalid("spec.selector", selector, "empty selector is invalid for " + kind));
        }
        if (template == null) {
            errors.add(FieldError.required("spec.template", ""));
            return errors;
        }
        Map<String, String> labels = template.getMetadata() == null ? null : template.getMetadata().getLabels();
        {
            try {
                if (!LabelSelector.of(selector).matches(labels)) {
                    errors.add(FieldError.invalid("spec.template.metadata.labels", labels == null ? Map.of() : labels,
                            "`selector` does not match template `labels`"));
                }
            } catch (ApiException e) {
                errors.add(FieldError.invalid("spec.selector", selector, "invalid label selector"));
            }
        }
        if (labels != null) {
            errors.addAll(MetadataValidation.labels(labels, "spec.template.metadata.labels"));
        }
        errors.addAll(PodValidation.spec(template.getSpec(), "spec.template.spec"));
        if (template.getSpec() != null && !"job".equals(kind) && template.getSpec().getRestartPolicy() != null
                && !"Always".equals(template.getSpec().getRestartPolicy())) {
            errors.add(FieldError.notSupported("spec.template.spec.restartPolicy",
                    template.getSpec().getRestartPolicy(), List.of("Always")));
        }
        return errors;
    }

    private static void job(List<FieldError> errors, Job j) {
        var s = j.getSpec();
        if (s == null) {
            errors.add(FieldError.required("spec", ""));
            return;
        }
        nonNegative(errors, "spec.parallelism", s.getParallelism());
        nonNegative(errors, "spec.completions", s.getCompletions());
        nonNegative(errors, "spec.backoffLimit", s.getBackoffLimit());
        if (s.getActiveDeadlineSeconds() != null && s.getActiveDeadlineSeconds() <= 0) {
            errors.add(FieldError.invalid("spec.activeDeadlineSeconds", s.getActiveDeadlineSeconds(),
                    "must be greater than 0"));
        }
        errors.addAll(selectedTemplate(s.getSelector(), s.getTemplate(), "job"));
        if (s.getTemplate() != null && s.getTemplate().getSpec() != null) {
            String restart = s.getTemplate().getSpec().getRestartPolicy();
            if (!"OnFailure".equals(restart) && !"Never".equals(restart)) {
                errors.add(FieldError.required("spec.template.spec.restartPolicy",
                        "valid values: \"OnFailure\", \"Never\""));
            }
        }
    }

    private static void service(List<FieldError> errors, Service s) {
        var spec = s.getSpec();
        if (spec == null) {
            errors.add(FieldError.required("spec", ""));
            return;
        }
        if (spec.getType() != null && !SERVICE_TYPES.contains(spec.getType())) {
            errors.add(FieldError.notSupported("spec.type", spec.getType(), SERVICE_TYPES));
        }
        boolean headless = "None".equals(spec.getClusterIP());
        if (headless && ("NodePort".equals(spec.getType()) || "LoadBalancer".equals(spec.getType()))) {
            errors.add(FieldError.invalid("spec.clusterIPs[0]", "None", "may not be set to 'None' for "
                    + spec.getType() + " services"));
        }
        if (spec.getPorts().isEmpty() && !"ExternalName".equals(spec.getType()) && !headless) {
            errors.add(FieldError.required("spec.ports", ""));
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < spec.getPorts().size(); i++) {
            ServicePort p = spec.getPorts().get(i);
            String path = "spec.ports[" + i + "]";
            if (spec.getPorts().size() > 1 && MetadataValidation.empty(p.getName())) {
                errors.add(FieldError.required(path + ".name", ""));
            } else if (!MetadataValidation.empty(p.getName()) && !names.add(p.getName())) {
                errors.add(FieldError.duplicate(path + ".name", p.getName()));
            }
            if (p.getPort() == null || p.getPort() < 1 || p.getPort() > 65535) {
                errors.add(FieldError.invalid(path + ".port", p.getPort() == null ? 0 : p.getPort(),
                        "must be between 1 and 65535, inclusive"));
            }
            if ("ClusterIP".equals(spec.getType()) && p.getNodePort() != null && p.getNodePort() != 0) {
                errors.add(FieldError.forbidden(path + ".nodePort", "may not be used when `type` is 'ClusterIP'"));
            }
        }
        if (spec.getSelector() != null) {
            errors.addAll(MetadataValidation.labels(spec.getSelector(), "spec.selector"));
        }
    }

    /** validateUpgradeDowngradeClusterIPs: an allocated cluster IP stays (ExternalName on either side aside). */
    private static void serviceUpdate(List<FieldError> errors, io.fabric8.kubernetes.api.model.ServiceSpec spec,
                                      io.fabric8.kubernetes.api.model.ServiceSpec old) {
        if (spec == null || old == null || "ExternalName".equals(spec.getType())
                || "ExternalName".equals(old.getType()) || MetadataValidation.empty(old.getClusterIP())) {
            return;
        }
        if (!old.getClusterIP().equals(spec.getClusterIP())) {
            errors.add(FieldError.invalid("spec.clusterIPs[0]", spec.getClusterIPs(), "may not change once set"));
        }
    }

    private static void configKeys(List<FieldError> errors, Map<String, String> data, String path) {
        if (data == null) {
            return;
        }
        for (String key : data.keySet()) {
            if (key.length() > Names.SUBDOMAIN_MAX) {
                errors.add(FieldError.invalid(path + "[" + key + "]", key, Names.maxLength(Names.SUBDOMAIN_MAX)));
            }
            if (!CONFIG_KEY.matcher(key).matches()) {
                errors.add(FieldError.invalid(path + "[" + key + "]", key, "a valid config key must consist of "
                        + "alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or "
                        + "'key-name', regex used for validation is '[-._a-zA-Z0-9]+')"));
            }
        }
    }

    private static void replicas(List<FieldError> errors, Integer replicas) {
        nonNegative(errors, "spec.replicas", replicas);
    }

    private static void nonNegative(List<FieldError> errors, String path, Integer value) {
        if (value != null && value < 0) {
            errors.add(FieldError.invalid(path, value, "must be greater than or equal to 0"));
        }
    }

    private static boolean isZero(IntOrString v) {
        return v == null || (v.getIntVal() != null && v.getIntVal() == 0) || "0%".equals(v.getStrVal())
                || "0".equals(v.getStrVal());
    }

    private static Object render(IntOrString v) {
        return v == null ? null : v.getIntVal() != null ? v.getIntVal() : v.getStrVal();
    }
}
