package io.keelson.kernel;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Toleration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The pod spec rules of {@code pkg/apis/core/validation} that a user meets first, for pods and pod templates. */
final class PodValidation {
    static final List<String> RESTART_POLICIES = List.of("Always", "OnFailure", "Never");
    static final List<String> DNS_POLICIES = List.of("ClusterFirstWithHostNet", "ClusterFirst", "Default", "None");
    static final List<String> PULL_POLICIES = List.of("Always", "IfNotPresent", "Never");
    static final List<String> PROTOCOLS = List.of("TCP", "UDP", "SCTP");
    static final String UPDATABLE = "`spec.containers[*].image`,`spec.initContainers[*].image`,"
            + "`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),"
            + "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)";

    private PodValidation() {
    }

    static List<FieldError> spec(PodSpec spec, String path) {
        List<FieldError> errors = new ArrayList<>();
        if (spec == null) {
            errors.add(FieldError.required(path, ""));
            return errors;
        }
        if (spec.getContainers().isEmpty()) {
            errors.add(FieldError.required(path + ".containers", ""));
        }
        Set<String> names = new HashSet<>();
        containers(errors, spec.getInitContainers(), path + ".initContainers", names);
        containers(errors, spec.getContainers(), path + ".containers", names);
        if (spec.getRestartPolicy() != null && !RESTART_POLICIES.contains(spec.getRestartPolicy())) {
            errors.add(FieldError.notSupported(path + ".restartPolicy", spec.getRestartPolicy(), RESTART_POLICIES));
        }
        if (spec.getDnsPolicy() != null && !DNS_POLICIES.contains(spec.getDnsPolicy())) {
            errors.add(FieldError.notSupported(path + ".dnsPolicy", spec.getDnsPolicy(), DNS_POLICIES));
        }
        if (spec.getTerminationGracePeriodSeconds() != null && spec.getTerminationGracePeriodSeconds() < 0) {
            errors.add(FieldError.invalid(path + ".terminationGracePeriodSeconds",
                    spec.getTerminationGracePeriodSeconds(), "must be greater than or equal to 0"));
        }
        if (spec.getActiveDeadlineSeconds() != null && spec.getActiveDeadlineSeconds() <= 0) {
            errors.add(FieldError.invalid(path + ".activeDeadlineSeconds", spec.getActiveDeadlineSeconds(),
                    "must be between 1 and 2147483647, inclusive"));
        }
        if (spec.getNodeSelector() != null) {
            errors.addAll(MetadataValidation.labels(spec.getNodeSelector(), path + ".nodeSelector"));
        }
        for (int i = 0; i < spec.getTolerations().size(); i++) {
            toleration(errors, spec.getTolerations().get(i), path + ".tolerations[" + i + "]");
        }
        return errors;
    }

    private static void containers(List<FieldError> errors, List<Container> containers, String path, Set<String> names) {
        for (int i = 0; i < containers.size(); i++) {
            Container c = containers.get(i);
            String p = path + "[" + i + "]";
            if (MetadataValidation.empty(c.getName())) {
                errors.add(FieldError.required(p + ".name", ""));
            } else {
                for (String e : Names.dns1123Label(c.getName())) {
                    errors.add(FieldError.invalid(p + ".name", c.getName(), e));
                }
                if (!names.add(c.getName())) {
                    errors.add(FieldError.duplicate(p + ".name", c.getName()));
                }
            }
            if (MetadataValidation.empty(c.getImage())) {
                errors.add(FieldError.required(p + ".image", ""));
            }
            if (c.getImagePullPolicy() != null && !PULL_POLICIES.contains(c.getImagePullPolicy())) {
                errors.add(FieldError.notSupported(p + ".imagePullPolicy", c.getImagePullPolicy(), PULL_POLICIES));
            }
            for (int j = 0; j < c.getPorts().size(); j++) {
                port(errors, c.getPorts().get(j), p + ".ports[" + j + "]");
            }
            resources(errors, c, p + ".resources");
        }
    }

    private static void port(List<FieldError> errors, ContainerPort port, String path) {
        Integer n = port.getContainerPort();
        if (n == null || n == 0) {
            errors.add(FieldError.required(path + ".containerPort", ""));
        } else if (n < 1 || n > 65535) {
            errors.add(FieldError.invalid(path + ".containerPort", n, "must be between 1 and 65535, inclusive"));
        }
        if (port.getHostPort() != null && port.getHostPort() != 0 && (port.getHostPort() < 1 || port.getHostPort() > 65535)) {
            errors.add(FieldError.invalid(path + ".hostPort", port.getHostPort(), "must be between 1 and 65535, inclusive"));
        }
        if (port.getProtocol() != null && !PROTOCOLS.contains(port.getProtocol())) {
            errors.add(FieldError.notSupported(path + ".protocol", port.getProtocol(), PROTOCOLS));
        }
    }

