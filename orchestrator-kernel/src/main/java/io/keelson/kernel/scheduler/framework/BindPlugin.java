package io.keelson.kernel.scheduler.framework;

import io.fabric8.kubernetes.api.model.Pod;
import java.util.concurrent.CompletableFuture;

/** Binds the pod to its node; binders are tried in order and the first that does not Skip decides. */
public interface BindPlugin extends Plugin {
    Status bind(CycleState state, Pod pod, String nodeName);

    /**
     * {@link #bind}, completing when the binding is written: a binder that can write without holding its thread
     * overrides this, so bindings in flight hold no threads. By default, {@link #bind} on the calling thread.
     */
    default CompletableFuture<Status> bindAsync(CycleState state, Pod pod, String nodeName) {
        return CompletableFuture.completedFuture(bind(state, pod, nodeName));
    }
}
