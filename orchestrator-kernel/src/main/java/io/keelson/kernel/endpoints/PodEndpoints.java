package io.keelson.kernel.endpoints;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.keelson.kernel.controller.Controller;
import io.keelson.kernel.informer.Cache;
import io.keelson.kernel.informer.EventHandler;
import io.keelson.kernel.informer.KeyFunctions;
import io.keelson.kernel.informer.SharedInformer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** What both endpoint controllers ask of a Service's pods (upstream's endpoint utilities and podutil.FindPort). */
final class PodEndpoints {
    /** A Service port resolved against one pod: the number its target port names in that pod. */
    record ResolvedPort(String name, int port, String protocol, String appProtocol) {
    }

    private PodEndpoints() {
    }

    /** A pod handler that queues every Service selecting the pod (before or after a change of its labels). */
    static EventHandler<Pod> servicesOf(SharedInformer<Service> services, Controller controller) {
        return new EventHandler<>() {
            @Override
            public void onAdd(Pod pod, boolean initialList) {
                enqueue(pod, null);
            }

            @Override
            public void onUpdate(Pod old, Pod pod) {
                enqueue(pod, old);
            }

            @Override
            public void onDelete(Pod pod, boolean finalStateUnknown) {
                enqueue(pod, null);
            }

            private void enqueue(Pod pod, Pod old) {
                for (Service svc : services.cache().byIndex(Cache.NAMESPACE_INDEX, pod.getMetadata().getNamespace())) {
                    if (matches(svc, pod) || old != null && matches(svc, old)) {
                        controller.enqueue(KeyFunctions.key(svc));
                    }
                }
            }
        };
    }

    /** Whether the Service selects pods: one without a selector (or with an empty one) has its endpoints by hand. */
    static boolean selects(Service svc) {
        return svc.getSpec() != null && !"ExternalName".equals(svc.getSpec().getType())
                && svc.getSpec().getSelector() != null && !svc.getSpec().getSelector().isEmpty();
    }

    static boolean matches(Service svc, Pod pod) {
        Map<String, String> labels = pod.getMetadata().getLabels() == null ? Map.of() : pod.getMetadata().getLabels();
        // a Service's selector is equality on every key: the pod's labels hold all its pairs
        return selects(svc) && svc.getMetadata().getNamespace().equals(pod.getMetadata().getNamespace())
                && labels.entrySet().containsAll(svc.getSpec().getSelector().entrySet());
    }

    /** ShouldSetHostname: the pod's hostname when it names this Service as its subdomain, else null. */
    static String hostname(Service svc, Pod pod) {
        String hostname = pod.getSpec().getHostname();
        return hostname != null && !hostname.isEmpty()
                && svc.getMetadata().getName().equals(pod.getSpec().getSubdomain()) ? hostname : null;
    }

    /** ShouldPodBeInEndpoints: not finished, has an IP, and (unless asked for) not terminating. */
    static boolean include(Pod pod, boolean includeTerminating) {
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        if ("Succeeded".equals(phase) || "Failed".equals(phase)) {
            return false;
        }
        if (pod.getStatus() == null || pod.getStatus().getPodIP() == null || pod.getStatus().getPodIP().isEmpty()) {
            return false;
        }
        return includeTerminating || pod.getMetadata().getDeletionTimestamp() == null;
    }

    static boolean ready(Pod pod) {
        if (pod.getStatus() == null || pod.getStatus().getConditions() == null) {
            return false;
        }
        for (PodCondition c : pod.getStatus().getConditions()) {
            if ("Ready".equals(c.getType())) {
                return "True".equals(c.getStatus());
            }
        }
        return false;
    }

    /** The Service's ports as this pod serves them; a named target port the pod lacks is left out. */
    static List<ResolvedPort> ports(Service svc, Pod pod) {
        List<ResolvedPort> ports = new ArrayList<>();
        for (ServicePort sp : svc.getSpec().getPorts()) {
            Integer port = findPort(pod, sp);
            if (port != null) {
                ports.add(new ResolvedPort(sp.getName() == null ? "" : sp.getName(), port,
                        sp.getProtocol() == null ? "TCP" : sp.getProtocol(), sp.getAppProtocol()));
            }
        }
        return ports;
    }

    /**
     * FindPort: a numeric target port as it is; a named one, the container port of that name and protocol (in the
     * containers, then the sidecars among the init containers); null when the pod has none.
     */
    static Integer findPort(Pod pod, ServicePort sp) {
        var target = sp.getTargetPort();
        if (target == null) {
            return sp.getPort();
        }
        if (target.getIntVal() != null) {
            return target.getIntVal();
        }
        String protocol = sp.getProtocol() == null ? "TCP" : sp.getProtocol();
        List<Container> containers = new ArrayList<>(pod.getSpec().getContainers());
        for (Container c : pod.getSpec().getInitContainers()) {
            if ("Always".equals(c.getRestartPolicy())) {
                containers.add(c);
            }
        }
        for (Container c : containers) {
            for (ContainerPort cp : c.getPorts()) {
                String cpProtocol = cp.getProtocol() == null ? "TCP" : cp.getProtocol();
                if (Objects.equals(cp.getName(), target.getStrVal()) && cpProtocol.equals(protocol)) {
                    return cp.getContainerPort();
                }
            }
        }
        return null;
    }

    /** IsServiceIPSet: a cluster IP that is neither empty nor "None". */
    static boolean headless(Service svc) {
        String ip = svc.getSpec().getClusterIP();
        return ip == null || ip.isEmpty() || "None".equals(ip);
    }
}
