package io.keelson.kernel.scheduler.framework;

import io.fabric8.kubernetes.api.model.Pod;
import java.util.Set;

/** A pod a Permit plugin holds with Wait: each waiting plugin allows it, or any rejects it. */
public interface WaitingPod {
    Pod pod();

    /** The plugins still holding the pod. */
    Set<String> pendingPlugins();

    /** {@code plugin} lets the pod go; it is bound once no plugin holds it. */
    void allow(String plugin);

    /** The pod is rejected: it is unreserved and goes back to the queue. */
    void reject(String plugin, String message);
}
