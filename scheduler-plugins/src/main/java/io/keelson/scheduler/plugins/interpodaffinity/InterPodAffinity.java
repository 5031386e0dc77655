package io.keelson.scheduler.plugins.interpodaffinity;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.keelson.kernel.informer.SharedInformer;
import io.keelson.kernel.scheduler.framework.ClusterEvent;
import io.keelson.kernel.scheduler.framework.CycleState;
import io.keelson.kernel.scheduler.framework.EnqueueExtensions;
import io.keelson.kernel.scheduler.framework.FilterPlugin;
import io.keelson.kernel.scheduler.framework.Handle;
import io.keelson.kernel.scheduler.framework.NodeInfo;
import io.keelson.kernel.scheduler.framework.NodeScore;
import io.keelson.kernel.scheduler.framework.PluginArgs;
import io.keelson.kernel.scheduler.framework.PodInfo;
import io.keelson.kernel.scheduler.framework.PreFilterPlugin;
import io.keelson.kernel.scheduler.framework.PreFilterResult;
import io.keelson.kernel.scheduler.framework.PreScorePlugin;
import io.keelson.kernel.scheduler.framework.ScorePlugin;
import io.keelson.kernel.scheduler.framework.Status;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * kube-scheduler's InterPodAffinity: a pod's required affinity needs a matching pod in the node's topology domain
 * (the first pod of a self-affine group excepted), its required anti-affinity none, and no existing pod's required
 * anti-affinity may select it there (Filter); preferred terms of both sides and existing pods' required affinity
 * (times hardPodAffinityWeight) add or subtract weights per domain (Score).
 */
