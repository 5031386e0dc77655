package io.keelson.kernel.scheduler.framework;

import io.fabric8.kubernetes.api.model.Pod;

/** Decides whether a pod may enter the active queue at all (scheduling gates); cheap, called on every add. */
public interface PreEnqueuePlugin extends Plugin {
    /** Success lets the pod in; anything else keeps it waiting until it is updated. */
    Status preEnqueue(Pod pod);
}
