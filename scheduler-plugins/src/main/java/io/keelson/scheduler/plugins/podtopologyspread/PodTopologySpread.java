package io.keelson.scheduler.plugins.podtopologyspread;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraint;
import io.keelson.kernel.scheduler.framework.ClusterEvent;
import io.keelson.kernel.scheduler.framework.CycleState;
import io.keelson.kernel.scheduler.framework.EnqueueExtensions;
import io.keelson.kernel.scheduler.framework.FilterPlugin;
import io.keelson.kernel.scheduler.framework.Handle;
import io.keelson.kernel.scheduler.framework.NodeInfo;
import io.keelson.kernel.scheduler.framework.NodeLister;
import io.keelson.kernel.scheduler.framework.NodeScore;
import io.keelson.kernel.scheduler.framework.PluginArgs;
import io.keelson.kernel.scheduler.framework.PodInfo;
import io.keelson.kernel.scheduler.framework.PreFilterPlugin;
import io.keelson.kernel.scheduler.framework.PreFilterResult;
import io.keelson.kernel.scheduler.framework.PreScorePlugin;
import io.keelson.kernel.scheduler.framework.ScorePlugin;
import io.keelson.kernel.scheduler.framework.Status;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * kube-scheduler's PodTopologySpread: a pod's {@code DoNotSchedule} constraints bound the skew of matching pods
 * across topology domains (Filter: {@code matching + self - min > maxSkew} refuses), its {@code ScheduleAnyway}
 * constraints prefer the emptier domains (Score). Pods without constraints get the defaults (kube-scheduler's
 * system defaults: hostname 3 and zone 5, both ScheduleAnyway) with the selector of their Services and controller.
 */
