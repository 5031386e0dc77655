package io.keelson.kernel.scheduler.framework;

import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A pod with what scheduling computes from it once: its effective requests (as kube-scheduler's
 * {@code resourcehelper.PodRequests}), the non-zero requests scoring uses, and its host ports. The pod is shared and
 * read-only.
 */
public final class PodInfo {
    /** The cpu a container without a cpu request counts as when scoring (kube-scheduler's 100m). */
    public static final long DEFAULT_MILLI_CPU_REQUEST = 100;
    /** The memory a container without a memory request counts as when scoring (kube-scheduler's 200 MiB). */
    public static final long DEFAULT_MEMORY_REQUEST = 200L * 1024 * 1024;

    private final Pod pod;
    private final Resource requests;
    private final Resource nonZeroRequests;
    private final List<HostPorts.Port> hostPorts;

    private PodInfo(Pod pod) {
        this.pod = pod;
        this.requests = requests(pod, false);
        this.nonZeroRequests = requests(pod, true);
        this.hostPorts = hostPorts(pod);
    }

    public static PodInfo of(Pod pod) {
        return new PodInfo(pod);
    }

    /** A pod's priority ({@code spec.priority}, 0 when unset). */
    public static int priority(Pod pod) {
        Integer p = pod.getSpec() == null ? null : pod.getSpec().getPriority();
        return p == null ? 0 : p;
    }

    public Pod pod() {
        return pod;
    }

    public String uid() {
        return pod.getMetadata().getUid();
    }

    /** namespace/name. */
    public String key() {
        return pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
    }

    /**
     * The pod's effective requests: the larger of its containers' sum and each init container's (sidecar init
     * containers, {@code restartPolicy: Always}, running alongside what follows them), plus the pod's overhead.
     */
    public Resource requests() {
        return requests;
    }

    /** {@link #requests()} with 100m cpu and 200 MiB memory for each container that requests none, for scoring. */
    public Resource nonZeroRequests() {
        return nonZeroRequests;
    }

    /** The host ports the pod's containers and sidecar init containers ask for (hostPort > 0). */
    public List<HostPorts.Port> hostPorts() {
        return hostPorts;
    }

    /** Whether the pod has pod affinity or anti-affinity terms (required or preferred). */
    public boolean hasPodAffinityTerms() {
        Affinity a = pod.getSpec() == null ? null : pod.getSpec().getAffinity();
        return a != null && (a.getPodAffinity() != null || a.getPodAntiAffinity() != null);
    }

    /** Whether the pod has required anti-affinity terms. */
    public boolean hasRequiredAntiAffinity() {
        Affinity a = pod.getSpec() == null ? null : pod.getSpec().getAffinity();
        return a != null && a.getPodAntiAffinity() != null
                && a.getPodAntiAffinity().getRequiredDuringSchedulingIgnoredDuringExecution() != null
                && !a.getPodAntiAffinity().getRequiredDuringSchedulingIgnoredDuringExecution().isEmpty();
    }

    private static Resource requests(Pod pod, boolean nonZero) {
        Resource total = new Resource();
        if (pod.getSpec() == null) {
            return total;
        }
        for (Container c : list(pod.getSpec().getContainers())) {
            total.add(containerRequests(c, nonZero));
        }
        Resource sidecars = new Resource();
        Resource init = new Resource();
        for (Container c : list(pod.getSpec().getInitContainers())) {
            Resource r = containerRequests(c, nonZero);
            if ("Always".equals(c.getRestartPolicy())) {
                total.add(r);
                sidecars.add(r);
                init.max(sidecars);
            } else {
                init.max(r.add(sidecars));
            }
        }
        total.max(init);
        Map<String, Quantity> overhead = pod.getSpec().getOverhead();
        if (overhead != null && !overhead.isEmpty()) {
            total.add(Resource.of(overhead));
        }
        return total;
    }

    private static Resource containerRequests(Container c, boolean nonZero) {
        Map<String, Quantity> requests = c.getResources() == null ? null : c.getResources().getRequests();
        Resource r = Resource.of(requests);
        if (nonZero) {
            if (requests == null || !requests.containsKey(Resource.CPU)) {
                r.set(Resource.CPU, DEFAULT_MILLI_CPU_REQUEST);
            }
            if (requests == null || !requests.containsKey(Resource.MEMORY)) {
                r.set(Resource.MEMORY, DEFAULT_MEMORY_REQUEST);
            }
        }
        return r;
    }

    private static List<HostPorts.Port> hostPorts(Pod pod) {
        if (pod.getSpec() == null) {
            return List.of();
        }
        List<Container> running = new ArrayList<>(list(pod.getSpec().getContainers()));
        list(pod.getSpec().getInitContainers()).stream().filter(c -> "Always".equals(c.getRestartPolicy()))
                .forEach(running::add); // sidecars hold their ports for the pod's life
        List<HostPorts.Port> ports = new ArrayList<>();
        for (Container c : running) {
            for (ContainerPort p : list(c.getPorts())) {
                if (p.getHostPort() != null && p.getHostPort() > 0) {
                    ports.add(new HostPorts.Port(p.getHostIP(), p.getProtocol(), p.getHostPort()));
                }
            }
        }
        return List.copyOf(ports);
    }

    private static <E> List<E> list(List<E> l) {
        return l == null ? List.of() : l;
    }

    @Override
    public String toString() {
        return key();
    }
}
