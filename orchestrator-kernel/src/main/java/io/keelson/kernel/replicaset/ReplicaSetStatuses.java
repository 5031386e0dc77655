package io.keelson.kernel.replicaset;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetCondition;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetConditionBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetStatus;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetStatusBuilder;
import io.keelson.kernel.ApiException;
import io.keelson.kernel.Kernel;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** calculateStatus and updateReplicaSetStatus: the ReplicaSet's counts and its ReplicaFailure condition. */
final class ReplicaSetStatuses {
    private ReplicaSetStatuses() {
    }

    record Counts(int replicas, int fullyLabeled, int ready, int available) {
    }

    static Counts count(ReplicaSet rs, List<Pod> owned, Instant now) {
        Map<String, String> templateLabels = rs.getSpec().getTemplate() == null
                || rs.getSpec().getTemplate().getMetadata() == null
                || rs.getSpec().getTemplate().getMetadata().getLabels() == null ? Map.of()
                : rs.getSpec().getTemplate().getMetadata().getLabels();
        int minReady = rs.getSpec().getMinReadySeconds() == null ? 0 : rs.getSpec().getMinReadySeconds();
        int fullyLabeled = 0;
        int ready = 0;
        int available = 0;
        for (Pod p : owned) {
            Map<String, String> labels = p.getMetadata().getLabels() == null ? Map.of() : p.getMetadata().getLabels();
            if (labels.entrySet().containsAll(templateLabels.entrySet())) {
                fullyLabeled++;
            }
            if (Pods.isReady(p)) {
                ready++;
                if (Pods.isAvailable(p, minReady, now)) {
                    available++;
                }
            }
        }
        return new Counts(owned.size(), fullyLabeled, ready, available);
    }

    /** Writes the status if it changed; a conflict or a vanished ReplicaSet is left to the next sync. */
    static void write(Kernel kernel, ReplicaSet rs, Counts counts, RuntimeException failure, Instant now) {
        ReplicaSetStatus current = rs.getStatus() == null ? new ReplicaSetStatus() : rs.getStatus();
        List<ReplicaSetCondition> conditions = new ArrayList<>(current.getConditions() == null ? List.of()
                : current.getConditions());
        ReplicaSetCondition previous = conditions.stream().filter(c -> "ReplicaFailure".equals(c.getType()))
                .findFirst().orElse(null);
        if (failure instanceof ReplicaSetPods.ManageFailure f) {
            if (previous == null) {
                conditions.add(new ReplicaSetConditionBuilder().withType("ReplicaFailure").withStatus("True")
                        .withReason(f.reason).withMessage(f.getMessage())
                        .withLastTransitionTime(io.keelson.kernel.Timestamps.time(now))
                        .build());
            }
        } else if (failure == null && previous != null) {
            conditions.remove(previous);
        }
        ReplicaSetStatus wanted = new ReplicaSetStatusBuilder().withReplicas(counts.replicas())
                .withFullyLabeledReplicas(counts.fullyLabeled()).withReadyReplicas(counts.ready())
                .withAvailableReplicas(counts.available()).withObservedGeneration(rs.getMetadata().getGeneration())
                .withConditions(conditions.isEmpty() ? null : conditions).build();
        if (sameCounts(current, wanted) && java.util.Objects.equals(emptyToNull(current.getConditions()),
                wanted.getConditions())) {
            return;
        }
        ReplicaSet copy = new io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder(rs).withStatus(wanted).build();
        try {
            kernel.resources(ReplicaSet.class).inNamespace(rs.getMetadata().getNamespace()).updateStatus(copy);
        } catch (ApiException e) {
            if (e.code() != 409 && e.code() != 404) {
                throw e;
            }
        }
    }

    private static boolean sameCounts(ReplicaSetStatus a, ReplicaSetStatus b) {
        return java.util.Objects.equals(zero(a.getReplicas()), zero(b.getReplicas()))
                && java.util.Objects.equals(zero(a.getFullyLabeledReplicas()), zero(b.getFullyLabeledReplicas()))
                && java.util.Objects.equals(zero(a.getReadyReplicas()), zero(b.getReadyReplicas()))
                && java.util.Objects.equals(zero(a.getAvailableReplicas()), zero(b.getAvailableReplicas()))
                && java.util.Objects.equals(a.getObservedGeneration(), b.getObservedGeneration());
    }

    private static int zero(Integer i) {
        return i == null ? 0 : i;
    }

    private static <T> List<T> emptyToNull(List<T> l) {
        return l == null || l.isEmpty() ? null : l;
    }
}
