package io.keelson.kernel.scheduler.framework;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Data one plugin computes for one pod's scheduling attempt (in PreFilter, PreScore) and reads later (in Filter,
 * Score), as kube-scheduler's {@code CycleState}. A fresh state per attempt; safe to read from the parallel Filter
 * and Score calls once written.
 */
public final class CycleState {
    private final ConcurrentHashMap<String, Object> data = new ConcurrentHashMap<>();

    public void write(String key, Object value) {
        data.put(key, value);
    }

    /** The value written under {@code key}, or null. */
    public <T> T read(String key, Class<T> type) {
        return type.cast(data.get(key));
    }

    /** A copy whose writes do not show here (preemption evaluates what-if states on copies). */
    public CycleState copy() {
        CycleState c = new CycleState();
        data.forEach((k, v) -> c.data.put(k, v instanceof StateData d ? d.copy() : v));
        return c;
    }

    /** State that preemption's what-if evaluation changes (through PreFilter's AddPod/RemovePod) must copy itself. */
    public interface StateData {
        StateData copy();
    }
}
