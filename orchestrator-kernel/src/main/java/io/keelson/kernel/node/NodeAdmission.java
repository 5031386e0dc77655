package io.keelson.kernel.node;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.keelson.kernel.scheduler.framework.HostPorts;
import io.keelson.kernel.scheduler.framework.PodInfo;
import io.keelson.kernel.scheduler.framework.RequiredNodeAffinity;
import io.keelson.kernel.scheduler.framework.Resource;
import io.keelson.kernel.scheduler.framework.Taints;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The kubelet's admission of pods on one node, as its predicate admit handler: the pod's operating system first,
 * then whether it fits beside the pods already admitted (pod count, cpu, memory, ephemeral storage, extended
 * resources), its required node affinity and nodeSelector, its host ports, and (but for static pods) the node's
 * NoExecute taints, in that order; the first that fails rejects the pod with the kubelet's reason and message.
 */
final class NodeAdmission {
    /**
     * Why a pod was refused: {@code OutOfcpu} and "Node didn't have enough resource: cpu, ...", and the like. The
     * message is the event's; the pod's status says "Pod was rejected: " before it.
     */
    record Rejection(String reason, String message) {
    }

    /** What the simulated nodes run: their {@code kubernetes.io/os} label and the pods' {@code spec.os}. */
    static final String OS = "linux";

    private final Map<String, PodInfo> held = new HashMap<>();

    synchronized boolean holds(String uid) {
        return held.containsKey(uid);
    }

    /** Counts a pod already running on the node, without checking it. */
    synchronized void hold(Pod pod) {
        held.put(pod.getMetadata().getUid(), PodInfo.of(pod));
    }

    synchronized void release(String uid) {
        held.remove(uid);
    }

    /** Admits {@code pod} on {@code node} (null), or tells why not. */
    synchronized Rejection admit(Pod pod, Node node) {
        Rejection os = operatingSystem(pod, node);
        if (os != null) {
            return os;
        }
        PodInfo incoming = PodInfo.of(pod);
        Resource allocatable = node.getStatus() == null ? new Resource()
                : Resource.of(node.getStatus().getAllocatable());
        Resource used = new Resource();
        HostPorts ports = new HostPorts();
        held.values().forEach(p -> {
            used.add(p.requests());
            p.hostPorts().forEach(ports::add);
        });
        Resource want = incoming.requests();
        Rejection r = lacking(Resource.PODS, 1, held.size(), allocatable.allowedPods());
        if (r == null) {
            r = lacking(Resource.CPU, want.milliCpu(), used.milliCpu(), allocatable.milliCpu());
        }
        if (r == null) {
            r = lacking(Resource.MEMORY, want.memory(), used.memory(), allocatable.memory());
        }
        if (r == null) {
            r = lacking(Resource.EPHEMERAL_STORAGE, want.ephemeralStorage(), used.ephemeralStorage(),
                    allocatable.ephemeralStorage());
        }
        for (Map.Entry<String, Long> e : new TreeMap<>(want.scalar()).entrySet()) {
            if (r == null) {
                r = lacking(e.getKey(), e.getValue(), used.get(e.getKey()), allocatable.get(e.getKey()));
            }
        }
        Map<String, String> labels = node.getMetadata().getLabels() == null ? Map.of()
                : node.getMetadata().getLabels();
        if (r == null && !RequiredNodeAffinity.of(pod).matches(node.getMetadata().getName(), labels)) {
            r = predicate("NodeAffinity", "node(s) didn't match Pod's node affinity/selector");
        }
        if (r == null && incoming.hostPorts().stream().anyMatch(ports::conflicts)) {
            r = predicate("NodePorts", "node(s) didn't have free ports for the requested pod ports");
        }
        if (r == null && !StaticPods.isStatic(pod) && Taints.firstUntolerated(node.getSpec() == null ? null
                : node.getSpec().getTaints(), pod.getSpec().getTolerations(),
                t -> "NoExecute".equals(t.getEffect())) != null) {
            r = predicate("TaintToleration", "node(s) had taints that the pod didn't tolerate");
        }
        if (r == null) {
            held.put(pod.getMetadata().getUid(), incoming);
        }
        return r;
    }

    /** A pod labelled for another OS, or whose {@code spec.os} is not the node's, is refused first. */
    private static Rejection operatingSystem(Pod pod, Node node) {
        Map<String, String> podLabels = pod.getMetadata().getLabels();
        String wanted = podLabels == null ? null : podLabels.get("kubernetes.io/os");
        if (wanted != null) {
            String have = node.getMetadata().getLabels() == null ? null
                    : node.getMetadata().getLabels().get("kubernetes.io/os");
            if (!wanted.equals(have == null ? OS : have)) {
                return new Rejection("PodOSSelectorNodeLabelDoesNotMatch",
                        "Failed to admit pod as the `kubernetes.io/os` label doesn't match node label");
            }
        }
        if (pod.getSpec().getOs() != null && !OS.equals(pod.getSpec().getOs().getName())) {
            return new Rejection("PodOSNotSupported", "Failed to admit pod as the OS field doesn't match node OS");
        }
        return null;
    }

    private static Rejection predicate(String name, String description) {
        return new Rejection(name, "Predicate " + name + " failed: " + description);
    }

    private static Rejection lacking(String resource, long requested, long used, long capacity) {
        if (requested == 0 || requested <= capacity - used) {
            return null;
        }
        return new Rejection("OutOf" + resource, "Node didn't have enough resource: " + resource
                + ", requested: " + requested + ", used: " + used + ", capacity: " + capacity);
    }
}
