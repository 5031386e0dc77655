package io.keelson.kernel.deployment;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The Deployment controller's arithmetic, without writes: how far the new ReplicaSet may grow, how far old ones may
 * shrink during a rolling update, how a resize spreads over the ReplicaSets, and which old ReplicaSets the history
 * limit removes. The sync applies the steps in order.
 *
 * <p>Two guards go beyond upstream, so that the bounds hold for the pods that exist and not only for the
 * ReplicaSets' sizes, whatever order the ReplicaSet controller's creates and deletes land in: the new ReplicaSet grows
 * only while the pods the ReplicaSets still report (not only their sizes) leave room under replicas + maxSurge, and a
 * ReplicaSet counts no more available pods than its size (its status may still count pods it is deleting).
 */
final class ScalePlans {
    /** Scale the named ReplicaSet to {@code size}. */
    record Step(String name, int size) {
    }

    /**
     * Steps of one kind: {@code operation} "up" or "down" (or "" when the total does not change) names every step's
     * event, and each ReplicaSet also gets its replica annotations brought up to date; null operation: each step is
     * a plain resize named by its direction, skipped when the size is already right.
     */
    record Scaling(String operation, List<Step> steps) {
        static final Scaling NONE = new Scaling(null, List.of());
    }

    private ScalePlans() {
    }

    /** NewRSNewReplicas. */
    static int newReplicaSetReplicas(Deployment d, List<ReplicaSet> all, ReplicaSet newRs) {
        int replicas = Fenceposts.replicas(d);
        if (!Fenceposts.isRollingUpdate(d)) {
            return replicas;
        }
        int current = ReplicaSetLists.podTotal(all);
        int maxTotal = replicas + Fenceposts.maxSurge(d);
        int size = ReplicaSetLists.replicas(newRs);
        if (current >= maxTotal) {
            return size;
        }
        return size + Math.min(maxTotal - current, replicas - size);
    }

    /**
     * reconcileOldReplicaSets' arithmetic: first cleanupUnhealthyReplicas (old ReplicaSets lose their unavailable
     * pods, oldest first, within what may go), then scaleDownOldReplicaSetsForRollingUpdate (old ReplicaSets shrink,
     * oldest first, while availability stays at replicas - maxUnavailable).
     */
    static List<Step> scaleDownOld(Deployment d, List<ReplicaSet> all, List<ReplicaSet> oldActive, ReplicaSet newRs) {
        List<Step> steps = new ArrayList<>();
        if (ReplicaSetLists.specTotal(oldActive) == 0) {
            return steps;
        }
        int minAvailable = Fenceposts.replicas(d) - Fenceposts.maxUnavailable(d);
        int newUnavailable = newRs == null ? 0 : ReplicaSetLists.replicas(newRs) - ReplicaSetLists.available(newRs);
        int maxScaledDown = ReplicaSetLists.specTotal(all) - minAvailable - newUnavailable;
        if (maxScaledDown <= 0) {
            return steps;
        }
        List<ReplicaSet> oldest = new ArrayList<>(oldActive);
        oldest.sort(ReplicaSetLists.BY_CREATION);
        Map<String, Integer> size = new HashMap<>();
        oldest.forEach(rs -> size.put(rs.getMetadata().getName(), ReplicaSetLists.replicas(rs)));
        int cleaned = 0;
        for (ReplicaSet rs : oldest) {
            if (cleaned >= maxScaledDown) {
                break;
            }
            int r = size.get(rs.getMetadata().getName());
            int available = Math.min(ReplicaSetLists.available(rs), r);
            if (r == 0 || r == available) {
                continue; // nothing unhealthy to remove
            }
            int count = Math.min(maxScaledDown - cleaned, r - available);
            add(steps, size, rs, r - count);
            cleaned += count;
        }
        int available = newRs == null ? 0 : Math.min(ReplicaSetLists.available(newRs), ReplicaSetLists.replicas(newRs));
        for (ReplicaSet rs : oldActive) {
            available += Math.min(ReplicaSetLists.available(rs), size.get(rs.getMetadata().getName()));
        }
        if (available <= minAvailable) {
            return steps;
        }
        int toScaleDown = available - minAvailable;
        int scaled = 0;
        for (ReplicaSet rs : oldest) {
            if (scaled >= toScaleDown) {
                break;
            }
            int r = size.get(rs.getMetadata().getName());
            if (r == 0) {
                continue;
            }
            int count = Math.min(r, toScaleDown - scaled);
            add(steps, size, rs, r - count);
            scaled += count;
        }
        return steps;
    }

    private static void add(List<Step> steps, Map<String, Integer> size, ReplicaSet rs, int to) {
        size.put(rs.getMetadata().getName(), to);
        steps.add(new Step(rs.getMetadata().getName(), to));
    }

