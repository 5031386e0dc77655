package io.keelson.kernel.deployment;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentConditionBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetCondition;
import io.keelson.kernel.Timestamps;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A Deployment's status as the controller computes it (calculateStatus, syncRolloutStatus): the counts over its
 * ReplicaSets, the Available condition, the Progressing condition that tracks a rollout against
 * progressDeadlineSeconds, and the ReplicaFailure condition copied from a ReplicaSet.
 */
final class DeploymentStatuses {
    static final String AVAILABLE = "Available";
    static final String PROGRESSING = "Progressing";
    static final String REPLICA_FAILURE = "ReplicaFailure";
    static final String NEW_RS_AVAILABLE = "NewReplicaSetAvailable";
    static final String TIMED_OUT = "ProgressDeadlineExceeded";
    static final String PAUSED = "DeploymentPaused";
    static final String RESUMED = "DeploymentResumed";

    private DeploymentStatuses() {
    }

    /** calculateStatus: the counts over every ReplicaSet and the Available condition. */
    static DeploymentStatus calculate(Deployment d, List<ReplicaSet> all, ReplicaSet newRs, Instant now) {
        int available = ReplicaSetLists.availableTotal(all);
        int unavailable = Math.max(0, ReplicaSetLists.specTotal(all) - available);
        DeploymentStatus status = new DeploymentStatusBuilder()
                .withObservedGeneration(d.getMetadata().getGeneration())
                .withReplicas(ReplicaSetLists.actualTotal(all))
                .withUpdatedReplicas(newRs == null ? 0 : ReplicaSetLists.statusReplicas(newRs))
                .withReadyReplicas(ReplicaSetLists.readyTotal(all))
                .withAvailableReplicas(available)
                .withUnavailableReplicas(unavailable)
                .withCollisionCount(current(d).getCollisionCount())
                .withConditions(new ArrayList<>(conditions(current(d))))
                .build();
        if (available >= Fenceposts.replicas(d) - Fenceposts.maxUnavailable(d)) {
            set(status, condition(AVAILABLE, "True", "MinimumReplicasAvailable", "Deployment has minimum availability.",
                    now));
        } else {
            set(status, condition(AVAILABLE, "False", "MinimumReplicasUnavailable",
                    "Deployment does not have minimum availability.", now));
        }
        return status;
    }

    /**
     * syncRolloutStatus's status: {@link #calculate} plus the rollout's progress (complete, progressing, or timed
     * out) and the ReplicaFailure condition of the new (else any) ReplicaSet.
     */
    static DeploymentStatus rollout(Deployment d, List<ReplicaSet> all, ReplicaSet newRs, Instant now) {
        DeploymentStatus status = calculate(d, all, newRs, now);
        if (!hasProgressDeadline(d)) {
            remove(status, PROGRESSING);
        }
        DeploymentCondition currentCond = get(current(d), PROGRESSING);
        boolean complete = Objects.equals(status.getReplicas(), status.getUpdatedReplicas()) && currentCond != null
                && NEW_RS_AVAILABLE.equals(currentCond.getReason());
        if (hasProgressDeadline(d) && !complete) {
            String subject = newRs != null ? "ReplicaSet \"" + newRs.getMetadata().getName() + "\""
                    : "Deployment \"" + d.getMetadata().getName() + "\"";
            if (isComplete(d, status)) {
                set(status, condition(PROGRESSING, "True", NEW_RS_AVAILABLE, subject + " has successfully progressed.",
                        now));
            } else if (isProgressing(d, status)) {
                DeploymentCondition c = condition(PROGRESSING, "True", "ReplicaSetUpdated", subject
                        + " is progressing.", now);
                if (currentCond != null) {
                    if ("True".equals(currentCond.getStatus())) {
                        c.setLastTransitionTime(currentCond.getLastTransitionTime());
                    }
                    remove(status, PROGRESSING); // the same reason again still moves lastUpdateTime
                }
                set(status, c);
            } else if (timedOut(d, status, now)) {
                set(status, condition(PROGRESSING, "False", TIMED_OUT, subject + " has timed out progressing.", now));
            }
        }
        DeploymentCondition failure = replicaFailure(all, newRs);
        if (failure != null) {
            set(status, failure);
        } else {
            remove(status, REPLICA_FAILURE);
        }
        return status;
    }

    /** DeploymentComplete: every replica updated and available, and the current generation observed. */
    static boolean isComplete(Deployment d, DeploymentStatus s) {
        int replicas = Fenceposts.replicas(d);
        return zero(s.getUpdatedReplicas()) == replicas && zero(s.getReplicas()) == replicas
                && zero(s.getAvailableReplicas()) == replicas
                && (s.getObservedGeneration() == null ? 0 : s.getObservedGeneration()) >= generation(d);
    }

    /** DeploymentProgressing: more updated, fewer old, more ready or more available pods than last time. */
    static boolean isProgressing(Deployment d, DeploymentStatus s) {
        DeploymentStatus old = current(d);
        int oldOld = zero(old.getReplicas()) - zero(old.getUpdatedReplicas());
        int newOld = zero(s.getReplicas()) - zero(s.getUpdatedReplicas());
        return zero(s.getUpdatedReplicas()) > zero(old.getUpdatedReplicas()) || newOld < oldOld
                || zero(s.getReadyReplicas()) > zero(old.getReadyReplicas())
                || zero(s.getAvailableReplicas()) > zero(old.getAvailableReplicas());
    }

