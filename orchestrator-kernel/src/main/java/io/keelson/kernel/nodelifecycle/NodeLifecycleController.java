package io.keelson.kernel.nodelifecycle;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.NodeConditionBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.TaintBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.keelson.kernel.ApiException;
import io.keelson.kernel.Kernel;
import io.keelson.kernel.Timestamps;
import io.keelson.kernel.controller.ManagedController;
import io.keelson.kernel.events.EventRecorder;
import io.keelson.kernel.informer.InformerFactory;
import io.keelson.kernel.informer.KeyFunctions;
import io.keelson.kernel.informer.SharedInformer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * kube-controller-manager's node lifecycle controller with its taint eviction: a node whose Lease and status stop
 * moving for the grace period (50 s) is marked Unknown ("Kubelet stopped posting node status.") and tainted
 * {@code node.kubernetes.io/unreachable} (NoSchedule and NoExecute; {@code not-ready} for Ready=False, and
 * {@code unschedulable:NoSchedule} for a cordoned node); its pods are marked not Ready; pods that do not tolerate a
 * NoExecute taint are evicted once their toleration runs out (300 s from DefaultTolerationSeconds). The nodes of a
 * zone enter eviction (get their NoExecute taint) at a bounded rate. A node that comes back loses the taints.
 *
 * <p>Each {@link #monitor} pass looks at every node; {@link #start} runs one every monitor period, and a test on
 * a fake clock calls it itself.
 */
public final class NodeLifecycleController implements ManagedController {
    private static final Logger LOG = LoggerFactory.getLogger(NodeLifecycleController.class);
    public static final String UNREACHABLE = "node.kubernetes.io/unreachable";
    public static final String NOT_READY = "node.kubernetes.io/not-ready";
    public static final String UNSCHEDULABLE = "node.kubernetes.io/unschedulable";
    private static final List<String> CONDITIONS = List.of("Ready", "MemoryPressure", "DiskPressure", "PIDPressure");

    private final Kernel kernel;
    private final Clock clock;
    private final SharedInformer<Node> nodes;
    private final SharedInformer<Lease> leases;
    private final SharedInformer<Pod> pods;
    private final EventRecorder events;
    private final Duration gracePeriod;
    private final Duration monitorPeriod;
    private final Duration evictionInterval;
    private final Map<String, NodeHealth> health = new ConcurrentHashMap<>();
    /** Taints without a timeAdded, by node/key=value: when this controller first saw them. */
    private final Map<String, Instant> firstSeen = new ConcurrentHashMap<>();
    /** Per zone, when the next node may enter eviction (its NoExecute taint): zones drain at the eviction rate. */
    private final Map<String, Instant> nextEvictionTaint = new HashMap<>();
    private ScheduledExecutorService timer;

    private NodeLifecycleController(Kernel kernel, InformerFactory informers, Clock clock, Duration gracePeriod,
                                    Duration monitorPeriod, double evictionsPerSecond) {
        this.kernel = kernel;
        this.clock = clock;
        this.nodes = informers.forType(Node.class);
        this.leases = informers.forType(Lease.class);
        this.pods = informers.forType(Pod.class);
        this.events = EventRecorder.create(kernel, "node-controller", "", clock);
        this.gracePeriod = gracePeriod;
        this.monitorPeriod = monitorPeriod;
        this.evictionInterval = Duration.ofNanos((long) (1e9 / evictionsPerSecond));
    }

    /** With kube-controller-manager's defaults: 50 s grace, a pass every 5 s, 0.1 nodes entering eviction per s. */
    public static NodeLifecycleController create(Kernel kernel, InformerFactory informers, Clock clock) {
        return create(kernel, informers, clock, Duration.ofSeconds(50), Duration.ofSeconds(5), 0.1);
    }

    /** With this node monitor grace period, monitor period and rate of nodes entering eviction. */
    public static NodeLifecycleController create(Kernel kernel, InformerFactory informers, Clock clock,
                                                 Duration gracePeriod, Duration monitorPeriod,
                                                 double evictionsPerSecond) {
        if (gracePeriod.isNegative() || gracePeriod.isZero() || monitorPeriod.isNegative() || monitorPeriod.isZero()
                || !(evictionsPerSecond > 0)) {
            throw new IllegalArgumentException("grace period, monitor period and eviction rate must be positive");
        }
        return new NodeLifecycleController(Objects.requireNonNull(kernel), Objects.requireNonNull(informers),
                Objects.requireNonNull(clock), gracePeriod, monitorPeriod, evictionsPerSecond);
    }

    @Override
    public synchronized void start() {
        if (timer != null) {
            return;
        }
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "keelson-node-lifecycle");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::monitorQuietly, monitorPeriod.toMillis(), monitorPeriod.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    private void monitorQuietly() {
        try {
            monitor();
        } catch (RuntimeException e) {
            LOG.info("node lifecycle pass failed (the next pass retries): {}", e.toString());
        }
    }

    /** One pass over every node: health, conditions and taints, then evictions. */
    public synchronized void monitor() {
        Instant now = clock.instant();
        health.keySet().retainAll(nodes.cache().keys());
        for (Node node : nodes.cache().list()) {
            String name = node.getMetadata().getName();
            NodeHealth h = health.computeIfAbsent(name, n -> new NodeHealth(now));
            Lease lease = leases.cache().get(KeyFunctions.key("kube-node-lease", name));
            NodeCondition ready = condition(node, "Ready");
            h.observe(lease == null || lease.getSpec() == null ? null : lease.getSpec().getRenewTime(),
                    ready == null ? null : ready.getLastHeartbeatTime(), now);
            Node current = node;
            if (h.probedAt().plus(gracePeriod).isBefore(now) && (ready == null
                    || !"Unknown".equals(ready.getStatus()))) {
                current = markUnknown(node, now);
            }
            current = taint(current, now);
            evict(current, now);
        }
    }

    /** Every condition Unknown: the kubelet stopped posting, or never did. */
    private Node markUnknown(Node node, Instant now) {
        String at = Timestamps.time(now);
        Map<String, NodeCondition> byType = new HashMap<>();
        if (node.getStatus() != null && node.getStatus().getConditions() != null) {
            node.getStatus().getConditions().forEach(c -> byType.put(c.getType(), c));
        }
        List<NodeCondition> conditions = new ArrayList<>();
        if (node.getStatus() != null && node.getStatus().getConditions() != null) {
            for (NodeCondition c : node.getStatus().getConditions()) {
                conditions.add(CONDITIONS.contains(c.getType()) ? new NodeConditionBuilder(c).withStatus("Unknown")
                        .withReason("NodeStatusUnknown").withMessage("Kubelet stopped posting node status.")
                        .withLastTransitionTime(at).build() : c);
            }
        }
        for (String type : CONDITIONS) {
            if (!byType.containsKey(type)) {
                conditions.add(new NodeConditionBuilder().withType(type).withStatus("Unknown")
                        .withReason("NodeStatusNeverUpdated").withMessage("Kubelet never posted node status.")
                        .withLastHeartbeatTime(at).withLastTransitionTime(at).build());
            }
        }
        Node changed = new NodeBuilder(node).editOrNewStatus().withConditions(conditions).endStatus().build();
        try {
            Node written = kernel.resources(Node.class).updateStatus(changed);
            events.event(written, EventRecorder.NORMAL, "NodeNotReady", "Node " + node.getMetadata().getName()
                    + " status is now: NodeNotReady");
            markPodsNotReady(node.getMetadata().getName(), at);
            return written;
        } catch (ApiException e) {
            if (e.code() == 409 || e.code() == 404) {
                return node; // it moved meanwhile: the next pass looks again
            }
            throw e;
        }
    }

    /** Ready=False on every pod of a node that went Unknown (MarkPodsNotReady). */
    private void markPodsNotReady(String node, String at) {
        for (Pod pod : pods.cache().list()) {
            if (!node.equals(pod.getSpec().getNodeName()) || pod.getStatus() == null
                    || pod.getStatus().getConditions() == null) {
                continue;
            }
            boolean changed = false;
            Pod copy = new io.fabric8.kubernetes.api.model.PodBuilder(pod).build();
            for (var c : copy.getStatus().getConditions()) {
                if ("Ready".equals(c.getType()) && !"False".equals(c.getStatus())) {
                    c.setStatus("False");
                    c.setLastTransitionTime(at);
                    changed = true;
                }
            }
            if (changed) {
                try {
                    kernel.resources(Pod.class).inNamespace(pod.getMetadata().getNamespace()).updateStatus(copy);
                } catch (ApiException e) {
                    if (e.code() != 409 && e.code() != 404) {
                        throw e;
                    }
                }
            }
        }
    }

    /** The taints the node's conditions and spec call for, added (rate-limited for NoExecute) or removed. */
    private Node taint(Node node, Instant now) {
        NodeCondition ready = condition(node, "Ready");
        String readyStatus = ready == null ? "Unknown" : ready.getStatus();
        String wanted = "True".equals(readyStatus) ? null : "False".equals(readyStatus) ? NOT_READY : UNREACHABLE;
        List<Taint> current = node.getSpec() == null || node.getSpec().getTaints() == null ? List.of()
                : node.getSpec().getTaints();
        List<Taint> taints = new ArrayList<>();
        for (Taint t : current) {
            boolean ours = t.getKey().equals(UNREACHABLE) || t.getKey().equals(NOT_READY);
            boolean cordon = t.getKey().equals(UNSCHEDULABLE);
            if ((ours && t.getKey().equals(wanted)) || (cordon && isCordoned(node)) || (!ours && !cordon)) {
                taints.add(t);
            }
        }
        if (wanted != null) {
            if (taints.stream().noneMatch(t -> t.getKey().equals(wanted) && "NoSchedule".equals(t.getEffect()))) {
                taints.add(new TaintBuilder().withKey(wanted).withEffect("NoSchedule").build());
            }
            String zone = node.getMetadata().getLabels() == null ? ""
                    : node.getMetadata().getLabels().getOrDefault("topology.kubernetes.io/zone", "");
            if (taints.stream().noneMatch(t -> t.getKey().equals(wanted) && "NoExecute".equals(t.getEffect()))
                    && !now.isBefore(nextEvictionTaint.getOrDefault(zone, Instant.MIN))) {
                taints.add(new TaintBuilder().withKey(wanted).withEffect("NoExecute").withTimeAdded(Timestamps.time(now))
                        .build());
                nextEvictionTaint.put(zone, now.plus(evictionInterval));
            }
        }
        if (isCordoned(node) && taints.stream().noneMatch(t -> t.getKey().equals(UNSCHEDULABLE))) {
            taints.add(new TaintBuilder().withKey(UNSCHEDULABLE).withEffect("NoSchedule").withTimeAdded(
                    Timestamps.time(now)).build());
        }
        if (taints.equals(current)) {
            return node;
        }
        Node changed = new NodeBuilder(node).editOrNewSpec().withTaints(taints).endSpec().build();
        try {
            return kernel.resources(Node.class).update(changed);
        } catch (ApiException e) {
            if (e.code() == 409 || e.code() == 404) {
                return node;
            }
            throw e;
        }
    }

    private static boolean isCordoned(Node node) {
        return node.getSpec() != null && Boolean.TRUE.equals(node.getSpec().getUnschedulable());
    }

    /**
     * The taint eviction controller's part: pods on the node that do not tolerate one of its NoExecute taints go
     * now; those that tolerate them all for a while go when the shortest toleration runs out.
     */
    private void evict(Node node, Instant now) {
        List<Taint> noExecute = node.getSpec() == null || node.getSpec().getTaints() == null ? List.of()
                : node.getSpec().getTaints().stream().filter(t -> "NoExecute".equals(t.getEffect())).toList();
        if (noExecute.isEmpty()) {
            return;
        }
        for (Pod pod : pods.cache().list()) {
            if (!node.getMetadata().getName().equals(pod.getSpec().getNodeName())
                    || pod.getMetadata().getDeletionTimestamp() != null) {
                continue;
            }
            Instant due = TaintTolerations.evictionTime(pod, noExecute, t -> addedAt(node, t, now));
            if (due != null && !due.isAfter(now)) {
                try {
                    kernel.resources(Pod.class).inNamespace(pod.getMetadata().getNamespace())
                            .delete(pod.getMetadata().getName());
                    events.event(pod, EventRecorder.NORMAL, "TaintManagerEviction", "Marking for deletion Pod "
                            + pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName());
                } catch (ApiException e) {
                    if (e.code() != 404 && e.code() != 409) {
                        throw e;
                    }
                }
            }
        }
    }

    /** When the taint was added: its {@code timeAdded}, or when this controller first saw it. */
    private Instant addedAt(Node node, Taint taint, Instant now) {
        if (taint.getTimeAdded() != null) {
            return Instant.parse(taint.getTimeAdded());
        }
        return firstSeen.computeIfAbsent(node.getMetadata().getName() + "/" + taint.getKey() + "=" + taint.getValue(),
                k -> now);
    }

    private static NodeCondition condition(Node node, String type) {
        if (node.getStatus() == null || node.getStatus().getConditions() == null) {
            return null;
        }
        return node.getStatus().getConditions().stream().filter(c -> type.equals(c.getType())).findFirst()
                .orElse(null);
    }

    @Override
    public synchronized void close() {
        if (timer != null) {
            timer.shutdownNow();
        }
        events.close();
    }
}