public final class PodTopologySpread implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin,
        EnqueueExtensions {
    public static final String NAME = "PodTopologySpread";
    static final String REASON = "node(s) didn't match pod topology spread constraints";
    static final String REASON_LABEL = REASON + " (missing required label)";
    static final String HOSTNAME = "kubernetes.io/hostname";
    private static final String PRE_FILTER = "PreFilterPodTopologySpread";
    private static final String PRE_SCORE = "PreScorePodTopologySpread";
    static final List<TopologySpreadConstraint> SYSTEM_DEFAULTS = List.of(
            constraint(3, HOSTNAME, "ScheduleAnyway"), constraint(5, "topology.kubernetes.io/zone", "ScheduleAnyway"));

    /** {@code PodTopologySpreadArgs}: {@code defaultingType} System (default) or List with {@code defaultConstraints}. */
    public record Args(List<TopologySpreadConstraint> defaultConstraints, String defaultingType) {
    }

    /** Matching pods per domain of each hard constraint, and each constraint's minimum; copied for preemption. */
    private static final class FilterState implements CycleState.StateData {
        final Pod pod;
        final List<Constraint> constraints;
        final List<Map<String, Integer>> counts;
        final int[] min;
        /** Whether the incoming pod matches each constraint's selector (1) or not (0): it adds itself if so. */
        final int[] self;

        FilterState(Pod pod, List<Constraint> constraints, List<Map<String, Integer>> counts) {
            this.pod = pod;
            this.constraints = constraints;
            this.counts = counts;
            this.min = new int[constraints.size()];
            this.self = new int[constraints.size()];
            for (int i = 0; i < min.length; i++) {
                recomputeMin(i);
                self[i] = constraints.get(i).selector().matches(pod.getMetadata().getLabels()) ? 1 : 0;
            }
        }

        void recomputeMin(int i) {
            int m = Integer.MAX_VALUE;
            for (int n : counts.get(i).values()) {
                m = Math.min(m, n);
            }
            min[i] = m;
        }

        @Override
        public FilterState copy() {
            List<Map<String, Integer>> c = new ArrayList<>();
            counts.forEach(m -> c.add(new HashMap<>(m)));
            return new FilterState(pod, constraints, c);
        }
    }

    /** Matching pods per domain of each soft constraint, their weights, and the nodes scoring 0. */
    private record ScoreState(List<Constraint> constraints, List<Map<String, Long>> counts, double[] weights,
                              Set<String> ignored, List<MatchCounts.PerNode> matching,
                              boolean[] byHostname) { // which constraints spread over hostnames, worked out once
    }

    private final List<TopologySpreadConstraint> defaults;
    private final boolean systemDefaulted;
    private final DefaultSelectors defaultSelectors;
    private final Handle handle;
    private final MatchCounts matchCounts = new MatchCounts();
    private final DomainCounts domainCounts = new DomainCounts();

    public PodTopologySpread(PluginArgs pluginArgs, Handle handle) {
        Args args = pluginArgs.as(Args.class);
        String type = args.defaultingType() == null ? "System" : args.defaultingType();
        if (!type.equals("System") && !type.equals("List")) {
            throw new IllegalArgumentException("defaultingType: Unsupported value: \"" + type + "\": supported values:"
                    + " \"System\", \"List\"");
        }
        this.systemDefaulted = type.equals("System");
        if (systemDefaulted && args.defaultConstraints() != null && !args.defaultConstraints().isEmpty()) {
            throw new IllegalArgumentException("defaultConstraints: Invalid value: when .defaultingType is \"System\","
                    + " .defaultConstraints must be empty");
        }
        this.defaults = systemDefaulted ? SYSTEM_DEFAULTS
                : args.defaultConstraints() == null ? List.of() : args.defaultConstraints();
        this.handle = handle;
        this.defaultSelectors = handle == null || handle.informers() == null ? null
                : new DefaultSelectors(handle.informers());
    }

    @Override
    public String name() {
        return NAME;
    }

    /**
     * Fills in {@code counts} (a sum per domain of the candidate nodes) over every node of the snapshot from the
     * sums kept from cycle to cycle (only the nodes changed since are counted again); false, with nothing filled in,
     * when the snapshot does not track its changes. Nodes without the key count under the empty value.
     */
    private boolean countKept(String namespace, Constraint c, List<Constraint> required, Map<String, Long> counts) {
        NodeLister snapshot = handle == null ? null : handle.snapshot();
        if (snapshot == null || snapshot.version() < 0) {
            return false;
        }
        Map<String, Integer> sums = domainCounts.counts(namespace, c, required, snapshot);
        for (Map.Entry<String, Long> e : counts.entrySet()) {
            long n = sums.getOrDefault(e.getKey(), 0);
            if (e.getKey().isEmpty()) {
                n += sums.getOrDefault(null, 0);
            }
            e.setValue(n);
        }
        return true;
    }

    // --- Filter

    @Override
    public PreFilterResult preFilter(CycleState state, Pod pod, List<NodeInfo> nodes) {
        List<Constraint> constraints = constraints(pod, "DoNotSchedule");
        if (constraints.isEmpty()) {
            return PreFilterResult.of(Status.skip());
        }
        state.write(PRE_FILTER, new FilterState(pod, constraints, counts(pod, constraints, nodes)));
        return PreFilterResult.allNodes();
    }

    /** Matching pods per domain of each hard constraint. */
    private List<Map<String, Integer>> counts(Pod pod, List<Constraint> constraints, List<NodeInfo> nodes) {
        String namespace = pod.getMetadata().getNamespace();
        Eligibility eligibility = new Eligibility(pod);
        List<Map<String, Integer>> counts = new ArrayList<>();
        NodeLister snapshot = handle == null ? null : handle.snapshot();
        if (snapshot != null && snapshot.version() >= 0 && nodes == snapshot.list()
                && constraints.stream().allMatch(eligibility::admitsEveryNode)) {
            for (Constraint c : constraints) {
                counts.add(domainCounts.counts(namespace, c, constraints, snapshot));
            }
            return counts;
        }
        List<MatchCounts.PerNode> matching = new ArrayList<>();
        for (Constraint c : constraints) {
            counts.add(new HashMap<>());
            matching.add(matchCounts.of(namespace, c.selector(), nodes.size()));
        }
        for (NodeInfo node : nodes) {
            if (!Constraint.hasAllKeys(constraints, node)) {
                continue;
            }
            for (int i = 0; i < constraints.size(); i++) {
                Constraint c = constraints.get(i);
                if (eligibility.includes(c, node)) {
                    counts.get(i).merge(node.labels().get(c.key()), matching.get(i).count(node), Integer::sum);
                }
            }
        }
        return counts;
    }

    @Override
    public Extensions extensions() {
        return new Extensions() {
            @Override
            public Status addPod(CycleState state, Pod podToSchedule, PodInfo podToAdd, NodeInfo node) {
                return update(state, podToAdd.pod(), node, 1);
            }

            @Override
            public Status removePod(CycleState state, Pod podToSchedule, PodInfo podToRemove, NodeInfo node) {
                return update(state, podToRemove.pod(), node, -1);
            }
        };
    }

    private Status update(CycleState state, Pod changed, NodeInfo node, int delta) {
        FilterState s = state.read(PRE_FILTER, FilterState.class);
        if (s == null || !changed.getMetadata().getNamespace().equals(s.pod.getMetadata().getNamespace())
                || !Constraint.hasAllKeys(s.constraints, node)) {
            return Status.success();
        }
        Eligibility eligibility = new Eligibility(s.pod);
        for (int i = 0; i < s.constraints.size(); i++) {
            Constraint c = s.constraints.get(i);
            if (c.selector().matches(changed.getMetadata().getLabels()) && eligibility.includes(c, node)) {
                s.counts.get(i).merge(node.labels().get(c.key()), delta, Integer::sum);
                s.recomputeMin(i);
            }
        }
        return Status.success();
    }

    @Override
    public Status filter(CycleState state, Pod pod, NodeInfo node) {
        FilterState s = state.read(PRE_FILTER, FilterState.class);
        if (s == null) {
            return Status.error("reading \"" + PRE_FILTER + "\" from cycleState: not found");
        }
        for (int i = 0; i < s.constraints.size(); i++) {
            Constraint c = s.constraints.get(i);
            String value = node.labels().get(c.key());
            if (value == null) {
                return Status.unresolvable(REASON_LABEL);
            }
            Map<String, Integer> counts = s.counts.get(i);
            long minMatch = counts.size() < c.minDomains() ? 0 : s.min[i];
            long skew = counts.getOrDefault(value, 0) + s.self[i] - minMatch;
            if (skew > c.maxSkew()) {
                return Status.unschedulable(REASON);
            }
        }
        return Status.success();
    }

    // --- Score

    @Override
    public Status preScore(CycleState state, Pod pod, List<NodeInfo> filtered) {
        List<NodeInfo> all = handle == null ? filtered : handle.snapshot().list();
        if (all.isEmpty()) {
            return Status.skip();
        }
        boolean ownConstraints = pod.getSpec().getTopologySpreadConstraints() != null
                && !pod.getSpec().getTopologySpreadConstraints().isEmpty();
        boolean requireAllTopologies = ownConstraints || !systemDefaulted;
        List<Constraint> constraints = constraints(pod, "ScheduleAnyway");
        if (constraints.isEmpty()) {
            return Status.skip();
        }
        boolean[] byHostname = new boolean[constraints.size()];
        for (int i = 0; i < byHostname.length; i++) {
            byHostname[i] = constraints.get(i).key().equals(HOSTNAME);
        }
        Set<String> ignored = new HashSet<>();
        List<Map<String, Long>> counts = new ArrayList<>();
        constraints.forEach(c -> counts.add(new HashMap<>()));
        int[] sizes = new int[constraints.size()];
        for (NodeInfo node : filtered) {
            if (requireAllTopologies && !Constraint.hasAllKeys(constraints, node)) {
                ignored.add(node.name());
                continue;
            }
            for (int i = 0; i < constraints.size(); i++) {
                if (byHostname[i]) {
                    continue;
                }
                String value = node.labels().getOrDefault(constraints.get(i).key(), "");
                if (counts.get(i).putIfAbsent(value, 0L) == null) {
                    sizes[i]++;
                }
            }
        }
        double[] weights = new double[constraints.size()];
        for (int i = 0; i < constraints.size(); i++) {
            int size = byHostname[i] ? filtered.size() - ignored.size() : sizes[i];
            weights[i] = Math.log(size + 2);
        }
        Eligibility eligibility = new Eligibility(pod);
        String namespace = pod.getMetadata().getNamespace();
        List<MatchCounts.PerNode> matching = new ArrayList<>();
        constraints.forEach(c -> matching.add(matchCounts.of(namespace, c.selector(), all.size())));
        boolean[] counted = new boolean[constraints.size()];
        for (int i = 0; i < constraints.size(); i++) {
            Constraint c = constraints.get(i);
            if (!byHostname[i] && eligibility.admitsEveryNode(c)) {
                counted[i] = countKept(namespace, c, requireAllTopologies ? constraints : List.of(), counts.get(i));
            }
        }
        boolean perNode = false;
        for (int i = 0; i < constraints.size(); i++) {
            perNode |= !counted[i] && !byHostname[i];
        }
        for (NodeInfo node : perNode ? all : List.<NodeInfo>of()) {
            if (requireAllTopologies && !Constraint.hasAllKeys(constraints, node)) {
                continue;
            }
            for (int i = 0; i < constraints.size(); i++) {
                Constraint c = constraints.get(i);
                if (counted[i] || byHostname[i] || !eligibility.includes(c, node)) {
                    continue;
                }
                String value = node.labels().getOrDefault(c.key(), "");
                Long count = counts.get(i).get(value);
                if (count != null) {
                    counts.get(i).put(value, count + matching.get(i).count(node));
                }
            }
        }
        state.write(PRE_SCORE, new ScoreState(constraints, counts, weights, ignored, matching, byHostname));
        return Status.success();
    }

    @Override
    public long score(CycleState state, Pod pod, NodeInfo node) {
        ScoreState s = state.read(PRE_SCORE, ScoreState.class);
        if (s == null) {
            throw new IllegalStateException("reading \"" + PRE_SCORE + "\" from cycleState: not found");
        }
        if (!s.ignored().isEmpty() && s.ignored().contains(node.name())) {
            return 0;
        }
        double score = 0;
        Map<String, String> labels = node.labels();
        for (int i = 0; i < s.constraints().size(); i++) {
            Constraint c = s.constraints().get(i);
            String value = labels.get(c.key());
            if (value == null) {
                continue;
            }
            long count = s.byHostname()[i] ? s.matching().get(i).count(node)
                    : s.counts().get(i).getOrDefault(value, 0L);
            score += count * s.weights()[i] + (c.maxSkew() - 1);
        }
        return Math.round(score);
    }

    @Override
    public Status normalizeScores(CycleState state, Pod pod, NodeScore[] scores) {
        ScoreState s = state.read(PRE_SCORE, ScoreState.class);
        Set<String> ignored = s == null ? Set.of() : s.ignored();
        long min = Long.MAX_VALUE;
        long max = 0;
        for (NodeScore n : scores) {
            if (!ignored.contains(n.name())) {
                min = Math.min(min, n.score());
                max = Math.max(max, n.score());
            }
        }
        for (NodeScore n : scores) {
            if (ignored.contains(n.name())) {
                n.setScore(0);
            } else if (max == 0) {
                n.setScore(MAX_SCORE);
            } else {
                n.setScore(MAX_SCORE * (max + min - n.score()) / max);
            }
        }
        return Status.success();
    }

    @Override
    public List<ClusterEvent> eventsToRegister() {
        return List.of(new ClusterEvent(ClusterEvent.Kind.ASSIGNED_POD, ClusterEvent.Action.ALL),
                new ClusterEvent(ClusterEvent.Kind.NODE, ClusterEvent.Action.ADD),
                new ClusterEvent(ClusterEvent.Kind.NODE, ClusterEvent.Action.UPDATE),
                new ClusterEvent(ClusterEvent.Kind.NODE, ClusterEvent.Action.DELETE));
    }

    /** The pod's constraints of this kind, or (when it has none at all) the defaults with its default selector. */
    private List<Constraint> constraints(Pod pod, String whenUnsatisfiable) {
        List<TopologySpreadConstraint> own = pod.getSpec().getTopologySpreadConstraints();
        if (own != null && !own.isEmpty()) {
            return Constraint.of(own, whenUnsatisfiable, pod.getMetadata().getLabels(), null);
        }
        List<TopologySpreadConstraint> applicable = defaults.stream()
                .filter(c -> whenUnsatisfiable.equals(c.getWhenUnsatisfiable())).toList();
        if (applicable.isEmpty() || defaultSelectors == null) {
            return List.of();
        }
        io.keelson.kernel.LabelSelector selector = defaultSelectors.of(pod);
        if (selector == null) {
            return List.of();
        }
        return Constraint.of(applicable, whenUnsatisfiable, pod.getMetadata().getLabels(), selector);
    }

    private static TopologySpreadConstraint constraint(int maxSkew, String key, String whenUnsatisfiable) {
        TopologySpreadConstraint c = new TopologySpreadConstraint();
        c.setMaxSkew(maxSkew);
        c.setTopologyKey(key);
        c.setWhenUnsatisfiable(whenUnsatisfiable);
        return c;
    }
}
