package io.keelson.scheduler.plugins.coscheduling;

import io.fabric8.kubernetes.api.model.Pod;
import io.keelson.kernel.informer.Cache;
import io.keelson.kernel.informer.SharedInformer;
import io.keelson.kernel.scheduler.framework.ClusterEvent;
import io.keelson.kernel.scheduler.framework.CycleState;
import io.keelson.kernel.scheduler.framework.EnqueueExtensions;
import io.keelson.kernel.scheduler.framework.Handle;
import io.keelson.kernel.scheduler.framework.NodeInfo;
import io.keelson.kernel.scheduler.framework.PermitPlugin;
import io.keelson.kernel.scheduler.framework.PluginArgs;
import io.keelson.kernel.scheduler.framework.PodInfo;
import io.keelson.kernel.scheduler.framework.PostFilterPlugin;
import io.keelson.kernel.scheduler.framework.PostFilterResult;
import io.keelson.kernel.scheduler.framework.PreFilterPlugin;
import io.keelson.kernel.scheduler.framework.PreFilterResult;
import io.keelson.kernel.scheduler.framework.QueueSortPlugin;
import io.keelson.kernel.scheduler.framework.QueuedPodInfo;
import io.keelson.kernel.scheduler.framework.ReservePlugin;
import io.keelson.kernel.scheduler.framework.Resource;
import io.keelson.kernel.scheduler.framework.Status;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * kubernetes-sigs/scheduler-plugins' Coscheduling (gang scheduling): the pods of a {@link PodGroup} are held at
 * Permit until {@code minMember} of them are placed, then bound together; if the rest cannot be placed in time, the
 * held ones are rejected and their places released. Enable it instead of PrioritySort at queueSort, and at
 * preFilter, postFilter, permit and reserve.
 */
