package io.keelson.kernel;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceStatus;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServiceSpec;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetUpdateStrategy;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStrategy;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.RollingUpdateDaemonSet;
import io.fabric8.kubernetes.api.model.apps.RollingUpdateDeployment;
import io.fabric8.kubernetes.api.model.apps.RollingUpdateStatefulSetStrategy;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetPersistentVolumeClaimRetentionPolicy;
import io.fabric8.kubernetes.api.model.apps.StatefulSetUpdateStrategy;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobSpec;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClass;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The defaults kube-apiserver applies when it decodes an object ({@code pkg/apis/<group>/v1/defaults.go} and the
 * generated defaulters): what a user who left a field out reads back. Applied on create and update alike.
 */
final class Defaults {
    private Defaults() {
    }

    /** Applies the defaults of the object's kind, if it has any. */
    static void apply(HasMetadata object) {
        if (object instanceof Pod p) {
            PodDefaults.pod(p);
        } else if (object instanceof Deployment d) {
            deployment(d);
        } else if (object instanceof ReplicaSet r) {
            if (r.getSpec() != null) {
                r.getSpec().setReplicas(orDefault(r.getSpec().getReplicas(), 1));
                PodDefaults.podTemplate(r.getSpec().getTemplate());
            }
        } else if (object instanceof DaemonSet d) {
            daemonSet(d);
        } else if (object instanceof StatefulSet s) {
            statefulSet(s);
        } else if (object instanceof Job j) {
            job(j);
        } else if (object instanceof CronJob c) {
            cronJob(c);
        } else if (object instanceof Service s) {
            service(s);
        } else if (object instanceof Namespace n) {
            namespace(n);
        } else if (object instanceof Secret s) {
            if (s.getType() == null || s.getType().isEmpty()) {
                s.setType("Opaque");
            }
            if (s.getStringData() != null && !s.getStringData().isEmpty()) {
                // write-only: merged into data (base64), never stored or read back
                Map<String, String> data = s.getData() == null ? new LinkedHashMap<>() : new LinkedHashMap<>(s.getData());
                s.getStringData().forEach((k, v) -> data.put(k, java.util.Base64.getEncoder()
                        .encodeToString(v.getBytes(java.nio.charset.StandardCharsets.UTF_8))));
                s.setData(data);
            }
            s.setStringData(null);
        } else if (object instanceof ConfigMap) {
            return; // an empty data map is what Kubernetes defaults to, and JSON omits it either way
        } else if (object instanceof Node n) {
            if (n.getStatus() != null && (n.getStatus().getAllocatable() == null || n.getStatus().getAllocatable().isEmpty())
                    && n.getStatus().getCapacity() != null) {
                n.getStatus().setAllocatable(new LinkedHashMap<>(n.getStatus().getCapacity()));
            }
        } else if (object instanceof PriorityClass pc) {
            if (pc.getPreemptionPolicy() == null) {
                pc.setPreemptionPolicy("PreemptLowerPriority");
            }
        } else if (object instanceof EndpointSlice s) {
            if (s.getPorts() != null) {
                s.getPorts().forEach(p -> {
                    if (p.getName() == null) {
                        p.setName("");
                    }
                    if (p.getProtocol() == null) {
                        p.setProtocol("TCP");
                    }
                });
            }
        } else if (object instanceof io.fabric8.kubernetes.api.model.Endpoints e && e.getSubsets() != null) {
            e.getSubsets().forEach(s -> s.getPorts().forEach(p -> {
                if (p.getProtocol() == null) {
                    p.setProtocol("TCP");
                }
            }));
        }
    }

