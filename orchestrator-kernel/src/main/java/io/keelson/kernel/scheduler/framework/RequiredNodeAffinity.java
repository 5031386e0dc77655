package io.keelson.kernel.scheduler.framework;

import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.NodeSelector;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.Map;

/**
 * A pod's required node constraints: {@code spec.nodeSelector} and the required terms of its node affinity, as
 * component-helpers' {@code GetRequiredNodeAffinity}.
 */
public final class RequiredNodeAffinity {
    private final Map<String, String> nodeSelector;
    private final NodeSelectors.Selector affinity;

    private RequiredNodeAffinity(Map<String, String> nodeSelector, NodeSelectors.Selector affinity) {
        this.nodeSelector = nodeSelector == null ? Map.of() : nodeSelector;
        this.affinity = affinity;
    }

    public static RequiredNodeAffinity of(Pod pod) {
        Affinity a = pod.getSpec().getAffinity();
        NodeSelector required = a == null || a.getNodeAffinity() == null ? null
                : a.getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution();
        return new RequiredNodeAffinity(pod.getSpec().getNodeSelector(),
                required == null ? null : NodeSelectors.of(required));
    }

    /** Whether the pod has any required node constraint. */
    public boolean isEmpty() {
        return nodeSelector.isEmpty() && affinity == null;
    }

    public boolean matches(NodeInfo node) {
        return matches(node.name(), node.labels());
    }

    /** Whether a node of this name and these labels meets the constraints (the kubelet's admission check). */
    public boolean matches(String nodeName, Map<String, String> labels) {
        for (Map.Entry<String, String> e : nodeSelector.entrySet()) {
            if (!e.getValue().equals(labels.get(e.getKey()))) {
                return false;
            }
        }
        return affinity == null || affinity.matches(nodeName, labels);
    }
}
