package io.keelson.scheduler.plugins.podtopologyspread;

import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraint;
import io.keelson.kernel.LabelSelector;
import io.keelson.kernel.scheduler.framework.NodeInfo;
import io.keelson.kernel.scheduler.framework.PodInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One spread constraint as the plugin applies it: a nil label selector selects nothing; {@code matchLabelKeys}
 * adds the incoming pod's values of those keys; minDomains defaults to 1, nodeAffinityPolicy to Honor and
 * nodeTaintsPolicy to Ignore.
 */
record Constraint(int maxSkew, String key, LabelSelector selector, int minDomains, boolean honorAffinity,
                  boolean honorTaints) {

    static List<Constraint> of(List<TopologySpreadConstraint> constraints, String whenUnsatisfiable,
                               Map<String, String> podLabels, LabelSelector defaultSelector) {
        List<Constraint> result = new ArrayList<>();
        for (TopologySpreadConstraint c : constraints) {
            if (!whenUnsatisfiable.equals(c.getWhenUnsatisfiable())) {
                continue;
            }
            LabelSelector selector = defaultSelector != null ? defaultSelector : selector(c, podLabels);
            result.add(new Constraint(c.getMaxSkew() == null ? 1 : c.getMaxSkew(), c.getTopologyKey(), selector,
                    c.getMinDomains() == null ? 1 : c.getMinDomains(), !"Ignore".equals(c.getNodeAffinityPolicy()),
                    "Honor".equals(c.getNodeTaintsPolicy())));
        }
        return result;
    }

    private static LabelSelector selector(TopologySpreadConstraint c, Map<String, String> podLabels) {
        if (c.getLabelSelector() == null) {
            return LabelSelector.nothing(); // matchLabelKeys are ignored too
        }
        if (c.getMatchLabelKeys() == null || c.getMatchLabelKeys().isEmpty() || podLabels == null) {
            return LabelSelector.of(c.getLabelSelector());
        }
        List<LabelSelectorRequirement> expressions = new ArrayList<>(c.getLabelSelector().getMatchExpressions() == null
                ? List.of() : c.getLabelSelector().getMatchExpressions());
        for (String key : c.getMatchLabelKeys()) {
            String value = podLabels.get(key);
            if (value != null) {
                expressions.add(new LabelSelectorRequirement(key, "In", List.of(value)));
            }
        }
        return LabelSelector.of(new LabelSelectorBuilder().withMatchLabels(c.getLabelSelector().getMatchLabels())
                .withMatchExpressions(expressions).build());
    }

    static boolean hasAllKeys(List<Constraint> constraints, NodeInfo node) {
        for (Constraint c : constraints) {
            if (!node.labels().containsKey(c.key())) {
                return false;
            }
        }
        return true;
    }

    /**
     * The pods on {@code node} a constraint counts: in the incoming pod's namespace, not terminating, selected. An
     * empty selector counts none, as kube-scheduler's countPodsMatchSelector.
     */
    static int countMatching(NodeInfo node, String namespace, LabelSelector selector) {
        if (selector.isEverything()) {
            return 0;
        }
        int n = 0;
        for (PodInfo p : node.pods()) {
            Pod pod = p.pod();
            if (pod.getMetadata().getDeletionTimestamp() == null && namespace.equals(pod.getMetadata().getNamespace())
                    && selector.matches(pod.getMetadata().getLabels())) {
                n++;
            }
        }
        return n;
    }
}