    /**
     * scale: with one ReplicaSet holding pods (or none), it takes the whole count; once the new one is saturated,
     * old ones go to 0; otherwise, during a rolling update, the difference to replicas + maxSurge is spread over the
     * ReplicaSets in proportion to their size (leftovers to the first in order: the largest, newer first when
     * adding, older first when removing).
     */
    static Scaling proportionalScale(Deployment d, ReplicaSet newRs, List<ReplicaSet> old) {
        int replicas = Fenceposts.replicas(d);
        ReplicaSet only = ReplicaSetLists.findActiveOrLatest(newRs, old);
        if (only != null) {
            return ReplicaSetLists.replicas(only) == replicas ? Scaling.NONE
                    : new Scaling(null, List.of(new Step(only.getMetadata().getName(), replicas)));
        }
        if (Revisions.isSaturated(d, newRs)) {
            List<Step> steps = new ArrayList<>();
            for (ReplicaSet rs : ReplicaSetLists.active(old)) {
                steps.add(new Step(rs.getMetadata().getName(), 0));
            }
            return new Scaling(null, steps);
        }
        if (!Fenceposts.isRollingUpdate(d)) {
            return Scaling.NONE;
        }
        List<ReplicaSet> active = ReplicaSetLists.active(ReplicaSetLists.plus(old, newRs));
        int allowed = replicas > 0 ? replicas + Fenceposts.maxSurge(d) : 0;
        int toAdd = allowed - ReplicaSetLists.specTotal(active);
        String operation = "";
        if (toAdd > 0) {
            active.sort(ReplicaSetLists.BY_SIZE_NEWER);
            operation = "up";
        } else if (toAdd < 0) {
            active.sort(ReplicaSetLists.BY_SIZE_OLDER);
            operation = "down";
        }
        int added = 0;
        int[] sizes = new int[active.size()];
        for (int i = 0; i < active.size(); i++) {
            ReplicaSet rs = active.get(i);
            int proportion = toAdd == 0 ? 0 : proportion(rs, d, toAdd, added);
            sizes[i] = ReplicaSetLists.replicas(rs) + proportion;
            added += proportion;
        }
        List<Step> steps = new ArrayList<>();
        for (int i = 0; i < active.size(); i++) {
            if (i == 0 && toAdd != 0) {
                sizes[0] = Math.max(0, sizes[0] + toAdd - added);
            }
            steps.add(new Step(active.get(i).getMetadata().getName(), sizes[i]));
        }
        return new Scaling(operation, steps);
    }

    /** GetProportion: the ReplicaSet's share of the pods to add (or remove), within what is left to hand out. */
    static int proportion(ReplicaSet rs, Deployment d, int toAdd, int added) {
        if (rs == null || ReplicaSetLists.replicas(rs) == 0 || toAdd == 0 || toAdd == added) {
            return 0;
        }
        int fraction = fraction(rs, d);
        int allowed = toAdd - added;
        return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
    }

    /**
     * getReplicaSetFraction: how the ReplicaSet's size changes if it keeps its share of the Deployment's total (the
     * total it was last scaled for, from its max-replicas annotation, else the Deployment's status).
     */
    static int fraction(ReplicaSet rs, Deployment d) {
        int replicas = Fenceposts.replicas(d);
        int size = ReplicaSetLists.replicas(rs);
        if (replicas == 0) {
            return -size;
        }
        int total = replicas + Fenceposts.maxSurge(d);
        Integer annotated = Revisions.maxReplicas(rs);
        Integer statusReplicas = DeploymentStatuses.current(d).getReplicas();
        int was = annotated != null && annotated > 0 ? annotated : statusReplicas == null ? 0 : statusReplicas;
        if (was <= 0) {
            return 0;
        }
        return (int) Math.round((double) size * total / was) - size;
    }

    /**
     * cleanupDeployment's choice: the oldest revisions beyond revisionHistoryLimit among old ReplicaSets not being
     * deleted, skipping any that still have pods or whose status is behind.
     */
    static List<ReplicaSet> beyondHistoryLimit(Deployment d, List<ReplicaSet> old) {
        Integer limit = d.getSpec().getRevisionHistoryLimit();
        List<ReplicaSet> out = new ArrayList<>();
        if (limit == null) {
            return out;
        }
        List<ReplicaSet> alive = new ArrayList<>(old.stream().filter(rs -> rs.getMetadata().getDeletionTimestamp() == null)
                .toList());
        int diff = alive.size() - limit;
        if (diff <= 0) {
            return out;
        }
        alive.sort(Comparator.comparingLong((ReplicaSet rs) -> Revisions.revision(rs)).thenComparing(ReplicaSetLists.BY_CREATION));
        for (ReplicaSet rs : alive.subList(0, diff)) {
            long generation = rs.getMetadata().getGeneration() == null ? 0 : rs.getMetadata().getGeneration();
            long observed = rs.getStatus() == null || rs.getStatus().getObservedGeneration() == null ? 0
                    : rs.getStatus().getObservedGeneration();
            if (ReplicaSetLists.statusReplicas(rs) == 0 && ReplicaSetLists.replicas(rs) == 0 && generation <= observed) {
                out.add(rs);
            }
        }
        return out;
    }
}
