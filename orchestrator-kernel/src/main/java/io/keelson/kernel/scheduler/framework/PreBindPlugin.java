package io.keelson.kernel.scheduler.framework;

import io.fabric8.kubernetes.api.model.Pod;

/** Prepares the node for the pod just before binding (in the binding cycle, off the scheduling thread). */
public interface PreBindPlugin extends Plugin {
    Status preBind(CycleState state, Pod pod, String nodeName);
}
