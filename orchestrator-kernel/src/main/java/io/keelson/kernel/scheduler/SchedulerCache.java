package io.keelson.kernel.scheduler;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.keelson.kernel.scheduler.framework.NodeInfo;
import io.keelson.kernel.scheduler.framework.PodInfo;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * kube-scheduler's cache: every node with the pods bound or assumed on it. A pod is assumed on its node the moment
 * a scheduling cycle picks the node, so the next cycle counts it, and confirmed when the pod informer shows it
 * bound; a failed bind forgets it. Assumed pods whose binding finished expire after the configured time to live
 * (zero, kube-scheduler's default: never) if their confirmation never comes.
 *
 * <p>Thread-safe. Snapshots are incremental: only nodes changed since the last one are copied.
 */
final class SchedulerCache {
    private static final String ZONE = "topology.kubernetes.io/zone";
    private static final String REGION = "topology.kubernetes.io/region";

    private static final class PodState {
        Pod pod;
        boolean assumed;
        Instant deadline;

        PodState(Pod pod, boolean assumed) {
            this.pod = pod;
            this.assumed = assumed;
        }
    }

    private final Clock clock;
    private final Duration assumedTtl;
    private final Map<String, NodeInfo> nodes = new HashMap<>();
    private final Map<String, PodState> pods = new HashMap<>();
    /** Nodes changed since the last snapshot. */
    private final Set<String> dirty = new LinkedHashSet<>();
    /** Node names by zone, zones in the order they appeared (kube-scheduler's nodeTree). */
    private final Map<String, List<String>> zones = new LinkedHashMap<>();
    private boolean nodeSetChanged = true;
    /** Nodes per image name, for ImageLocality's spread. */
    private final Map<String, Integer> imageNodes = new HashMap<>();
    private boolean imagesChanged;

    SchedulerCache(Clock clock, Duration assumedTtl) {
        this.clock = clock;
        this.assumedTtl = assumedTtl;
    }

    /**
     * Counts {@code pod} (with its chosen {@code spec.nodeName}) on its node until it is confirmed or forgotten.
     *
     * @throws IllegalStateException if the pod is already in the cache
     */
    synchronized void assume(Pod pod) {
        String uid = pod.getMetadata().getUid();
        if (pods.containsKey(uid)) {
            throw new IllegalStateException("pod " + key(pod) + "(" + uid + ") is in the cache, so can't be assumed");
        }
        pods.put(uid, new PodState(pod, true));
        addToNode(pod);
    }

    /** The binding of an assumed pod finished; its expiry (if any) starts now. */
    synchronized void finishBinding(Pod pod) {
        PodState s = pods.get(pod.getMetadata().getUid());
        if (s != null && s.assumed && !assumedTtl.isZero()) {
            s.deadline = clock.instant().plus(assumedTtl);
        }
    }

    /** Undoes {@link #assume} (the bind failed, or a plugin rejected the pod). */
    synchronized void forget(Pod pod) {
        PodState s = pods.get(pod.getMetadata().getUid());
        if (s == null) {
            return;
        }
        if (!s.assumed) {
            throw new IllegalStateException("pod " + key(pod) + "(" + pod.getMetadata().getUid() + ") is not assumed,"
                    + " so it cannot be removed or forgotten");
        }
        pods.remove(pod.getMetadata().getUid());
        removeFromNode(s.pod);
    }

    /** A bound pod from the informer: confirms an assumed pod, or adds one bound by someone else. */
    synchronized void addPod(Pod pod) {
        String uid = pod.getMetadata().getUid();
        PodState s = pods.get(uid);
        if (s == null) {
            pods.put(uid, new PodState(pod, false));
            addToNode(pod);
            return;
        }
        removeFromNode(s.pod); // the assumed copy, possibly on another node
        s.pod = pod;
        s.assumed = false;
        s.deadline = null;
        addToNode(pod);
    }

    synchronized void updatePod(Pod pod) {
        addPod(pod);
    }

    synchronized void removePod(Pod pod) {
        PodState s = pods.remove(pod.getMetadata().getUid());
        if (s != null) {
            removeFromNode(s.pod);
        }
    }

    synchronized boolean isAssumed(String uid) {
        PodState s = pods.get(uid);
        return s != null && s.assumed;
    }

    /** Whether the pod is counted on a node (assumed or bound). */
    synchronized boolean contains(String uid) {
        return pods.containsKey(uid);
    }

    synchronized void addOrUpdateNode(Node node) {
        String name = node.getMetadata().getName();
        NodeInfo info = nodes.get(name);
        String zone = zoneOf(node);
        if (info == null) {
            info = new NodeInfo(node);
            nodes.put(name, info);
            zones.computeIfAbsent(zone, z -> new ArrayList<>()).add(name);
            nodeSetChanged = true;
        } else {
            Node old = info.node();
            if (old == null) {
                zones.computeIfAbsent(zone, z -> new ArrayList<>()).add(name);
                nodeSetChanged = true;
            } else if (!zoneOf(old).equals(zone)) {
                removeFromZone(old);
                zones.computeIfAbsent(zone, z -> new ArrayList<>()).add(name);
                nodeSetChanged = true;
            }
            countImages(info, -1);
            info.setNode(node);
        }
        countImages(info, 1);
        dirty.add(name);
    }

    private void countImages(NodeInfo info, int delta) {
        if (info.node() == null || info.images().isEmpty()) {
            return;
        }
        info.images().keySet().forEach(image -> imageNodes.merge(image, delta, (a, b) -> a + b == 0 ? null : a + b));
        imagesChanged = true;
    }

    /**
     * The node is gone. Pods still bound to it keep it as a node-less entry (not schedulable, not in snapshots)
     * until their own deletions arrive.
     */
    synchronized void removeNode(Node node) {
        String name = node.getMetadata().getName();
        NodeInfo info = nodes.get(name);
        if (info == null || info.node() == null) {
            return;
        }
        removeFromZone(info.node());
        countImages(info, -1);
        if (info.pods().isEmpty()) {
            nodes.remove(name);
        } else {
            info.setNode(null);
        }
        nodeSetChanged = true;
        dirty.add(name);
    }

    /** Forgets assumed pods whose binding finished more than the time to live ago (every second). */
    synchronized List<Pod> expireAssumedPods() {
        Instant now = clock.instant();
        List<Pod> expired = new ArrayList<>();
        for (PodState s : new ArrayList<>(pods.values())) {
            if (s.assumed && s.deadline != null && now.isAfter(s.deadline)) {
                pods.remove(s.pod.getMetadata().getUid());
                removeFromNode(s.pod);
                expired.add(s.pod);
            }
        }
        return expired;
    }

    /** Brings {@code snapshot} up to date: copies the nodes changed since its last update. */
    synchronized void updateSnapshot(Snapshot snapshot) {
        boolean affinityChanged = false;
        for (String name : dirty) {
            NodeInfo info = nodes.get(name);
            NodeInfo previous = snapshot.infos.get(name);
            if (info == null || info.node() == null) {
                if (previous != null) {
                    snapshot.infos.remove(name);
                    affinityChanged = true;
                }
                continue;
            }
            NodeInfo copy = info.copy();
            snapshot.infos.put(name, copy);
            if (previous == null || previous.podsWithAffinity().size() != copy.podsWithAffinity().size()
                    || previous.podsWithRequiredAntiAffinity().size() != copy.podsWithRequiredAntiAffinity().size()
                    || !copy.podsWithAffinity().isEmpty()) {
                affinityChanged = true;
            }
        }
        if (nodeSetChanged) {
            snapshot.list.clear();
            snapshot.positions.clear();
            for (String name : zoneOrder()) {
                NodeInfo info = snapshot.infos.get(name);
                if (info != null) {
                    snapshot.positions.put(name, snapshot.list.size());
                    snapshot.list.add(info);
                }
            }
            nodeSetChanged = false;
        } else {
            for (String name : dirty) {
                Integer i = snapshot.positions.get(name);
                if (i != null) {
                    snapshot.list.set(i, snapshot.infos.get(name));
                }
            }
        }
        snapshot.changed(dirty);
        dirty.clear();
        if (imagesChanged) {
            snapshot.imageNodes = Map.copyOf(imageNodes);
            imagesChanged = false;
        }
        if (affinityChanged || snapshot.withAffinity == null) {
            snapshot.rebuildAffinityLists();
        }
    }

    /** The number of nodes (with a Node object). */
    synchronized int nodeCount() {
        return (int) nodes.values().stream().filter(n -> n.node() != null).count();
    }

    /** A copy of one node's info (tests and diagnostics). */
    synchronized NodeInfo nodeInfo(String name) {
        NodeInfo info = nodes.get(name);
        return info == null ? null : info.copy();
    }

    /** Node names taking one from each zone in turn, as kube-scheduler's nodeTree lists them. */
    private List<String> zoneOrder() {
        List<String> order = new ArrayList<>();
        List<List<String>> lists = new ArrayList<>(zones.values());
        for (int i = 0; order.size() < nodeCountUnlocked(); i++) {
            for (List<String> names : lists) {
                if (i < names.size()) {
                    order.add(names.get(i));
                }
            }
        }
        return order;
    }

    private int nodeCountUnlocked() {
        return zones.values().stream().mapToInt(List::size).sum();
    }

    private void addToNode(Pod pod) {
        String name = pod.getSpec().getNodeName();
        NodeInfo info = nodes.computeIfAbsent(name, n -> new NodeInfo(null));
        info.addPod(PodInfo.of(pod));
        dirty.add(name);
    }

    private void removeFromNode(Pod pod) {
        String name = pod.getSpec().getNodeName();
        NodeInfo info = nodes.get(name);
        if (info == null) {
            return;
        }
        info.removePod(pod);
        if (info.node() == null && info.pods().isEmpty()) {
            nodes.remove(name);
        }
        dirty.add(name);
    }

    private void removeFromZone(Node node) {
        String zone = zoneOf(node);
        List<String> names = zones.get(zone);
        if (names != null) {
            names.remove(node.getMetadata().getName());
            if (names.isEmpty()) {
                zones.remove(zone);
            }
        }
    }

    private static String zoneOf(Node node) {
        Map<String, String> labels = node.getMetadata().getLabels();
        if (labels == null) {
            return "";
        }
        return labels.getOrDefault(REGION, "") + ":\0:" + labels.getOrDefault(ZONE, "");
    }

    private static String key(Pod pod) {
        return pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
    }
}
