package io.keelson.scheduler.plugins.noderesources;

import io.fabric8.kubernetes.api.model.Pod;
import io.keelson.kernel.scheduler.framework.ClusterEvent;
import io.keelson.kernel.scheduler.framework.CycleState;
import io.keelson.kernel.scheduler.framework.EnqueueExtensions;
import io.keelson.kernel.scheduler.framework.FilterPlugin;
import io.keelson.kernel.scheduler.framework.NodeInfo;
import io.keelson.kernel.scheduler.framework.PluginArgs;
import io.keelson.kernel.scheduler.framework.PreFilterPlugin;
import io.keelson.kernel.scheduler.framework.PreFilterResult;
import io.keelson.kernel.scheduler.framework.PreScorePlugin;
import io.keelson.kernel.scheduler.framework.Resource;
import io.keelson.kernel.scheduler.framework.ScorePlugin;
import io.keelson.kernel.scheduler.framework.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * kube-scheduler's NodeResourcesFit: the pod's requests (containers, init containers, overhead) must fit in what
 * the node's allocatable leaves after its pods' requests, and the node must have a pod slot left (Filter); nodes
 * are scored by the configured strategy, LeastAllocated by default (Score).
 */
public final class Fit implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin, EnqueueExtensions {
    public static final String NAME = "NodeResourcesFit";
    private static final String PRE_FILTER = "PreFilterNodeResourcesFit";
    private static final String PRE_SCORE = "PreScoreNodeResourcesFit";

    /** {@code NodeResourcesFitArgs}. */
    public record Args(List<String> ignoredResources, List<String> ignoredResourceGroups,
                       ScoringStrategy scoringStrategy) {
    }

    /** How nodes are scored. */
    public record ScoringStrategy(String type, List<ResourceSpec> resources,
                                  RequestedToCapacityRatio requestedToCapacityRatio) {
    }

    /** A resource scored, with its weight. */
    public record ResourceSpec(String name, Integer weight) {
    }

    /** The shape of RequestedToCapacityRatio: utilization (0-100) to score (0-10) points. */
    public record RequestedToCapacityRatio(List<ShapePoint> shape) {
    }

    public record ShapePoint(int utilization, int score) {
    }

    /** What {@code fits} found lacking: the reason and whether the pod could not fit even an empty node. */
    public record Insufficient(String reason, boolean unresolvable) {
    }

    private record Requests(Resource resources) {
    }

    private record ScoreRequests(long[] requests) {
    }

    private final Set<String> ignored;
    private final Set<String> ignoredGroups;
    private final ResourceScorer scorer;

    public Fit(PluginArgs pluginArgs) {
        Args args = pluginArgs.as(Args.class);
        this.ignored = Set.copyOf(args.ignoredResources() == null ? List.of() : args.ignoredResources());
        this.ignoredGroups = Set.copyOf(args.ignoredResourceGroups() == null ? List.of()
                : args.ignoredResourceGroups());
        this.scorer = ResourceScorer.of(args.scoringStrategy());
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public PreFilterResult preFilter(CycleState state, Pod pod, List<NodeInfo> nodes) {
        state.write(PRE_FILTER, new Requests(state.podInfo(pod).requests()));
        return PreFilterResult.allNodes();
    }

    @Override
    public Status filter(CycleState state, Pod pod, NodeInfo node) {
        Requests r = state.read(PRE_FILTER, Requests.class);
        if (r == null) {
            return Status.error("error reading \"" + PRE_FILTER + "\" from cycleState: not found");
        }
        List<Insufficient> lacking = fits(r.resources(), node, ignored, ignoredGroups);
        if (lacking.isEmpty()) {
            return Status.success();
        }
        String[] reasons = lacking.stream().map(Insufficient::reason).toArray(String[]::new);
        return lacking.stream().anyMatch(Insufficient::unresolvable) ? Status.unresolvable(reasons)
                : Status.unschedulable(reasons);
    }

    /**
     * What the node lacks for a pod requesting {@code request}: a pod slot ("Too many pods"), then cpu, memory,
     * ephemeral storage and the scalar resources in name order ("Insufficient cpu").
     */
    public static List<Insufficient> fits(Resource request, NodeInfo node, Set<String> ignored,
                                          Set<String> ignoredGroups) {
        Resource alloc = node.allocatable();
        Resource used = node.requested();
        boolean roomForPod = node.pods().size() + 1 <= alloc.allowedPods();
        if (roomForPod && request.scalar().isEmpty() && request.milliCpu() <= alloc.milliCpu() - used.milliCpu()
                && request.memory() <= alloc.memory() - used.memory()
                && request.ephemeralStorage() <= alloc.ephemeralStorage() - used.ephemeralStorage()) {
            return List.of(); // the common case, checked for every node of every cycle: nothing to list
        }
        List<Insufficient> lacking = new ArrayList<>(0);
        if (!roomForPod) {
            lacking.add(new Insufficient("Too many pods", false));
        }
        if (request.milliCpu() == 0 && request.memory() == 0 && request.ephemeralStorage() == 0
                && request.scalar().isEmpty()) {
            return lacking;
        }
        check(lacking, Resource.CPU, request.milliCpu(), alloc.milliCpu(), used.milliCpu());
        check(lacking, Resource.MEMORY, request.memory(), alloc.memory(), used.memory());
        check(lacking, Resource.EPHEMERAL_STORAGE, request.ephemeralStorage(), alloc.ephemeralStorage(),
                used.ephemeralStorage());
        if (request.scalar().isEmpty()) {
            return lacking;
        }
        for (Map.Entry<String, Long> e : new TreeMap<>(request.scalar()).entrySet()) {
            String name = e.getKey();
            long want = e.getValue();
            if (want == 0 || (isExtended(name) && (ignored.contains(name)
                    || ignoredGroups.contains(name.substring(0, Math.max(0, name.indexOf('/'))))))) {
                continue;
            }
            if (want > alloc.get(name) - used.get(name)) {
                lacking.add(new Insufficient("Insufficient " + name, want > alloc.get(name)));
            }
        }
        return lacking;
    }

    private static void check(List<Insufficient> lacking, String name, long want, long allocatable, long used) {
        if (want > 0 && want > allocatable - used) {
            lacking.add(new Insufficient("Insufficient " + name, want > allocatable));
        }
    }

    private static boolean isExtended(String name) {
        return name.contains("/") && !name.contains("kubernetes.io/");
    }

    @Override
    public Status preScore(CycleState state, Pod pod, List<NodeInfo> nodes) {
        state.write(PRE_SCORE, new ScoreRequests(scorer.podRequests(state.podInfo(pod), false)));
        return Status.success();
    }

    @Override
    public long score(CycleState state, Pod pod, NodeInfo node) {
        ScoreRequests r = state.read(PRE_SCORE, ScoreRequests.class);
        long[] requests = r == null ? scorer.podRequests(state.podInfo(pod), false) : r.requests();
        return scorer.score(requests, node, false);
    }

    @Override
    public List<ClusterEvent> eventsToRegister() {
        return List.of(new ClusterEvent(ClusterEvent.Kind.ASSIGNED_POD, ClusterEvent.Action.DELETE),
                new ClusterEvent(ClusterEvent.Kind.ASSIGNED_POD, ClusterEvent.Action.UPDATE),
                new ClusterEvent(ClusterEvent.Kind.NODE, ClusterEvent.Action.ADD),
                new ClusterEvent(ClusterEvent.Kind.NODE, ClusterEvent.Action.UPDATE));
    }
}
