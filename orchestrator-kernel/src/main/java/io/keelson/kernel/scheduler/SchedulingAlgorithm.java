package io.keelson.kernel.scheduler;

import io.fabric8.kubernetes.api.model.Pod;
import io.keelson.kernel.scheduler.framework.CycleState;
import io.keelson.kernel.scheduler.framework.FilterPlugin;
import io.keelson.kernel.scheduler.framework.NodeInfo;
import io.keelson.kernel.scheduler.framework.NodeScore;
import io.keelson.kernel.scheduler.framework.PodInfo;
import io.keelson.kernel.scheduler.framework.PreFilterPlugin;
import io.keelson.kernel.scheduler.framework.PreFilterResult;
import io.keelson.kernel.scheduler.framework.PreScorePlugin;
import io.keelson.kernel.scheduler.framework.ScorePlugin;
import io.keelson.kernel.scheduler.framework.Status;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * One pod's placement, as kube-scheduler's {@code schedulePod}: PreFilter, Filter over a rotating sample of nodes
 * in parallel, then PreScore, Score, NormalizeScore and weights, and a uniformly random pick among the best.
 * Used by the one scheduling thread only.
 */
final class SchedulingAlgorithm {
    static final int MIN_FEASIBLE_NODES_TO_FIND = 100;
    static final int MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND = 5;
    static final String NO_NODES = "no nodes available to schedule pods";

    /** The pod fits no node; the diagnosis says why (null: there are no nodes at all). */
    static final class FitFailure extends Exception {
        final transient Diagnosis diagnosis;

        FitFailure(Diagnosis diagnosis) {
            super(diagnosis == null ? NO_NODES : diagnosis.message(), null, false, false);
            this.diagnosis = diagnosis;
        }
    }

    /** A plugin failed (an Error status, an exception, a score out of range). */
    static final class SchedulingError extends RuntimeException {
        SchedulingError(String message, Throwable cause) {
            super(message, cause, false, false);
        }
    }

    /**
     * @param host the chosen node
     * @param evaluatedNodes nodes filtered (feasible and rejected)
     * @param feasibleNodes nodes that passed the filters
     */
    record Result(String host, int evaluatedNodes, int feasibleNodes) {
    }

    private final Parallelizer parallelizer;
    private final RandomGenerator random;
    private final int percentageOfNodesToScore;
    private final Supplier<Map<String, List<PodInfo>>> nominations;
    /** The nominations as this cycle started (the cycle runs on one thread). */
    private Map<String, List<PodInfo>> nominated = Map.of();
    private int nextStartNodeIndex;

    /**
     * @param nominations the pending pods nominated to each node (preemption made room for them there)
     */
    SchedulingAlgorithm(Parallelizer parallelizer, RandomGenerator random, int percentageOfNodesToScore,
                        Supplier<Map<String, List<PodInfo>>> nominations) {
        this.parallelizer = parallelizer;
        this.random = random;
        this.percentageOfNodesToScore = percentageOfNodesToScore;
        this.nominations = nominations;
    }

    Result schedule(Framework fwk, CycleState state, Pod pod, Snapshot snapshot) throws FitFailure {
        if (snapshot.list().isEmpty()) {
            throw new FitFailure(null);
        }
        Diagnosis diagnosis = new Diagnosis(snapshot.list().size());
        nominated = nominations.get();
        List<NodeInfo> feasible = findNodesThatFit(fwk, state, pod, snapshot, diagnosis);
        if (feasible.isEmpty()) {
            throw new FitFailure(diagnosis);
        }
        int evaluated = feasible.size() + diagnosis.nodeStatuses.size();
        if (feasible.size() == 1) {
            return new Result(feasible.get(0).name(), evaluated, 1);
        }
        long[] totals = prioritize(fwk, state, pod, feasible);
        return new Result(selectHost(feasible, totals), evaluated, feasible.size());
    }

