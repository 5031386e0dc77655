package io.keelson.kernel.scheduler.framework;

import io.fabric8.kubernetes.api.model.Pod;
import java.time.Instant;

/**
 * A pod as the scheduling queue holds it.
 *
 * @param pod the pod, read-only
 * @param timestamp when it was (last) added to the queue
 * @param attempts scheduling attempts so far
 * @param initialAttempt when it was first added
 */
public record QueuedPodInfo(Pod pod, Instant timestamp, int attempts, Instant initialAttempt) {
    /** The pod's priority (0 when unset). */
    public int priority() {
        return PodInfo.priority(pod);
    }
}
