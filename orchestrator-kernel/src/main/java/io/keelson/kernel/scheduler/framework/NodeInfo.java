package io.keelson.kernel.scheduler.framework;

import io.fabric8.kubernetes.api.model.ContainerImage;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeSpec;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A node and the pods on it (bound or assumed), with their sums, as kube-scheduler's {@code NodeInfo}. Plugins get
 * the cycle's snapshot and must not change it; preemption changes copies ({@link #copy()}) to evaluate victims.
 */
public final class NodeInfo {
    private static final AtomicLong GENERATIONS = new AtomicLong();

    private Node node;
    // read for every node of every cycle: kept here rather than chased through the Node each time
    private String name;
    private Map<String, String> labels = Map.of();
    private List<Taint> taints = List.of();
    private boolean unschedulable;
    private Map<String, Long> images = Map.of();
    private final List<PodInfo> pods;
    private final List<PodInfo> podsWithAffinity;
    private final List<PodInfo> podsWithRequiredAntiAffinity;
    // the read-only views handed out, made once: pods() is read for every node of every cycle
    private final List<PodInfo> podsView;
    private final List<PodInfo> podsWithAffinityView;
    private final List<PodInfo> podsWithRequiredAntiAffinityView;
    private final Resource requested;
    private final Resource nonZeroRequested;
    private Resource allocatable;
    private final HostPorts usedPorts;
    private long generation;

    public NodeInfo(Node node) {
        this.pods = new ArrayList<>();
        this.podsWithAffinity = new ArrayList<>();
        this.podsWithRequiredAntiAffinity = new ArrayList<>();
        this.podsView = Collections.unmodifiableList(pods);
        this.podsWithAffinityView = Collections.unmodifiableList(podsWithAffinity);
        this.podsWithRequiredAntiAffinityView = Collections.unmodifiableList(podsWithRequiredAntiAffinity);
        this.requested = new Resource();
        this.nonZeroRequested = new Resource();
        this.usedPorts = new HostPorts();
        setNode(node);
    }

    private NodeInfo(NodeInfo o) {
        this.node = o.node;
        this.name = o.name;
        this.labels = o.labels;
        this.taints = o.taints;
        this.unschedulable = o.unschedulable;
        this.images = o.images;
        this.pods = new ArrayList<>(o.pods);
        this.podsWithAffinity = new ArrayList<>(o.podsWithAffinity);
        this.podsWithRequiredAntiAffinity = new ArrayList<>(o.podsWithRequiredAntiAffinity);
        this.podsView = Collections.unmodifiableList(pods);
        this.podsWithAffinityView = Collections.unmodifiableList(podsWithAffinity);
        this.podsWithRequiredAntiAffinityView = Collections.unmodifiableList(podsWithRequiredAntiAffinity);
        this.requested = o.requested.copy();
        this.nonZeroRequested = o.nonZeroRequested.copy();
        this.allocatable = o.allocatable;
        this.usedPorts = o.usedPorts.copy();
        this.generation = o.generation;
    }

    /** The node; null while the node is gone but pods bound to it are still known. */
    public Node node() {
        return node;
    }

    public String name() {
        return name;
    }

    /** The node's labels (empty if none). */
    public Map<String, String> labels() {
        return labels;
    }

    /** The node's taints (empty if none). */
    public List<Taint> taints() {
        return taints;
    }

    /** The sizes in bytes of the images the node reports, by each of their names ({@code status.images}). */
    public Map<String, Long> images() {
        return images;
    }

    /** Whether the node is cordoned ({@code spec.unschedulable}). */
    public boolean unschedulable() {
        return unschedulable;
    }

    public List<PodInfo> pods() {
        return podsView;
    }

    public List<PodInfo> podsWithAffinity() {
        return podsWithAffinityView;
    }

    public List<PodInfo> podsWithRequiredAntiAffinity() {
        return podsWithRequiredAntiAffinityView;
    }