    /** kube-scheduler's numFeasibleNodesToFind: all below 100 nodes, else an adaptive share, at least 100. */
    static int numFeasibleNodesToFind(Integer profilePercentage, int globalPercentage, int numAllNodes) {
        if (numAllNodes < MIN_FEASIBLE_NODES_TO_FIND) {
            return numAllNodes;
        }
        int pct = profilePercentage != null ? profilePercentage : globalPercentage;
        if (pct == 0) {
            pct = Math.max(MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND, 50 - numAllNodes / 125);
        }
        return Math.max(MIN_FEASIBLE_NODES_TO_FIND, (int) ((long) numAllNodes * pct / 100));
    }

    private List<NodeInfo> findNodesThatFit(Framework fwk, CycleState state, Pod pod, Snapshot snapshot,
                                            Diagnosis diagnosis) throws FitFailure {
        Set<String> skip = new HashSet<>();
        Set<String> narrowed = null;
        Set<String> narrowingPlugins = new TreeSet<>();
        Status unschedulable = null;
        for (PreFilterPlugin p : fwk.preFilter) {
            PreFilterResult r;
            try {
                r = p.preFilter(state, pod, snapshot.list());
            } catch (RuntimeException e) {
                throw new SchedulingError("running PreFilter plugin \"" + p.name() + "\": " + e.getMessage(), e);
            }
            Status s = r.status().withPlugin(p.name());
            switch (s.code()) {
                case SKIP -> skip.add(p.name());
                case UNSCHEDULABLE_AND_UNRESOLVABLE -> rejectAll(diagnosis, s);
                case UNSCHEDULABLE, PENDING -> unschedulable = s; // the others still run, for preemption's sake
                case SUCCESS -> {
                    if (r.nodeNames() != null) {
                        narrowingPlugins.add(p.name());
                        if (narrowed == null) {
                            narrowed = new HashSet<>(r.nodeNames());
                        } else {
                            narrowed.retainAll(r.nodeNames());
                        }
                    }
                }
                default -> throw new SchedulingError("running PreFilter plugin \"" + p.name() + "\": "
                        + s.message(), s.cause());
            }
        }
        if (unschedulable != null) {
            rejectAll(diagnosis, unschedulable);
        }
        state.write(Framework.SKIPPED_FILTERS, Set.copyOf(skip));
        NodeInfo nominatedNode = nominatedNode(pod, snapshot, narrowed);
        if (nominatedNode != null) { // preemption made room there: try it first, as kube-scheduler does
            List<FilterPlugin> filters = fwk.filter.stream().filter(f -> !skip.contains(f.name())).toList();
            if (filterWithNominated(fwk, filters, state, pod, nominatedNode).isSuccess()) {
                return List.of(nominatedNode);
            }
        }
        List<NodeInfo> nodes = snapshot.list();
        if (narrowed != null) {
            if (narrowed.isEmpty()) {
                rejectAll(diagnosis, Status.unresolvable(narrowingPlugins.size() == 1
                        ? "node(s) didn't satisfy plugin " + narrowingPlugins.iterator().next()
                        : "node(s) didn't satisfy plugin(s) " + goList(narrowingPlugins) + " simultaneously"));
            }
            List<NodeInfo> only = new ArrayList<>();
            for (String name : narrowed) {
                NodeInfo n = snapshot.get(name);
                if (n != null) {
                    only.add(n);
                }
            }
            nodes = only;
            diagnosis.absentNodesStatus = Status.unresolvable("node(s) didn't satisfy plugin(s) "
                    + goList(narrowingPlugins));
        }
        List<NodeInfo> feasible = passFilters(fwk, state, pod, diagnosis, nodes, skip);
        int processed = feasible.size() + diagnosis.nodeStatuses.size();
        nextStartNodeIndex = (nextStartNodeIndex + processed) % snapshot.list().size();
        return feasible;
    }