public final class Coscheduling implements QueueSortPlugin, PreFilterPlugin, PostFilterPlugin, PermitPlugin,
        ReservePlugin, EnqueueExtensions {
    public static final String NAME = "Coscheduling";
    /** The label naming a pod's group (in the pod's namespace). */
    public static final String POD_GROUP_LABEL = PodGroup.GROUP + "/pod-group";
    private static final Duration DEFAULT_WAIT = Duration.ofSeconds(60);

    /** {@code CoschedulingArgs}. */
    public record Args(Integer permitWaitingTimeSeconds, Integer podGroupBackoffSeconds) {
    }

    private final Handle handle;
    private final Duration permitWaitingTime;
    private final Duration backoff;
    private final SharedInformer<Pod> pods;
    private final SharedInformer<PodGroup> groups;
    /** Groups that failed recently, until when (podGroupBackoffSeconds). */
    private final Map<String, Instant> backedOff = new ConcurrentHashMap<>();

    public Coscheduling(PluginArgs pluginArgs, Handle handle) {
        Args args = pluginArgs.as(Args.class);
        int wait = args.permitWaitingTimeSeconds() == null ? 60 : args.permitWaitingTimeSeconds();
        int back = args.podGroupBackoffSeconds() == null ? 0 : args.podGroupBackoffSeconds();
        if (wait < 0 || back < 0) {
            throw new IllegalArgumentException("parse arguments failed: permitWaitingTimeSeconds and"
                    + " podGroupBackoffSeconds must not be negative");
        }
        this.handle = handle;
        this.permitWaitingTime = Duration.ofSeconds(wait);
        this.backoff = Duration.ofSeconds(back);
        this.pods = handle.informers().forType(Pod.class);
        try {
            this.groups = handle.informers().forType(PodGroup.class);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Coscheduling needs the kernel to serve PodGroups:"
                    + " Kernel.builder().type(PodGroup.TYPE)", e);
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    /** Priority first, then the group's creation (or the pod's first attempt), then namespace/name. */
    @Override
    public boolean less(QueuedPodInfo a, QueuedPodInfo b) {
        if (a.priority() != b.priority()) {
            return a.priority() > b.priority();
        }
        int byTime = creation(a).compareTo(creation(b));
        if (byTime != 0) {
            return byTime < 0;
        }
        return key(a.pod()).compareTo(key(b.pod())) < 0;
    }

    private Instant creation(QueuedPodInfo p) {
        PodGroup g = groupOf(p.pod());
        return g == null || g.getMetadata().getCreationTimestamp() == null ? p.initialAttempt()
                : Instant.parse(g.getMetadata().getCreationTimestamp());
    }

    @Override
    public PreFilterResult preFilter(CycleState state, Pod pod, List<NodeInfo> nodes) {
        PodGroup g = groupOf(pod);
        if (g == null) {
            return PreFilterResult.allNodes();
        }
        String full = fullName(g);
        Instant until = backedOff.get(full);
        if (until != null && until.isAfter(clock().instant())) {
            return PreFilterResult.of(Status.unresolvable("podGroup " + full + " failed recently"));
        }
        int siblings = siblings(pod).size();
        if (siblings < g.minMember()) {
            return PreFilterResult.of(Status.unresolvable("pre-filter pod " + pod.getMetadata().getName()
                    + " cannot find enough sibling pods, current pods number: " + siblings + ", minMember of group: "
                    + g.minMember()));
        }
        if (g.getSpec().minResources() != null && !g.getSpec().minResources().isEmpty()) {
            String gap = resourceGap(g, nodes);
            if (gap != null) {
                return PreFilterResult.of(Status.unresolvable("resource gap: " + gap));
            }
        }
        return PreFilterResult.allNodes();
    }

    /** What the cluster lacks for the group's minResources (its own pods' places counted as free), or null. */
    private String resourceGap(PodGroup g, List<NodeInfo> nodes) {
        Resource needed = Resource.of(g.getSpec().minResources()).set(Resource.PODS, g.minMember());
        String groupName = g.getMetadata().getName();
        String namespace = g.getMetadata().getNamespace();
        for (NodeInfo node : nodes) {
            Resource used = node.requested().copy();
            int podsUsed = node.pods().size();
            for (PodInfo p : node.pods()) {
                if (inGroup(p.pod(), namespace, groupName)) {
                    used.subtract(p.requests());
                    podsUsed--;
                }
            }
            Resource free = node.allocatable().copy().subtract(used).set(Resource.PODS,
                    node.allocatable().allowedPods() - podsUsed);
            needed.subtract(free);
            if (satisfied(needed)) {
                return null;
            }
        }
        return needed.toString();
    }

    private static boolean satisfied(Resource r) {
        return r.milliCpu() <= 0 && r.memory() <= 0 && r.ephemeralStorage() <= 0 && r.allowedPods() <= 0
                && r.scalar().values().stream().allMatch(v -> v <= 0);
    }

    @Override
    public PostFilterResult postFilter(CycleState state, Pod pod, Map<String, Status> nodeStatuses) {
        PodGroup g = groupOf(pod);
        if (g == null) {
            return PostFilterResult.of(Status.unschedulable("can not find pod group"));
        }
        int assigned = assigned(g);
        if (assigned >= g.minMember()) {
            return PostFilterResult.of(Status.unschedulable());
        }
        double notAssigned = (double) (g.minMember() - assigned) / g.minMember();
        if (notAssigned <= 0.1) {
            return PostFilterResult.of(Status.unschedulable());
        }
        rejectWaiting(g, "optimistic rejection in PostFilter");
        if (!backoff.isZero() && siblings(pod).size() >= g.minMember()) {
            backedOff.put(fullName(g), clock().instant().plus(backoff));
        }
        return PostFilterResult.of(Status.unschedulable("PodGroup " + fullName(g) + " gets rejected due to Pod "
                + pod.getMetadata().getName() + " is unschedulable even after PostFilter"));
    }

    @Override
    public Result permit(CycleState state, Pod pod, String nodeName) {
        String groupName = groupName(pod);
        if (groupName == null) {
            return Result.allow();
        }
        PodGroup g = groupOf(pod);
        if (g == null) {
            return Result.reject(Status.unschedulable("PodGroup not found"));
        }
        if (assigned(g) + 1 >= g.minMember()) {
            for (Pod sibling : siblings(pod)) {
                handle.waitingPod(sibling.getMetadata().getUid()).ifPresent(w -> w.allow(NAME));
            }
            return Result.allow();
        }
        Integer timeout = g.getSpec().scheduleTimeoutSeconds();
        return Result.waitFor(timeout != null ? Duration.ofSeconds(timeout)
                : permitWaitingTime.isZero() ? DEFAULT_WAIT : permitWaitingTime);
    }

    @Override
    public Status reserve(CycleState state, Pod pod, String nodeName) {
        return Status.success();
    }

    /** One member failed after being placed: the others held at Permit go too, and the group is tried afresh. */
    @Override
    public void unreserve(CycleState state, Pod pod, String nodeName) {
        PodGroup g = groupOf(pod);
        if (g != null) {
            rejectWaiting(g, "rejection in Unreserve");
        }
    }

    @Override
    public List<ClusterEvent> eventsToRegister() {
        return List.of(new ClusterEvent(ClusterEvent.Kind.UNSCHEDULED_POD, ClusterEvent.Action.ADD),
                new ClusterEvent(ClusterEvent.Kind.ASSIGNED_POD, ClusterEvent.Action.DELETE),
                new ClusterEvent(ClusterEvent.Kind.NODE, ClusterEvent.Action.ADD),
                new ClusterEvent(ClusterEvent.Kind.OTHER, ClusterEvent.Action.ALL));
    }

    private void rejectWaiting(PodGroup g, String message) {
        for (Pod p : members(g.getMetadata().getNamespace(), g.getMetadata().getName())) {
            handle.waitingPod(p.getMetadata().getUid()).ifPresent(w -> w.reject(NAME, message));
        }
    }

    /** The group's pods placed on a node in this cycle's snapshot (assumed or bound). */
    private int assigned(PodGroup g) {
        int n = 0;
        for (NodeInfo node : handle.snapshot().list()) {
            for (PodInfo p : node.pods()) {
                if (inGroup(p.pod(), g.getMetadata().getNamespace(), g.getMetadata().getName())) {
                    n++;
                }
            }
        }
        return n;
    }

    private List<Pod> siblings(Pod pod) {
        return members(pod.getMetadata().getNamespace(), groupName(pod));
    }

    private List<Pod> members(String namespace, String groupName) {
        return pods.cache().byIndex(Cache.NAMESPACE_INDEX, namespace).stream()
                .filter(p -> inGroup(p, namespace, groupName)).toList();
    }

    private static boolean inGroup(Pod p, String namespace, String groupName) {
        return namespace.equals(p.getMetadata().getNamespace()) && groupName != null
                && groupName.equals(groupName(p));
    }

    private PodGroup groupOf(Pod pod) {
        String name = groupName(pod);
        return name == null ? null : groups.cache().get(pod.getMetadata().getNamespace(), name);
    }

    private static String groupName(Pod pod) {
        Map<String, String> labels = pod.getMetadata().getLabels();
        String name = labels == null ? null : labels.get(POD_GROUP_LABEL);
        return name == null || name.isEmpty() ? null : name;
    }

    private static String fullName(PodGroup g) {
        return g.getMetadata().getNamespace() + "/" + g.getMetadata().getName();
    }

    private static String key(Pod p) {
        return p.getMetadata().getNamespace() + "/" + p.getMetadata().getName();
    }

    private Clock clock() {
        return handle.clock();
    }
}
