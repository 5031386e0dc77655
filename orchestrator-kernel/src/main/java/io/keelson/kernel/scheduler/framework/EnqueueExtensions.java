package io.keelson.kernel.scheduler.framework;

import java.util.List;

/**
 * Implemented by plugins that reject pods: the cluster events that may make such a pod schedulable. A plugin that
 * does not implement it gets its rejected pods moved back on every event.
 */
public interface EnqueueExtensions {
    List<ClusterEvent> eventsToRegister();
}