    private static void rejectAll(Diagnosis diagnosis, Status s) throws FitFailure {
        diagnosis.absentNodesStatus = s;
        diagnosis.preFilterMessage = s.message();
        diagnosis.addPluginStatus(s);
        throw new FitFailure(diagnosis);
    }

    private List<NodeInfo> passFilters(Framework fwk, CycleState state, Pod pod, Diagnosis diagnosis,
                                       List<NodeInfo> nodes, Set<String> skip) {
        int n = nodes.size();
        if (n == 0) {
            return List.of();
        }
        int toFind = fwk.score.isEmpty() ? 1
                : numFeasibleNodesToFind(fwk.profile.percentageOfNodesToScore(), percentageOfNodesToScore, n);
        List<FilterPlugin> filters = fwk.filter.stream().filter(f -> !skip.contains(f.name())).toList();
        int start = nextStartNodeIndex % n;
        if (filters.isEmpty()) {
            List<NodeInfo> all = new ArrayList<>();
            for (int i = 0; i < toFind; i++) {
                all.add(nodes.get((start + i) % n));
            }
            return all;
        }
        NodeInfo[] found = new NodeInfo[n];
        AtomicInteger count = new AtomicInteger();
        AtomicReference<SchedulingError> error = new AtomicReference<>();
        parallelizer.until(n, i -> {
            NodeInfo node = nodes.get((start + i) % n);
            Status s;
            try {
                s = filterWithNominated(fwk, filters, state, pod, node);
            } catch (SchedulingError e) {
                error.compareAndSet(null, e);
                return false;
            }
            if (s.isSuccess()) {
                int c = count.incrementAndGet();
                if (c > toFind) {
                    return false;
                }
                found[i] = node;
                return c < toFind;
            }
            diagnosis.reject(node.name(), s);
            return true;
        });
        if (error.get() != null) {
            throw error.get();
        }
        List<NodeInfo> feasible = new ArrayList<>();
        for (NodeInfo f : found) {
            if (f != null) {
                feasible.add(f);
            }
        }
        return feasible;
    }

    private static NodeInfo nominatedNode(Pod pod, Snapshot snapshot, Set<String> narrowed) {
        String name = pod.getStatus() == null ? null : pod.getStatus().getNominatedNodeName();
        if (name == null || name.isEmpty() || (narrowed != null && !narrowed.contains(name))) {
            return null;
        }
        return snapshot.get(name);
    }

    /**
     * kube-scheduler's RunFilterPluginsWithNominatedPods: pods nominated to the node with at least this pod's
     * priority count there first (the room preemption made is theirs), then the node is filtered as it is.
     */
    private Status filterWithNominated(Framework fwk, List<FilterPlugin> filters, CycleState state, Pod pod,
                                       NodeInfo node) {
        List<PodInfo> here = nominated.isEmpty() ? List.of() : nominated.getOrDefault(node.name(), List.of());
        if (!here.isEmpty()) {
            int priority = PodInfo.priority(pod);
            NodeInfo withNominated = null;
            CycleState stateWithNominated = null;
            for (PodInfo p : here) {
                if (p.uid().equals(pod.getMetadata().getUid()) || PodInfo.priority(p.pod()) < priority) {
                    continue;
                }
                if (withNominated == null) {
                    withNominated = node.copy();
                    stateWithNominated = state.copy();
                }
                withNominated.addPod(p);
                Status added = fwk.addPod(stateWithNominated, pod, p, withNominated);
                if (!added.isSuccess()) {
                    throw new SchedulingError(added.message(), null);
                }
            }
            if (withNominated != null) {
                Status s = runFilters(filters, stateWithNominated, pod, withNominated);
                if (!s.isSuccess()) {
                    return s;
                }
            }
        }
        return runFilters(filters, state, pod, node);
    }