    /** The sum of the pods' requests. */
    public Resource requested() {
        return requested;
    }

    /** The sum of the pods' requests with scoring's defaults for containers without cpu or memory requests. */
    public Resource nonZeroRequested() {
        return nonZeroRequested;
    }

    /** The node's allocatable resources ({@code status.allocatable}). */
    public Resource allocatable() {
        return allocatable;
    }

    public HostPorts usedPorts() {
        return usedPorts;
    }

    /** Grows with every change; the runtime's snapshot copies only nodes whose generation moved. */
    public long generation() {
        return generation;
    }

    public void setNode(Node node) {
        this.node = node;
        this.name = node == null ? null : node.getMetadata().getName();
        this.labels = node == null || node.getMetadata().getLabels() == null ? Map.of()
                : compact(node.getMetadata().getLabels());
        NodeSpec spec = node == null ? null : node.getSpec();
        this.taints = spec == null || spec.getTaints() == null ? List.of() : List.copyOf(spec.getTaints());
        this.unschedulable = spec != null && Boolean.TRUE.equals(spec.getUnschedulable());
        this.images = images(node);
        this.allocatable = node == null || node.getStatus() == null ? new Resource()
                : Resource.of(node.getStatus().getAllocatable());
        touch();
    }

    /**
     * A compact immutable copy (one array of keys and values, read for every node of every cycle) of interned
     * strings: thousands of nodes share a few label keys and values, and comparing a key then rarely reads its
     * characters from memory.
     */
    private static Map<String, String> compact(Map<String, String> labels) {
        Map<String, String> interned = new java.util.HashMap<>();
        labels.forEach((k, v) -> interned.put(k.intern(), v == null ? null : v.intern()));
        return Map.copyOf(interned);
    }

    private static Map<String, Long> images(Node node) {
        if (node == null || node.getStatus() == null || node.getStatus().getImages() == null) {
            return Map.of();
        }
        Map<String, Long> sizes = new java.util.HashMap<>();
        for (ContainerImage image : node.getStatus().getImages()) {
            long size = image.getSizeBytes() == null ? 0 : image.getSizeBytes();
            if (image.getNames() != null) {
                image.getNames().forEach(name -> sizes.putIfAbsent(name, size));
            }
        }
        return Map.copyOf(sizes);
    }

    public void addPod(PodInfo pod) {
        pods.add(pod);
        if (pod.hasPodAffinityTerms()) {
            podsWithAffinity.add(pod);
        }
        if (pod.hasRequiredAntiAffinity()) {
            podsWithRequiredAntiAffinity.add(pod);
        }
        requested.add(pod.requests());
        nonZeroRequested.add(pod.nonZeroRequests());
        pod.hostPorts().forEach(usedPorts::add);
        touch();
    }

    /** Removes the pod with {@code pod}'s uid; false if it is not on this node. */
    public boolean removePod(Pod pod) {
        String uid = pod.getMetadata().getUid();
        for (int i = 0; i < pods.size(); i++) {
            PodInfo p = pods.get(i);
            if (p.uid().equals(uid)) {
                pods.remove(i);
                podsWithAffinity.removeIf(a -> a.uid().equals(uid));
                podsWithRequiredAntiAffinity.removeIf(a -> a.uid().equals(uid));
                requested.subtract(p.requests());
                nonZeroRequested.subtract(p.nonZeroRequests());
                p.hostPorts().forEach(usedPorts::remove);
                touch();
                return true;
            }
        }
        return false;
    }

    /** A copy that changes independently (the pods themselves are shared and read-only). */
    public NodeInfo copy() {
        return new NodeInfo(this);
    }

    private void touch() {
        generation = GENERATIONS.incrementAndGet();
    }

    @Override
    public String toString() {
        return "NodeInfo{" + name() + ", pods=" + pods.size() + ", requested=" + requested + "}";
    }
}
