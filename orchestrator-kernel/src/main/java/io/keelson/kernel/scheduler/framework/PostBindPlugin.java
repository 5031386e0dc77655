package io.keelson.kernel.scheduler.framework;

import io.fabric8.kubernetes.api.model.Pod;

/** Told after a successful bind (informational; cannot fail the pod). */
public interface PostBindPlugin extends Plugin {
    void postBind(CycleState state, Pod pod, String nodeName);
}
