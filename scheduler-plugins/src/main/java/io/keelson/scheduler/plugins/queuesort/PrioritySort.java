package io.keelson.scheduler.plugins.queuesort;

import io.keelson.kernel.scheduler.framework.QueueSortPlugin;
import io.keelson.kernel.scheduler.framework.QueuedPodInfo;

/** kube-scheduler's PrioritySort: higher priority first, then the pod queued earlier. */
public final class PrioritySort implements QueueSortPlugin {
    public static final String NAME = "PrioritySort";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean less(QueuedPodInfo a, QueuedPodInfo b) {
        int pa = a.priority();
        int pb = b.priority();
        return pa > pb || (pa == pb && a.timestamp().isBefore(b.timestamp()));
    }
}