    private static void deployment(Deployment d) {
        var spec = d.getSpec();
        if (spec == null) {
            return;
        }
        spec.setReplicas(orDefault(spec.getReplicas(), 1));
        if (spec.getStrategy() == null) {
            spec.setStrategy(new DeploymentStrategy());
        }
        DeploymentStrategy strategy = spec.getStrategy();
        if (isEmpty(strategy.getType())) {
            strategy.setType("RollingUpdate");
        }
        if (strategy.getType().equals("RollingUpdate")) {
            if (strategy.getRollingUpdate() == null) {
                strategy.setRollingUpdate(new RollingUpdateDeployment());
            }
            if (strategy.getRollingUpdate().getMaxUnavailable() == null) {
                strategy.getRollingUpdate().setMaxUnavailable(new IntOrString("25%"));
            }
            if (strategy.getRollingUpdate().getMaxSurge() == null) {
                strategy.getRollingUpdate().setMaxSurge(new IntOrString("25%"));
            }
        }
        spec.setRevisionHistoryLimit(orDefault(spec.getRevisionHistoryLimit(), 10));
        spec.setProgressDeadlineSeconds(orDefault(spec.getProgressDeadlineSeconds(), 600));
        PodDefaults.podTemplate(spec.getTemplate());
    }

    private static void daemonSet(DaemonSet d) {
        var spec = d.getSpec();
        if (spec == null) {
            return;
        }
        if (spec.getUpdateStrategy() == null) {
            spec.setUpdateStrategy(new DaemonSetUpdateStrategy());
        }
        DaemonSetUpdateStrategy strategy = spec.getUpdateStrategy();
        if (isEmpty(strategy.getType())) {
            strategy.setType("RollingUpdate");
        }
        if (strategy.getType().equals("RollingUpdate")) {
            if (strategy.getRollingUpdate() == null) {
                strategy.setRollingUpdate(new RollingUpdateDaemonSet());
            }
            if (strategy.getRollingUpdate().getMaxUnavailable() == null) {
                strategy.getRollingUpdate().setMaxUnavailable(new IntOrString(1));
            }
            if (strategy.getRollingUpdate().getMaxSurge() == null) {
                strategy.getRollingUpdate().setMaxSurge(new IntOrString(0));
            }
        }
        spec.setRevisionHistoryLimit(orDefault(spec.getRevisionHistoryLimit(), 10));
        PodDefaults.podTemplate(spec.getTemplate());
    }

    private static void statefulSet(StatefulSet s) {
        var spec = s.getSpec();
        if (spec == null) {
            return;
        }
        if (isEmpty(spec.getPodManagementPolicy())) {
            spec.setPodManagementPolicy("OrderedReady");
        }
        if (spec.getUpdateStrategy() == null) {
            spec.setUpdateStrategy(new StatefulSetUpdateStrategy());
        }
        StatefulSetUpdateStrategy strategy = spec.getUpdateStrategy();
        if (isEmpty(strategy.getType())) {
            strategy.setType("RollingUpdate");
            if (strategy.getRollingUpdate() == null) {
                strategy.setRollingUpdate(new RollingUpdateStatefulSetStrategy());
            }
        }
        if (strategy.getType().equals("RollingUpdate") && strategy.getRollingUpdate() != null
                && strategy.getRollingUpdate().getPartition() == null) {
            strategy.getRollingUpdate().setPartition(0);
        }
        if (spec.getPersistentVolumeClaimRetentionPolicy() == null) {
            spec.setPersistentVolumeClaimRetentionPolicy(new StatefulSetPersistentVolumeClaimRetentionPolicy());
        }
        var retention = spec.getPersistentVolumeClaimRetentionPolicy();
        if (isEmpty(retention.getWhenDeleted())) {
            retention.setWhenDeleted("Retain");
        }
        if (isEmpty(retention.getWhenScaled())) {
            retention.setWhenScaled("Retain");
        }
        spec.setReplicas(orDefault(spec.getReplicas(), 1));
        spec.setRevisionHistoryLimit(orDefault(spec.getRevisionHistoryLimit(), 10));
        PodDefaults.podTemplate(spec.getTemplate());
    }

