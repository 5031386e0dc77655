package io.keelson.scheduler.plugins.interpodaffinity;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodAffinityTerm;
import io.keelson.kernel.LabelSelector;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * A pod (anti-)affinity term as kube-scheduler's {@code framework.AffinityTerm}: a label selector (nil selects
 * nothing), the namespaces it looks in (its own pod's when neither namespaces nor a namespace selector is given)
 * and the topology key.
 *
 * @param weight the term's weight when preferred, 0 when required
 */
record AffinityTerm(Set<String> namespaces, LabelSelector selector, String topologyKey,
                    LabelSelector namespaceSelector, int weight) {

    /**
     * @throws io.keelson.kernel.ApiException for a malformed selector
     */
    static AffinityTerm of(PodAffinityTerm t, Pod owner, int weight) {
        Set<String> namespaces = new HashSet<>(t.getNamespaces() == null ? Set.of() : t.getNamespaces());
        if (namespaces.isEmpty() && t.getNamespaceSelector() == null) {
            namespaces.add(owner.getMetadata().getNamespace());
        }
        return new AffinityTerm(namespaces, LabelSelector.of(t.getLabelSelector()), t.getTopologyKey(),
                LabelSelector.of(t.getNamespaceSelector()), weight);
    }

    /** Whether {@code pod} (in a namespace labelled {@code namespaceLabels}) is selected by this term. */
    boolean matches(Pod pod, Map<String, String> namespaceLabels) {
        boolean namespace = namespaces.contains(pod.getMetadata().getNamespace())
                || namespaceSelector.matches(namespaceLabels == null ? Map.of() : namespaceLabels);
        return namespace && selector.matches(pod.getMetadata().getLabels());
    }

    /** This term with its namespace selector replaced by the names of the namespaces it selects now. */
    AffinityTerm withNamespacesOf(Map<String, Map<String, String>> namespaceLabels) {
        if (namespaceSelector.isEverything() || namespaceSelector.equals(LabelSelector.nothing())) {
            return this; // {} selects every namespace whatever exists; no selector, none
        }
        Set<String> names = new HashSet<>(namespaces);
        namespaceLabels.forEach((name, labels) -> {
            if (namespaceSelector.matches(labels)) {
                names.add(name);
            }
        });
        return new AffinityTerm(names, selector, topologyKey, LabelSelector.nothing(), weight);
    }
}
