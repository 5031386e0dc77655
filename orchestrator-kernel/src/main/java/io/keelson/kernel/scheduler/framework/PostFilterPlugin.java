package io.keelson.kernel.scheduler.framework;

import io.fabric8.kubernetes.api.model.Pod;
import java.util.Map;

/** Runs when no node fits (preemption): may make room and nominate a node for the pod's next attempt. */
public interface PostFilterPlugin extends Plugin {
    /**
     * @param nodeStatuses why each node was filtered out, by node name
     */
    PostFilterResult postFilter(CycleState state, Pod pod, Map<String, Status> nodeStatuses);
}
