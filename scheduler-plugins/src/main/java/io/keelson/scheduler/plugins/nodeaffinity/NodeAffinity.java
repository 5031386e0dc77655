package io.keelson.scheduler.plugins.nodeaffinity;

import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.NodeSelector;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirement;
import io.fabric8.kubernetes.api.model.NodeSelectorTerm;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PreferredSchedulingTerm;
import io.keelson.kernel.scheduler.framework.ClusterEvent;
import io.keelson.kernel.scheduler.framework.CycleState;
import io.keelson.kernel.scheduler.framework.EnqueueExtensions;
import io.keelson.kernel.scheduler.framework.FilterPlugin;
import io.keelson.kernel.scheduler.framework.NodeInfo;
import io.keelson.kernel.scheduler.framework.NodeScore;
import io.keelson.kernel.scheduler.framework.PluginArgs;
import io.keelson.kernel.scheduler.framework.PreFilterPlugin;
import io.keelson.kernel.scheduler.framework.PreFilterResult;
import io.keelson.kernel.scheduler.framework.PreScorePlugin;
import io.keelson.kernel.scheduler.framework.ScorePlugin;
import io.keelson.kernel.scheduler.framework.Status;
import io.keelson.kernel.scheduler.framework.NodeSelectors;
import io.keelson.kernel.scheduler.framework.RequiredNodeAffinity;
import io.keelson.scheduler.plugins.helper.Scores;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * kube-scheduler's NodeAffinity: {@code spec.nodeSelector} and required node affinity must match (Filter; a
 * {@code metadata.name} field term narrows the nodes in PreFilter, as DaemonSet pods use); preferred terms add their
 * weights (Score, normalized). {@code addedAffinity} in the args applies to every pod of the profile.
 */
