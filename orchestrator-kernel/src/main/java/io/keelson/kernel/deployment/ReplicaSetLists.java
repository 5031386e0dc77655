package io.keelson.kernel.deployment;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.ToIntFunction;

/** What the Deployment controller asks of a Deployment's ReplicaSets as a group: counts, orders, new and old. */
final class ReplicaSetLists {
    /** ReplicaSetsByCreationTimestamp: oldest first, the name breaking ties. */
    static final Comparator<ReplicaSet> BY_CREATION = Comparator
            .comparing((ReplicaSet rs) -> rs.getMetadata().getCreationTimestamp() == null ? ""
                    : rs.getMetadata().getCreationTimestamp())
            .thenComparing(rs -> rs.getMetadata().getName());
    /** ReplicaSetsBySizeNewer: the largest first, the newer of two the same size first. */
    static final Comparator<ReplicaSet> BY_SIZE_NEWER = Comparator.comparingInt(ReplicaSetLists::replicas).reversed()
            .thenComparing(BY_CREATION.reversed());
    /** ReplicaSetsBySizeOlder: the largest first, the older of two the same size first. */
    static final Comparator<ReplicaSet> BY_SIZE_OLDER = Comparator.comparingInt(ReplicaSetLists::replicas).reversed()
            .thenComparing(BY_CREATION);

    private ReplicaSetLists() {
    }

    static int replicas(ReplicaSet rs) {
        return rs.getSpec().getReplicas() == null ? 1 : rs.getSpec().getReplicas();
    }

    static int statusReplicas(ReplicaSet rs) {
        return rs.getStatus() == null || rs.getStatus().getReplicas() == null ? 0 : rs.getStatus().getReplicas();
    }

    static int available(ReplicaSet rs) {
        return rs.getStatus() == null || rs.getStatus().getAvailableReplicas() == null ? 0
                : rs.getStatus().getAvailableReplicas();
    }

    static int ready(ReplicaSet rs) {
        return rs.getStatus() == null || rs.getStatus().getReadyReplicas() == null ? 0
                : rs.getStatus().getReadyReplicas();
    }

    /** GetReplicaCountForReplicaSets: the sum of spec.replicas. */
    static int specTotal(List<ReplicaSet> sets) {
        return sum(sets, ReplicaSetLists::replicas);
    }

    /** The pods the ReplicaSets have or will have: per ReplicaSet, its size or its status count if higher. */
    static int podTotal(List<ReplicaSet> sets) {
        return sum(sets, rs -> Math.max(replicas(rs), statusReplicas(rs)));
    }

    /** GetActualReplicaCountForReplicaSets: the sum of status.replicas. */
    static int actualTotal(List<ReplicaSet> sets) {
        return sum(sets, ReplicaSetLists::statusReplicas);
    }

    static int availableTotal(List<ReplicaSet> sets) {
        return sum(sets, ReplicaSetLists::available);
    }

    static int readyTotal(List<ReplicaSet> sets) {
        return sum(sets, ReplicaSetLists::ready);
    }

    private static int sum(List<ReplicaSet> sets, ToIntFunction<ReplicaSet> f) {
        int total = 0;
        for (ReplicaSet rs : sets) {
            if (rs != null) {
                total += f.applyAsInt(rs);
            }
        }
        return total;
    }

    /** FilterActiveReplicaSets: those with spec.replicas above 0. */
    static List<ReplicaSet> active(List<ReplicaSet> sets) {
        List<ReplicaSet> out = new ArrayList<>();
        for (ReplicaSet rs : sets) {
            if (rs != null && replicas(rs) > 0) {
                out.add(rs);
            }
        }
        return out;
    }

    /** With {@code rs} (if not null) appended. */
    static List<ReplicaSet> plus(List<ReplicaSet> sets, ReplicaSet rs) {
        List<ReplicaSet> all = new ArrayList<>(sets);
        if (rs != null) {
            all.add(rs);
        }
        return all;
    }

    /**
     * FindNewReplicaSet: the oldest ReplicaSet whose template equals the Deployment's (ignoring the hash label); the
     * oldest, because a hash collision can leave two with the same template.
     */
    static ReplicaSet findNew(Deployment d, List<ReplicaSet> sets) {
        List<ReplicaSet> sorted = new ArrayList<>(sets);
        sorted.sort(BY_CREATION);
        for (ReplicaSet rs : sorted) {
            if (TemplateHash.equalIgnoringHash(rs.getSpec().getTemplate(), d.getSpec().getTemplate())) {
                return rs;
            }
        }
        return null;
    }

    /** FindOldReplicaSets: every ReplicaSet but the new one. */
    static List<ReplicaSet> findOld(ReplicaSet newRs, List<ReplicaSet> sets) {
        List<ReplicaSet> old = new ArrayList<>();
        for (ReplicaSet rs : sets) {
            if (newRs == null || !rs.getMetadata().getUid().equals(newRs.getMetadata().getUid())) {
                old.add(rs);
            }
        }
        return old;
    }

    /**
     * FindActiveOrLatest: the one ReplicaSet with pods if there is exactly one; with none, the new one or else the
     * newest old one; null when several have pods.
     */
    static ReplicaSet findActiveOrLatest(ReplicaSet newRs, List<ReplicaSet> old) {
        if (newRs == null && old.isEmpty()) {
            return null;
        }
        List<ReplicaSet> newestFirst = new ArrayList<>(old);
        newestFirst.sort(BY_CREATION.reversed());
        List<ReplicaSet> active = active(plus(newestFirst, newRs));
        if (active.isEmpty()) {
            return newRs != null ? newRs : newestFirst.get(0);
        }
        return active.size() == 1 ? active.get(0) : null;
    }
}