    /** The filters on one node: the first that rejects decides. */
    static Status runFilters(List<FilterPlugin> filters, CycleState state, Pod pod, NodeInfo node) {
        for (FilterPlugin f : filters) {
            Status s;
            try {
                s = f.filter(state, pod, node);
            } catch (RuntimeException e) {
                throw new SchedulingError("running \"" + f.name() + "\" filter plugin: " + e.getMessage(), e);
            }
            if (!s.isSuccess()) {
                if (!s.isRejected()) {
                    throw new SchedulingError("running \"" + f.name() + "\" filter plugin: " + s.message(), s.cause());
                }
                return s.withPlugin(f.name());
            }
        }
        return Status.success();
    }

    private long[] prioritize(Framework fwk, CycleState state, Pod pod, List<NodeInfo> nodes) {
        long[] totals = new long[nodes.size()];
        if (fwk.score.isEmpty()) {
            java.util.Arrays.fill(totals, 1);
            return totals;
        }
        Set<String> skip = new HashSet<>();
        for (PreScorePlugin p : fwk.preScore) {
            Status s;
            try {
                s = p.preScore(state, pod, nodes);
            } catch (RuntimeException e) {
                throw new SchedulingError("running PreScore plugin \"" + p.name() + "\": " + e.getMessage(), e);
            }
            if (s.isSkip()) {
                skip.add(p.name());
            } else if (!s.isSuccess()) {
                throw new SchedulingError("running PreScore plugin \"" + p.name() + "\": " + s.message(), s.cause());
            }
        }
        List<Framework.WeightedScore> scorers = fwk.score.stream().filter(w -> !skip.contains(w.plugin().name()))
                .toList();
        NodeScore[][] scores = new NodeScore[scorers.size()][nodes.size()];
        parallelizer.all(nodes.size(), i -> {
            for (int p = 0; p < scorers.size(); p++) {
                ScorePlugin plugin = scorers.get(p).plugin();
                try {
                    scores[p][i] = new NodeScore(nodes.get(i).name(), plugin.score(state, pod, nodes.get(i)));
                } catch (RuntimeException e) {
                    throw new SchedulingError("running Score plugins: plugin \"" + plugin.name() + "\" failed with: "
                            + e.getMessage(), e);
                }
            }
        });
        for (int p = 0; p < scorers.size(); p++) {
            ScorePlugin plugin = scorers.get(p).plugin();
            Status s = plugin.normalizeScores(state, pod, scores[p]);
            if (!s.isSuccess()) {
                throw new SchedulingError("running Normalize on Score plugins: plugin \"" + plugin.name()
                        + "\" failed with: " + s.message(), s.cause());
            }
            long weight = scorers.get(p).weight();
            for (int i = 0; i < nodes.size(); i++) {
                long score = scores[p][i].score();
                if (score < ScorePlugin.MIN_SCORE || score > ScorePlugin.MAX_SCORE) {
                    throw new SchedulingError("applying score defaultWeights on Score plugins: plugin \""
                            + plugin.name() + "\" returns an invalid score " + score + ", it should in the range of ["
                            + ScorePlugin.MIN_SCORE + ", " + ScorePlugin.MAX_SCORE + "] after normalizing", null);
                }
                totals[i] += score * weight;
            }
        }
        return totals;
    }

    /** The best-scoring node; ties are broken uniformly at random (reservoir sampling). */
    private String selectHost(List<NodeInfo> nodes, long[] totals) {
        int best = 0;
        int ties = 1;
        for (int i = 1; i < nodes.size(); i++) {
            if (totals[i] > totals[best]) {
                best = i;
                ties = 1;
            } else if (totals[i] == totals[best]) {
                ties++;
                if (random.nextInt(ties) == 0) {
                    best = i;
                }
            }
        }
        return nodes.get(best).name();
    }

    /** A sorted set as Go's %v prints a []string: [a b]. */
    private static String goList(Set<String> names) {
        return "[" + String.join(" ", names) + "]";
    }
}