public final class InterPodAffinity implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin,
        EnqueueExtensions {
    public static final String NAME = "InterPodAffinity";
    static final String REASON_AFFINITY = "node(s) didn't match pod affinity rules";
    static final String REASON_ANTI_AFFINITY = "node(s) didn't match pod anti-affinity rules";
    static final String REASON_EXISTING_ANTI_AFFINITY = "node(s) didn't satisfy existing pods anti-affinity rules";
    private static final String PRE_FILTER = "PreFilterInterPodAffinity";
    private static final String PRE_SCORE = "PreScoreInterPodAffinity";
    /** Parsed terms of existing pods are kept per pod version, up to this many. */
    private static final int PARSED_MAX = 100_000;

    /** {@code InterPodAffinityArgs}. */
    public record Args(Integer hardPodAffinityWeight, Boolean ignorePreferredTermsOfExistingPods) {
    }

    record TopologyPair(String key, String value) {
    }

    /** Counts per topology pair, for Filter; copied for preemption's what-if. */
    private static final class FilterState implements CycleState.StateData {
        final PodTerms terms;
        final Map<String, String> namespaceLabels;
        final Map<TopologyPair, Long> existingAnti;
        final Map<TopologyPair, Long> affinity;
        final Map<TopologyPair, Long> antiAffinity;

        FilterState(PodTerms terms, Map<String, String> namespaceLabels, Map<TopologyPair, Long> existingAnti,
                    Map<TopologyPair, Long> affinity, Map<TopologyPair, Long> antiAffinity) {
            this.terms = terms;
            this.namespaceLabels = namespaceLabels;
            this.existingAnti = existingAnti;
            this.affinity = affinity;
            this.antiAffinity = antiAffinity;
        }

        @Override
        public FilterState copy() {
            return new FilterState(terms, namespaceLabels, new HashMap<>(existingAnti), new HashMap<>(affinity),
                    new HashMap<>(antiAffinity));
        }
    }

    private record ScoreState(Map<TopologyPair, Long> scores) {
    }

    private final int hardPodAffinityWeight;
    private final boolean ignorePreferredOfExisting;
    private final Handle handle;
    private final SharedInformer<Namespace> namespaces;
    private final Map<String, PodTerms> parsed = new ConcurrentHashMap<>();

    public InterPodAffinity(PluginArgs pluginArgs, Handle handle) {
        Args args = pluginArgs.as(Args.class);
        this.hardPodAffinityWeight = args.hardPodAffinityWeight() == null ? 1 : args.hardPodAffinityWeight();
        if (hardPodAffinityWeight < 0 || hardPodAffinityWeight > 100) {
            throw new IllegalArgumentException("hardPodAffinityWeight: Invalid value: " + hardPodAffinityWeight
                    + ": not in valid range [0, 100]");
        }
        this.ignorePreferredOfExisting = Boolean.TRUE.equals(args.ignorePreferredTermsOfExistingPods());
        this.handle = handle;
        this.namespaces = handle == null || handle.informers() == null ? null
                : handle.informers().forType(Namespace.class);
    }

    @Override
    public String name() {
        return NAME;
    }

    // --- Filter

    @Override
    public PreFilterResult preFilter(CycleState state, Pod pod, List<NodeInfo> nodes) {
        PodTerms terms;
        try {
            terms = expanded(PodTerms.of(pod));
        } catch (IllegalArgumentException e) {
            return PreFilterResult.of(Status.unresolvable("parsing pod: " + e.getMessage()));
        }
        Map<String, String> nsLabels = namespaceLabels(pod.getMetadata().getNamespace());
        Map<TopologyPair, Long> existingAnti = new HashMap<>();
        List<NodeInfo> withAnti = handle == null ? nodes : handle.snapshot().havePodsWithRequiredAntiAffinity();
        for (NodeInfo node : withAnti) {
            for (PodInfo existing : node.podsWithRequiredAntiAffinity()) {
                countExistingAnti(existingAnti, termsOf(existing.pod()), pod, nsLabels, node, 1);
            }
        }
        if (existingAnti.isEmpty() && terms.requiredAffinity().isEmpty() && terms.requiredAntiAffinity().isEmpty()) {
            return PreFilterResult.of(Status.skip());
        }
        Map<TopologyPair, Long> affinity = new HashMap<>();
        Map<TopologyPair, Long> antiAffinity = new HashMap<>();
        for (NodeInfo node : nodes) {
            for (PodInfo existing : node.pods()) {
                countIncoming(affinity, antiAffinity, terms, existing.pod(), node, 1);
            }
        }
        state.write(PRE_FILTER, new FilterState(terms, nsLabels, existingAnti, affinity, antiAffinity));
        return PreFilterResult.allNodes();
    }

    private static void countExistingAnti(Map<TopologyPair, Long> counts, PodTerms existing, Pod incoming,
                                          Map<String, String> nsLabels, NodeInfo node, long delta) {
        for (AffinityTerm t : existing.requiredAntiAffinity()) {
            String value = node.labels().get(t.topologyKey());
            if (value != null && t.matches(incoming, nsLabels)) {
                add(counts, new TopologyPair(t.topologyKey(), value), delta);
            }
        }
    }

    private static void countIncoming(Map<TopologyPair, Long> affinity, Map<TopologyPair, Long> antiAffinity,
                                      PodTerms terms, Pod existing, NodeInfo node, long delta) {
        if (!terms.requiredAffinity().isEmpty()
                && terms.requiredAffinity().stream().allMatch(t -> t.matches(existing, null))) {
            for (AffinityTerm t : terms.requiredAffinity()) {
                String value = node.labels().get(t.topologyKey());
                if (value != null) {
                    add(affinity, new TopologyPair(t.topologyKey(), value), delta);
                }
            }
        }
        for (AffinityTerm t : terms.requiredAntiAffinity()) {
            String value = node.labels().get(t.topologyKey());
            if (value != null && t.matches(existing, null)) {
                add(antiAffinity, new TopologyPair(t.topologyKey(), value), delta);
            }
        }
    }

    private static void add(Map<TopologyPair, Long> counts, TopologyPair pair, long delta) {
        counts.merge(pair, delta, (a, b) -> a + b == 0 ? null : a + b);
    }

    @Override
    public Extensions extensions() {
        return new Extensions() {
            @Override
            public Status addPod(CycleState state, Pod podToSchedule, PodInfo podToAdd, NodeInfo node) {
                return update(state, podToSchedule, podToAdd.pod(), node, 1);
            }

            @Override
            public Status removePod(CycleState state, Pod podToSchedule, PodInfo podToRemove, NodeInfo node) {
                return update(state, podToSchedule, podToRemove.pod(), node, -1);
            }
        };
    }

    private Status update(CycleState state, Pod incoming, Pod changed, NodeInfo node, long delta) {
        FilterState s = state.read(PRE_FILTER, FilterState.class);
        if (s != null) {
            countExistingAnti(s.existingAnti, termsOf(changed), incoming, s.namespaceLabels, node, delta);
            countIncoming(s.affinity, s.antiAffinity, s.terms, changed, node, delta);
        }
        return Status.success();
    }

    @Override
    public Status filter(CycleState state, Pod pod, NodeInfo node) {
        FilterState s = state.read(PRE_FILTER, FilterState.class);
        if (s == null) {
            return Status.error("error reading \"" + PRE_FILTER + "\" from cycleState: not found");
        }
        if (!satisfiesAffinity(s, pod, node)) {
            return Status.unresolvable(REASON_AFFINITY);
        }
        if (!s.antiAffinity.isEmpty()) {
            for (AffinityTerm t : s.terms.requiredAntiAffinity()) {
                String value = node.labels().get(t.topologyKey());
                if (value != null && s.antiAffinity.getOrDefault(new TopologyPair(t.topologyKey(), value), 0L) > 0) {
                    return Status.unschedulable(REASON_ANTI_AFFINITY);
                }
            }
        }
        if (!s.existingAnti.isEmpty()) {
            for (Map.Entry<String, String> label : node.labels().entrySet()) {
                if (s.existingAnti.getOrDefault(new TopologyPair(label.getKey(), label.getValue()), 0L) > 0) {
                    return Status.unschedulable(REASON_EXISTING_ANTI_AFFINITY);
                }
            }
        }
        return Status.success();
    }

    private static boolean satisfiesAffinity(FilterState s, Pod pod, NodeInfo node) {
        boolean podsExist = true;
        for (AffinityTerm t : s.terms.requiredAffinity()) {
            String value = node.labels().get(t.topologyKey());
            if (value == null) {
                return false;
            }
            if (s.affinity.getOrDefault(new TopologyPair(t.topologyKey(), value), 0L) <= 0) {
                podsExist = false;
            }
        }
        if (podsExist) {
            return true;
        }
        // the first pod of a group that selects itself goes anywhere its topology keys exist
        return s.affinity.isEmpty() && s.terms.requiredAffinity().stream().allMatch(t -> t.matches(pod, null));
    }

    // --- Score

    @Override
    public Status preScore(CycleState state, Pod pod, List<NodeInfo> filtered) {
        if (filtered.isEmpty()) {
            return Status.skip();
        }
        PodTerms own;
        try {
            own = expanded(PodTerms.of(pod));
        } catch (IllegalArgumentException e) {
            return Status.error("parsing pod: " + e.getMessage());
        }
        boolean hasConstraints = !own.preferredAffinity().isEmpty() || !own.preferredAntiAffinity().isEmpty();
        if (ignorePreferredOfExisting && !hasConstraints) {
            return Status.skip();
        }
        Map<String, String> nsLabels = namespaceLabels(pod.getMetadata().getNamespace());
        List<NodeInfo> nodes = handle == null ? filtered
                : hasConstraints ? handle.snapshot().list() : handle.snapshot().havePodsWithAffinity();
        Map<TopologyPair, Long> scores = new HashMap<>();
        for (NodeInfo node : nodes) {
            if (node.labels().isEmpty()) {
                continue;
            }
            for (PodInfo existing : hasConstraints ? node.pods() : node.podsWithAffinity()) {
                Pod e = existing.pod();
                for (AffinityTerm t : own.preferredAffinity()) {
                    score(scores, t, node, t.matches(e, null), t.weight());
                }
                for (AffinityTerm t : own.preferredAntiAffinity()) {
                    score(scores, t, node, t.matches(e, null), -t.weight());
                }
                if (!existing.hasPodAffinityTerms()) {
                    continue;
                }
                PodTerms theirs = termsOf(e);
                if (hardPodAffinityWeight > 0) {
                    for (AffinityTerm t : theirs.requiredAffinity()) {
                        score(scores, t, node, t.matches(pod, nsLabels), hardPodAffinityWeight);
                    }
                }
                if (!ignorePreferredOfExisting) {
                    for (AffinityTerm t : theirs.preferredAffinity()) {
                        score(scores, t, node, t.matches(pod, nsLabels), t.weight());
                    }
                    for (AffinityTerm t : theirs.preferredAntiAffinity()) {
                        score(scores, t, node, t.matches(pod, nsLabels), -t.weight());
                    }
                }
            }
        }
        if (scores.isEmpty()) {
            return Status.skip();
        }
        state.write(PRE_SCORE, new ScoreState(scores));
        return Status.success();
    }

    private static void score(Map<TopologyPair, Long> scores, AffinityTerm t, NodeInfo node, boolean matches,
                              long weight) {
        String value = node.labels().get(t.topologyKey());
        if (matches && value != null) {
            scores.merge(new TopologyPair(t.topologyKey(), value), weight, Long::sum);
        }
    }

    @Override
    public long score(CycleState state, Pod pod, NodeInfo node) {
        ScoreState s = state.read(PRE_SCORE, ScoreState.class);
        if (s == null) {
            throw new IllegalStateException("reading \"" + PRE_SCORE + "\" from cycleState: not found");
        }
        long score = 0;
        for (Map.Entry<TopologyPair, Long> e : s.scores().entrySet()) {
            if (e.getKey().value().equals(node.labels().get(e.getKey().key()))) {
                score += e.getValue();
            }
        }
        return score;
    }

    @Override
    public Status normalizeScores(CycleState state, Pod pod, NodeScore[] scores) {
        ScoreState s = state.read(PRE_SCORE, ScoreState.class);
        if (s == null || s.scores().isEmpty()) {
            return Status.success();
        }
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        for (NodeScore n : scores) {
            min = Math.min(min, n.score());
            max = Math.max(max, n.score());
        }
        long diff = max - min;
        for (NodeScore n : scores) {
            n.setScore(diff > 0 ? (long) (MAX_SCORE * (double) (n.score() - min) / diff) : 0);
        }
        return Status.success();
    }

    @Override
    public List<ClusterEvent> eventsToRegister() {
        return List.of(new ClusterEvent(ClusterEvent.Kind.ASSIGNED_POD, ClusterEvent.Action.ALL),
                new ClusterEvent(ClusterEvent.Kind.NODE, ClusterEvent.Action.ADD),
                new ClusterEvent(ClusterEvent.Kind.NODE, ClusterEvent.Action.UPDATE));
    }

    /** An existing pod's terms, parsed once per version of the pod; unparseable terms count as none. */
    private PodTerms termsOf(Pod pod) {
        String key = pod.getMetadata().getUid() + "/" + pod.getMetadata().getResourceVersion();
        PodTerms terms = parsed.get(key);
        if (terms == null) {
            try {
                terms = PodTerms.of(pod);
            } catch (IllegalArgumentException e) {
                terms = PodTerms.NONE;
            }
            if (parsed.size() >= PARSED_MAX) {
                parsed.clear();
            }
            parsed.put(key, terms);
        }
        return terms;
    }

    /** The incoming pod's terms with their namespace selectors resolved to the namespaces they select now. */
    private PodTerms expanded(PodTerms terms) {
        if (terms.isEmpty()) {
            return terms;
        }
        Map<String, Map<String, String>> all = namespaceLabels();
        return terms.map(t -> t.withNamespacesOf(all));
    }

    /** Every namespace's labels (for namespace selectors of the incoming pod's terms). */
    private Map<String, Map<String, String>> namespaceLabels() {
        Map<String, Map<String, String>> all = new HashMap<>();
        if (namespaces != null) {
            for (Namespace ns : namespaces.cache().list()) {
                all.put(ns.getMetadata().getName(), ns.getMetadata().getLabels() == null ? Map.of()
                        : ns.getMetadata().getLabels());
            }
        }
        return all;
    }

    private Map<String, String> namespaceLabels(String namespace) {
        if (namespaces == null) {
            return Map.of();
        }
        Namespace ns = namespaces.cache().get(null, namespace);
        return ns == null || ns.getMetadata().getLabels() == null ? Map.of() : ns.getMetadata().getLabels();
    }
}
