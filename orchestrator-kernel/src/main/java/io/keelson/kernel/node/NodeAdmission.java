package io.keelson.kernel.node;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.keelson.kernel.scheduler.framework.HostPorts;
import io.keelson.kernel.scheduler.framework.PodInfo;
import io.keelson.kernel.scheduler.framework.Resource;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The kubelet's admission of pods on one node: a pod is admitted when it fits beside the pods already admitted
 * (pod count, cpu, memory, ephemeral storage, extended resources, host ports), checked in that order as the
 * kubelet's predicates do; otherwise it is rejected with the kubelet's reason and message.
 */
final class NodeAdmission {
    /** Why a pod was refused: {@code OutOfcpu} and "Node didn't have enough resource: cpu, ...", and the like. */
    record Rejection(String reason, String message) {
    }

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
        if (r == null && incoming.hostPorts().stream().anyMatch(ports::conflicts)) {
            r = new Rejection("NodePorts",
                    "Pod was rejected: Predicate NodePorts failed: node(s) didn't have free ports for the requested"
                            + " pod ports");
        }
        if (r == null) {
            held.put(pod.getMetadata().getUid(), incoming);
        }
        return r;
    }

    private static Rejection lacking(String resource, long requested, long used, long capacity) {
        if (requested == 0 || requested <= capacity - used) {
            return null;
        }
        return new Rejection("OutOf" + resource, "Pod was rejected: Node didn't have enough resource: " + resource
                + ", requested: " + requested + ", used: " + used + ", capacity: " + capacity);
    }
}
