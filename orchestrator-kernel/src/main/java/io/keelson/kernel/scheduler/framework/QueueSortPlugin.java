package io.keelson.kernel.scheduler.framework;

/** Orders the active queue; a configuration enables exactly one, the same in every profile. */
public interface QueueSortPlugin extends Plugin {
    /** Whether {@code a} is scheduled before {@code b}. */
    boolean less(QueuedPodInfo a, QueuedPodInfo b);
}
