package io.keelson.kernel.scheduler.framework;

import io.fabric8.kubernetes.api.model.Pod;

/** Claims what the pod will use on its chosen node before binding; Unreserve rolls that back on any failure. */
public interface ReservePlugin extends Plugin {
    Status reserve(CycleState state, Pod pod, String nodeName);

    /** Undoes {@link #reserve}; must be idempotent and may be called without a reserve having run. */
    void unreserve(CycleState state, Pod pod, String nodeName);
}
