package io.keelson.kernel.scheduler.framework;

import io.fabric8.kubernetes.api.model.Pod;

/** Decides whether a pod fits one node; called in parallel over nodes, so it must only read. */
public interface FilterPlugin extends Plugin {
    Status filter(CycleState state, Pod pod, NodeInfo node);
}
