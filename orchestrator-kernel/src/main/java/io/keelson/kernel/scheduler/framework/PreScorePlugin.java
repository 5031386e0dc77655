package io.keelson.kernel.scheduler.framework;

import io.fabric8.kubernetes.api.model.Pod;
import java.util.List;

/** Runs once before scoring, over the feasible nodes; Skip means its Score is not called for this pod. */
public interface PreScorePlugin extends Plugin {
    Status preScore(CycleState state, Pod pod, List<NodeInfo> nodes);
}