    private static void resources(List<FieldError> errors, Container c, String path) {
        if (c.getResources() == null) {
            return;
        }
        Map<String, Quantity> requests = c.getResources().getRequests() == null ? Map.of() : c.getResources().getRequests();
        Map<String, Quantity> limits = c.getResources().getLimits() == null ? Map.of() : c.getResources().getLimits();
        for (Map.Entry<String, Quantity> r : requests.entrySet()) {
            if (Quantities.value(r.getValue()).signum() < 0) {
                errors.add(FieldError.invalid(path + ".requests[" + r.getKey() + "]", r.getValue().toString(),
                        "must be greater than or equal to 0"));
            }
            Quantity limit = limits.get(r.getKey());
            if (limit != null && Quantities.value(r.getValue()).compareTo(Quantities.value(limit)) > 0) {
                errors.add(FieldError.invalid(path + ".requests", r.getValue().toString(),
                        "must be less than or equal to " + r.getKey() + " limit of " + limit));
            }
        }
    }

    private static void toleration(List<FieldError> errors, Toleration t, String path) {
        if ("Exists".equals(t.getOperator()) && !MetadataValidation.empty(t.getValue())) {
            errors.add(FieldError.invalid(path + ".operator", t.getValue(),
                    "value must be empty when `operator` is 'Exists'"));
        }
        if (t.getOperator() != null && !t.getOperator().isEmpty() && !List.of("Equal", "Exists").contains(t.getOperator())) {
            errors.add(FieldError.notSupported(path + ".operator", t.getOperator(), List.of("Equal", "Exists")));
        }
        if (t.getTolerationSeconds() != null && !"NoExecute".equals(t.getEffect())) {
            errors.add(FieldError.invalid(path + ".effect", t.getEffect(),
                    "effect must be 'NoExecute' when `tolerationSeconds` is set"));
        }
    }

    /**
     * A pod's spec may change only in its images, activeDeadlineSeconds, added tolerations and a negative grace
     * period; everything else is one Forbidden error, as {@code ValidatePodUpdate} reports it.
     */
    static List<FieldError> update(PodSpec spec, PodSpec old) {
        List<FieldError> errors = new ArrayList<>();
        if (spec.getContainers().size() != old.getContainers().size()
                || spec.getInitContainers().size() != old.getInitContainers().size()) {
            errors.add(FieldError.forbidden("spec.containers", "pod updates may not add or remove containers"));
            return errors;
        }
        if (old.getActiveDeadlineSeconds() != null) {
            if (spec.getActiveDeadlineSeconds() == null) {
                errors.add(FieldError.invalid("spec.activeDeadlineSeconds", null,
                        "must not update from a positive integer to nil value"));
            } else if (spec.getActiveDeadlineSeconds() > old.getActiveDeadlineSeconds()) {
                errors.add(FieldError.invalid("spec.activeDeadlineSeconds", spec.getActiveDeadlineSeconds(),
                        "must be less than or equal to previous value"));
            }
        }
        for (int i = 0; i < spec.getContainers().size(); i++) {
            if (MetadataValidation.empty(spec.getContainers().get(i).getImage())) {
                errors.add(FieldError.required("spec.containers[" + i + "].image", ""));
            }
        }
        // compare the specs with what may change taken from the new one
        PodSpec allowed = ObjectCodec.copy(old, PodSpec.class);
        for (int i = 0; i < spec.getContainers().size(); i++) {
            allowed.getContainers().get(i).setImage(spec.getContainers().get(i).getImage());
        }
        for (int i = 0; i < spec.getInitContainers().size(); i++) {
            allowed.getInitContainers().get(i).setImage(spec.getInitContainers().get(i).getImage());
        }
        allowed.setActiveDeadlineSeconds(spec.getActiveDeadlineSeconds());
        if (spec.getTolerations().containsAll(old.getTolerations())) {
            allowed.setTolerations(spec.getTolerations());
        }
        if (old.getTerminationGracePeriodSeconds() != null && old.getTerminationGracePeriodSeconds() < 0
                && Long.valueOf(1).equals(spec.getTerminationGracePeriodSeconds())) {
            allowed.setTerminationGracePeriodSeconds(1L);
        }
        if (spec.getSchedulingGates().isEmpty() || old.getSchedulingGates().containsAll(spec.getSchedulingGates())) {
            allowed.setSchedulingGates(spec.getSchedulingGates()); // gates may only be removed
        }
        if (!allowed.equals(spec)) {
            errors.add(FieldError.forbidden("spec", "pod updates may not change fields other than " + UPDATABLE));
        }
        return errors;
    }
}
