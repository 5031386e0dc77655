package io.keelson.kernel.nodelifecycle;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.Toleration;
import io.keelson.kernel.scheduler.framework.Taints;
import java.time.Instant;
import java.util.List;
import java.util.function.Function;

/** When a pod must leave a node for its NoExecute taints, as the taint eviction controller decides it. */
final class TaintTolerations {
    private TaintTolerations() {
    }

    /**
     * The time the pod is evicted: at once (the earliest instant) when a taint is not tolerated; else when the
     * shortest {@code tolerationSeconds} among the tolerations used runs out, counted from when the latest taint
     * was added ({@code addedAt}); null when the pod tolerates them all for ever.
     */
    static Instant evictionTime(Pod pod, List<Taint> noExecute, Function<Taint, Instant> addedAt) {
        List<Toleration> tolerations = pod.getSpec().getTolerations() == null ? List.of()
                : pod.getSpec().getTolerations();
        long minSeconds = Long.MAX_VALUE;
        Instant since = Instant.MIN;
        for (Taint taint : noExecute) {
            boolean tolerated = false;
            for (Toleration t : tolerations) {
                if (Taints.tolerates(t, taint)) {
                    tolerated = true;
                    if (t.getTolerationSeconds() != null) {
                        minSeconds = Math.min(minSeconds, Math.max(0, t.getTolerationSeconds()));
                    }
                }
            }
            if (!tolerated) {
                return Instant.MIN;
            }
            Instant added = addedAt.apply(taint);
            since = added.isAfter(since) ? added : since;
        }
        if (minSeconds == Long.MAX_VALUE) {
            return null;
        }
        return since.plusSeconds(minSeconds);
    }
}
