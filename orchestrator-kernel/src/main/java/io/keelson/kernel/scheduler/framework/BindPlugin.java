package io.keelson.kernel.scheduler.framework;

import io.fabric8.kubernetes.api.model.Pod;

/** Binds the pod to its node; binders are tried in order and the first that does not Skip decides. */
public interface BindPlugin extends Plugin {
    Status bind(CycleState state, Pod pod, String nodeName);
}