public final class NodeAffinity implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin,
        EnqueueExtensions {
    public static final String NAME = "NodeAffinity";
    static final String REASON_POD = "node(s) didn't match Pod's node affinity/selector";
    static final String REASON_ENFORCED = "node(s) didn't match scheduler-enforced node affinity";
    static final String REASON_CONFLICT = "pod affinity terms conflict";
    private static final String PRE_FILTER = "PreFilterNodeAffinity";
    private static final String PRE_SCORE = "PreScoreNodeAffinity";

    /** The plugin's args ({@code NodeAffinityArgs}). */
    public record Args(io.fabric8.kubernetes.api.model.NodeAffinity addedAffinity) {
    }

    private record Weighted(int weight, NodeSelectors.Selector term) {
    }

    private record Preferred(List<Weighted> terms) {
        long score(NodeInfo node) {
            long sum = 0;
            for (Weighted w : terms) {
                if (w.term().matches(node.name(), node.labels())) {
                    sum += w.weight();
                }
            }
            return sum;
        }
    }

    private final NodeSelectors.Selector addedRequired;
    private final List<Weighted> addedPreferred;

    public NodeAffinity(PluginArgs args) {
        io.fabric8.kubernetes.api.model.NodeAffinity added = args.as(Args.class).addedAffinity();
        NodeSelector required = added == null ? null : added.getRequiredDuringSchedulingIgnoredDuringExecution();
        if (required != null) {
            for (NodeSelectorTerm t : required.getNodeSelectorTerms()) {
                String error = NodeSelectors.parseError(t);
                if (error != null) {
                    throw new IllegalArgumentException("parsing addedAffinity.requiredDuringSchedulingIgnoredDuringExecution: "
                            + error);
                }
            }
        }
        this.addedRequired = required == null ? null : NodeSelectors.of(required);
        this.addedPreferred = added == null ? List.of() : preferred(added.getPreferredDuringSchedulingIgnoredDuringExecution());
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public PreFilterResult preFilter(CycleState state, Pod pod, List<NodeInfo> nodes) {
        NodeSelector required = requiredAffinity(pod);
        if (required == null && addedRequired == null && pod.getSpec().getNodeSelector() == null) {
            return PreFilterResult.of(Status.skip());
        }
        state.write(PRE_FILTER, RequiredNodeAffinity.of(pod));
        if (required == null || required.getNodeSelectorTerms() == null || required.getNodeSelectorTerms().isEmpty()) {
            return PreFilterResult.allNodes();
        }
        Set<String> names = null;
        for (NodeSelectorTerm term : required.getNodeSelectorTerms()) {
            Set<String> termNames = null;
            for (NodeSelectorRequirement r : term.getMatchFields() == null ? List.<NodeSelectorRequirement>of()
                    : term.getMatchFields()) {
                if ("metadata.name".equals(r.getKey()) && "In".equals(r.getOperator())) {
                    Set<String> values = new HashSet<>(r.getValues());
                    if (termNames == null) {
                        termNames = values;
                    } else {
                        termNames.retainAll(values);
                    }
                }
            }
            if (termNames == null) {
                return PreFilterResult.allNodes(); // this term may match any node
            }
            if (names == null) {
                names = new HashSet<>();
            }
            names.addAll(termNames);
        }
        if (names == null) {
            return PreFilterResult.allNodes();
        }
        if (names.isEmpty()) {
            return PreFilterResult.of(Status.unresolvable(REASON_CONFLICT));
        }
        return PreFilterResult.only(names);
    }

    @Override
    public Status filter(CycleState state, Pod pod, NodeInfo node) {
        if (addedRequired != null && !addedRequired.matches(node.name(), node.labels())) {
            return Status.unresolvable(REASON_ENFORCED);
        }
        RequiredNodeAffinity required = state.read(PRE_FILTER, RequiredNodeAffinity.class);
        if (required == null) {
            required = RequiredNodeAffinity.of(pod);
        }
        return required.matches(node) ? Status.success() : Status.unresolvable(REASON_POD);
    }

    @Override
    public Status preScore(CycleState state, Pod pod, List<NodeInfo> nodes) {
        List<PreferredSchedulingTerm> terms = preferredTerms(pod);
        if (terms.isEmpty() && addedPreferred.isEmpty()) {
            return Status.skip();
        }
        for (int i = 0; i < terms.size(); i++) {
            NodeSelectorTerm t = terms.get(i).getPreference();
            String error = t == null ? null : NodeSelectors.parseError(t);
            if (error != null) {
                return Status.error("[" + i + "]." + error);
            }
        }
        state.write(PRE_SCORE, new Preferred(all(pod)));
        return Status.success();
    }

    @Override
    public long score(CycleState state, Pod pod, NodeInfo node) {
        Preferred p = state.read(PRE_SCORE, Preferred.class);
        return (p == null ? new Preferred(all(pod)) : p).score(node);
    }

    @Override
    public Status normalizeScores(CycleState state, Pod pod, NodeScore[] scores) {
        Scores.defaultNormalize(scores, false);
        return Status.success();
    }

    @Override
    public List<ClusterEvent> eventsToRegister() {
        return List.of(new ClusterEvent(ClusterEvent.Kind.NODE, ClusterEvent.Action.ADD),
                new ClusterEvent(ClusterEvent.Kind.NODE, ClusterEvent.Action.UPDATE));
    }

    private List<Weighted> all(Pod pod) {
        List<Weighted> all = new ArrayList<>(addedPreferred);
        all.addAll(preferred(preferredTerms(pod)));
        return all;
    }

    private static NodeSelector requiredAffinity(Pod pod) {
        Affinity a = pod.getSpec().getAffinity();
        return a == null || a.getNodeAffinity() == null ? null
                : a.getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution();
    }

    private static List<PreferredSchedulingTerm> preferredTerms(Pod pod) {
        Affinity a = pod.getSpec().getAffinity();
        List<PreferredSchedulingTerm> terms = a == null || a.getNodeAffinity() == null ? null
                : a.getNodeAffinity().getPreferredDuringSchedulingIgnoredDuringExecution();
        return terms == null ? List.of() : terms;
    }

    /** Preferred terms with a weight and a non-empty preference (others count for nothing, as upstream). */
    private static List<Weighted> preferred(List<PreferredSchedulingTerm> terms) {
        List<Weighted> weighted = new ArrayList<>();
        if (terms != null) {
            for (PreferredSchedulingTerm t : terms) {
                if (t.getWeight() != null && t.getWeight() != 0 && t.getPreference() != null) {
                    NodeSelectors.Selector s = NodeSelectors.ofTerm(t.getPreference());
                    weighted.add(new Weighted(t.getWeight(), s));
                }
            }
        }
        return weighted;
    }
}