    private static void job(Job j) {
        JobSpec spec = j.getSpec();
        if (spec == null) {
            return;
        }
        if (spec.getCompletions() == null && spec.getParallelism() == null) {
            spec.setCompletions(1);
            spec.setParallelism(1);
        }
        spec.setParallelism(orDefault(spec.getParallelism(), 1));
        if (spec.getBackoffLimit() == null) {
            spec.setBackoffLimit(spec.getBackoffLimitPerIndex() != null ? Integer.MAX_VALUE : 6);
        }
        Map<String, String> templateLabels = spec.getTemplate() == null || spec.getTemplate().getMetadata() == null
                ? null : spec.getTemplate().getMetadata().getLabels();
        if (templateLabels != null && (j.getMetadata().getLabels() == null || j.getMetadata().getLabels().isEmpty())) {
            j.getMetadata().setLabels(new HashMap<>(templateLabels));
        }
        if (isEmpty(spec.getCompletionMode())) {
            spec.setCompletionMode("NonIndexed");
        }
        if (spec.getSuspend() == null) {
            spec.setSuspend(false);
        }
        if (isEmpty(spec.getPodReplacementPolicy())) {
            spec.setPodReplacementPolicy(spec.getPodFailurePolicy() != null ? "Failed" : "TerminatingOrFailed");
        }
        if (spec.getManualSelector() == null) {
            spec.setManualSelector(false);
        }
        PodDefaults.podTemplate(spec.getTemplate());
    }

    private static void cronJob(CronJob c) {
        var spec = c.getSpec();
        if (spec == null) {
            return;
        }
        if (isEmpty(spec.getConcurrencyPolicy())) {
            spec.setConcurrencyPolicy("Allow");
        }
        if (spec.getSuspend() == null) {
            spec.setSuspend(false);
        }
        spec.setSuccessfulJobsHistoryLimit(orDefault(spec.getSuccessfulJobsHistoryLimit(), 3));
        spec.setFailedJobsHistoryLimit(orDefault(spec.getFailedJobsHistoryLimit(), 1));
        if (spec.getJobTemplate() != null && spec.getJobTemplate().getSpec() != null) {
            PodDefaults.podTemplate(spec.getJobTemplate().getSpec().getTemplate());
        }
    }

    private static void service(Service s) {
        ServiceSpec spec = s.getSpec();
        if (spec == null) {
            return;
        }
        if (isEmpty(spec.getSessionAffinity())) {
            spec.setSessionAffinity("None");
        }
        if (spec.getSessionAffinity().equals("None")) {
            spec.setSessionAffinityConfig(null);
        }
        if (isEmpty(spec.getType())) {
            spec.setType("ClusterIP");
        }
        for (ServicePort p : spec.getPorts()) {
            if (isEmpty(p.getProtocol())) {
                p.setProtocol("TCP");
            }
            IntOrString target = p.getTargetPort();
            boolean unset = target == null || (target.getStrVal() == null
                    && (target.getIntVal() == null || target.getIntVal() == 0)) || "".equals(target.getStrVal());
            if (unset && p.getPort() != null) {
                p.setTargetPort(new IntOrString(p.getPort()));
            }
        }
        boolean external = spec.getType().equals("LoadBalancer") || spec.getType().equals("NodePort")
                || (spec.getType().equals("ClusterIP") && !spec.getExternalIPs().isEmpty());
        if (external && isEmpty(spec.getExternalTrafficPolicy())) {
            spec.setExternalTrafficPolicy("Cluster");
        }
        if (spec.getInternalTrafficPolicy() == null && !spec.getType().equals("ExternalName")) {
            spec.setInternalTrafficPolicy("Cluster");
        }
        if (spec.getType().equals("LoadBalancer") && spec.getAllocateLoadBalancerNodePorts() == null) {
            spec.setAllocateLoadBalancerNodePorts(true);
        }
    }

    private static void namespace(Namespace n) {
        String name = n.getMetadata().getName();
        if (name != null && !name.isEmpty()) {
            Map<String, String> labels = n.getMetadata().getLabels() == null ? new LinkedHashMap<>()
                    : new LinkedHashMap<>(n.getMetadata().getLabels());
            labels.put("kubernetes.io/metadata.name", name);
            n.getMetadata().setLabels(labels);
        }
        if (n.getStatus() == null) {
            n.setStatus(new NamespaceStatus());
        }
        if (isEmpty(n.getStatus().getPhase())) {
            n.getStatus().setPhase("Active");
        }
    }

    static boolean isEmpty(String s) {
        return s == null || s.isEmpty();
    }

    private static Integer orDefault(Integer value, int fallback) {
        return value == null ? fallback : value;
    }

}
