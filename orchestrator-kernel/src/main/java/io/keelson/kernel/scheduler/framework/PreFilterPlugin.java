package io.keelson.kernel.scheduler.framework;

import io.fabric8.kubernetes.api.model.Pod;
import java.util.List;

/** Runs once per scheduling attempt before the filters: computes state for Filter, may reject or narrow. */
public interface PreFilterPlugin extends Plugin {
    PreFilterResult preFilter(CycleState state, Pod pod, List<NodeInfo> nodes);

    /**
     * How the plugin's state changes when preemption adds or removes a pod on a node, or null if it does not
     * depend on other pods.
     */
    default Extensions extensions() {
        return null;
    }

    /** The AddPod/RemovePod extensions preemption calls on copies of the cycle state. */
    interface Extensions {
        Status addPod(CycleState state, Pod podToSchedule, PodInfo podToAdd, NodeInfo node);

        Status removePod(CycleState state, Pod podToSchedule, PodInfo podToRemove, NodeInfo node);
    }
}