    /** DeploymentTimedOut: no progress since the Progressing condition last moved, for progressDeadlineSeconds. */
    static boolean timedOut(Deployment d, DeploymentStatus s, Instant now) {
        if (!hasProgressDeadline(d)) {
            return false;
        }
        DeploymentCondition c = get(s, PROGRESSING);
        if (c == null || NEW_RS_AVAILABLE.equals(c.getReason())) {
            return false;
        }
        if (TIMED_OUT.equals(c.getReason())) {
            return true;
        }
        return c.getLastUpdateTime() != null && Instant.parse(c.getLastUpdateTime())
                .plusSeconds(d.getSpec().getProgressDeadlineSeconds()).isBefore(now);
    }

    /**
     * requeueStuckDeployment: when to look again so that a rollout making no progress times out on time; null when
     * nothing is pending (complete, already timed out, or no deadline).
     */
    static Duration recheckAfter(Deployment d, DeploymentStatus newStatus, Instant now) {
        DeploymentCondition c = get(current(d), PROGRESSING);
        if (!hasProgressDeadline(d) || c == null || isComplete(d, newStatus) || TIMED_OUT.equals(c.getReason())
                || c.getLastUpdateTime() == null) {
            return null;
        }
        Duration after = Duration.between(now, Instant.parse(c.getLastUpdateTime())
                .plusSeconds(d.getSpec().getProgressDeadlineSeconds()));
        return after.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ZERO : after.plusSeconds(1);
    }

    /**
     * checkPausedConditions: Progressing Unknown with DeploymentPaused when paused, DeploymentResumed when no longer;
     * a timed-out rollout keeps its condition. Changes {@code d}'s status; returns whether it changed.
     */
    static boolean setPausedCondition(Deployment d, Instant now) {
        if (!hasProgressDeadline(d)) {
            return false;
        }
        DeploymentCondition c = get(current(d), PROGRESSING);
        if (c != null && TIMED_OUT.equals(c.getReason())) {
            return false;
        }
        boolean pausedCond = c != null && PAUSED.equals(c.getReason());
        boolean paused = Boolean.TRUE.equals(d.getSpec().getPaused());
        if (paused == pausedCond) {
            return false;
        }
        if (d.getStatus() == null) {
            d.setStatus(new DeploymentStatus());
        }
        set(d.getStatus(), paused ? condition(PROGRESSING, "Unknown", PAUSED, "Deployment is paused", now)
                : condition(PROGRESSING, "Unknown", RESUMED, "Deployment is resumed", now));
        return true;
    }

    /** getReplicaFailures: the new ReplicaSet's ReplicaFailure condition, else the first old one's. */
    private static DeploymentCondition replicaFailure(List<ReplicaSet> all, ReplicaSet newRs) {
        List<ReplicaSet> order = new ArrayList<>();
        if (newRs != null) {
            order.add(newRs);
        }
        for (ReplicaSet rs : all) {
            if (rs != null && rs != newRs) {
                order.add(rs);
            }
        }
        for (ReplicaSet rs : order) {
            if (rs.getStatus() == null || rs.getStatus().getConditions() == null) {
                continue;
            }
            for (ReplicaSetCondition c : rs.getStatus().getConditions()) {
                if (REPLICA_FAILURE.equals(c.getType())) {
                    return new DeploymentConditionBuilder().withType(REPLICA_FAILURE).withStatus(c.getStatus())
                            .withReason(c.getReason()).withMessage(c.getMessage())
                            .withLastUpdateTime(c.getLastTransitionTime())
                            .withLastTransitionTime(c.getLastTransitionTime()).build();
                }
            }
        }
        return null;
    }

    static boolean hasProgressDeadline(Deployment d) {
        Integer p = d.getSpec().getProgressDeadlineSeconds();
        return p != null && p != Integer.MAX_VALUE;
    }

    static DeploymentCondition condition(String type, String status, String reason, String message, Instant now) {
        String t = Timestamps.time(now);
        return new DeploymentConditionBuilder().withType(type).withStatus(status).withReason(reason)
                .withMessage(message).withLastUpdateTime(t).withLastTransitionTime(t).build();
    }

    static DeploymentCondition get(DeploymentStatus s, String type) {
        for (DeploymentCondition c : conditions(s)) {
            if (type.equals(c.getType())) {
                return c;
            }
        }
        return null;
    }

    /**
     * SetDeploymentCondition: a condition with the same status and reason is kept as it is; with the same status
     * only, the new one keeps the old transition time; it goes to the end of the list.
     */
    static void set(DeploymentStatus s, DeploymentCondition c) {
        DeploymentCondition current = get(s, c.getType());
        if (current != null && Objects.equals(current.getStatus(), c.getStatus())
                && Objects.equals(current.getReason(), c.getReason())) {
            return;
        }
        if (current != null && Objects.equals(current.getStatus(), c.getStatus())) {
            c.setLastTransitionTime(current.getLastTransitionTime());
        }
        remove(s, c.getType());
        List<DeploymentCondition> list = new ArrayList<>(conditions(s));
        list.add(c);
        s.setConditions(list);
    }

    static void remove(DeploymentStatus s, String type) {
        List<DeploymentCondition> list = new ArrayList<>(conditions(s));
        list.removeIf(c -> type.equals(c.getType()));
        s.setConditions(list);
    }

    private static List<DeploymentCondition> conditions(DeploymentStatus s) {
        return s.getConditions() == null ? List.of() : s.getConditions();
    }

    static DeploymentStatus current(Deployment d) {
        return d.getStatus() == null ? new DeploymentStatus() : d.getStatus();
    }

    private static long generation(Deployment d) {
        return d.getMetadata().getGeneration() == null ? 0 : d.getMetadata().getGeneration();
    }

    private static int zero(Integer i) {
        return i == null ? 0 : i;
    }
}
