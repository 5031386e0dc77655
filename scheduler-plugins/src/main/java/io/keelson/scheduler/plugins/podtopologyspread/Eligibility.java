package io.keelson.scheduler.plugins.podtopologyspread;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Toleration;
import io.keelson.kernel.scheduler.framework.NodeInfo;
import io.keelson.kernel.scheduler.framework.RequiredNodeAffinity;
import io.keelson.kernel.scheduler.framework.Taints;
import java.util.List;

/** Whether a node's domain counts for a constraint: its node inclusion policies against the incoming pod. */
final class Eligibility {
    private final RequiredNodeAffinity affinity;
    private final List<Toleration> tolerations;

    Eligibility(Pod pod) {
        this.affinity = RequiredNodeAffinity.of(pod);
        this.tolerations = pod.getSpec().getTolerations();
    }

    /** Whether this constraint's node inclusion policies let every node count, whatever its labels and taints. */
    boolean admitsEveryNode(Constraint c) {
        return (!c.honorAffinity() || affinity.isEmpty()) && !c.honorTaints();
    }

    boolean includes(Constraint c, NodeInfo node) {
        if (c.honorAffinity() && !affinity.isEmpty() && !affinity.matches(node)) {
            return false;
        }
        return !c.honorTaints() || Taints.firstUntolerated(node.taints(), tolerations, Taints::doNotSchedule) == null;
    }
}
