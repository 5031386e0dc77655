package io.keelson.kernel.scheduler.framework;

import io.fabric8.kubernetes.api.model.Pod;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Data one plugin computes for one pod's scheduling attempt (in PreFilter, PreScore) and reads later (in Filter,
 * Score), as kube-scheduler's {@code CycleState}. A fresh state per attempt; safe to read from the parallel Filter
 * and Score calls once written.
 */
public final class CycleState {
    private final ConcurrentHashMap<String, Object> data = new ConcurrentHashMap<>();
    private volatile PodInfo podInfo;

    public void write(String key, Object value) {
        data.put(key, value);
    }

    /** The value written under {@code key}, or null. */
    public <T> T read(String key, Class<T> type) {
        return type.cast(data.get(key));
    }

    /**
     * {@code pod}'s {@link PodInfo}, computed once for the attempt: several plugins need its requests or host ports,
     * and parsing the pod's quantities again in each showed in the scheduling cycle.
     */
    public PodInfo podInfo(Pod pod) {
        PodInfo info = podInfo;
        if (info == null || info.pod() != pod) {
            info = PodInfo.of(pod);
            podInfo = info;
        }
        return info;
    }

    /** A copy whose writes do not show here (preemption evaluates what-if states on copies). */
    public CycleState copy() {
        CycleState c = new CycleState();
        c.podInfo = podInfo;
        data.forEach((k, v) -> c.data.put(k, v instanceof StateData d ? d.copy() : v));
        return c;
    }

    /** State that preemption's what-if evaluation changes (through PreFilter's AddPod/RemovePod) must copy itself. */
    public interface StateData {
        StateData copy();
    }
}
