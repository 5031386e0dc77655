package io.keelson.kernel.replicaset;

import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import java.time.Instant;

/** What the ReplicaSet controller asks of a pod. */
final class Pods {
    private Pods() {
    }

    /** Counts toward replicas: not finished and not being deleted (FilterActivePods). */
    static boolean isActive(Pod p) {
        String phase = p.getStatus() == null ? null : p.getStatus().getPhase();
        return !"Succeeded".equals(phase) && !"Failed".equals(phase) && p.getMetadata().getDeletionTimestamp() == null;
    }

    static boolean isReady(Pod p) {
        return readyCondition(p) != null;
    }

    /** Ready for at least {@code minReadySeconds} by {@code now}. */
    static boolean isAvailable(Pod p, int minReadySeconds, Instant now) {
        PodCondition ready = readyCondition(p);
        if (ready == null) {
            return false;
        }
        if (minReadySeconds == 0) {
            return true;
        }
        return ready.getLastTransitionTime() != null
                && !Instant.parse(ready.getLastTransitionTime()).plusSeconds(minReadySeconds).isAfter(now);
    }

    /** The pod's Ready condition when it is True, else null. */
    static PodCondition readyCondition(Pod p) {
        if (p.getStatus() == null || p.getStatus().getConditions() == null) {
            return null;
        }
        for (PodCondition c : p.getStatus().getConditions()) {
            if ("Ready".equals(c.getType()) && "True".equals(c.getStatus())) {
                return c;
            }
        }
        return null;
    }

    /** The pod's controller owner reference, or null. */
    static OwnerReference controllerOf(Pod p) {
        if (p.getMetadata().getOwnerReferences() == null) {
            return null;
        }
        for (OwnerReference r : p.getMetadata().getOwnerReferences()) {
            if (Boolean.TRUE.equals(r.getController())) {
                return r;
            }
        }
        return null;
    }
}
