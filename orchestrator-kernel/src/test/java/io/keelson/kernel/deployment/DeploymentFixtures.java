package io.keelson.kernel.deployment;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;

/** Deployments and ReplicaSets as upstream's deployment tests build them: objects only, nothing stored. */
final class DeploymentFixtures {
    private DeploymentFixtures() {
    }

    /** A RollingUpdate Deployment; a null bound is left unset (resolved as 0). */
    static Deployment rolling(int replicas, Object maxSurge, Object maxUnavailable) {
        return new DeploymentBuilder().withNewMetadata().withName("foo").withNamespace("ns").withUid("d-uid")
                .withGeneration(1L).endMetadata().withNewSpec().withReplicas(replicas).withNewStrategy()
                .withType("RollingUpdate").withNewRollingUpdate().withMaxSurge(intOrString(maxSurge))
                .withMaxUnavailable(intOrString(maxUnavailable)).endRollingUpdate().endStrategy()
                .withNewSelector().addToMatchLabels("app", "foo").endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", "foo").endMetadata().withNewSpec()
                .addNewContainer().withName("c").withImage("nginx").endContainer().endSpec().endTemplate()
                .endSpec().build();
    }

    static Deployment recreate(int replicas) {
        Deployment d = rolling(replicas, null, null);
        d.getSpec().getStrategy().setType("Recreate");
        d.getSpec().getStrategy().setRollingUpdate(null);
        return d;
    }

    static IntOrString intOrString(Object v) {
        if (v == null) {
            return null;
        }
        return v instanceof Integer i ? new IntOrString(i) : new IntOrString((String) v);
    }

    /** A ReplicaSet created at second {@code created} of the day, with spec and status replica counts. */
    static ReplicaSet rs(String name, int replicas, int statusReplicas, int available, int created) {
        return new ReplicaSetBuilder().withNewMetadata().withName(name).withNamespace("ns").withUid(name + "-uid")
                .withCreationTimestamp(String.format("2026-01-01T00:%02d:%02dZ", created / 60, created % 60))
                .withGeneration(1L).endMetadata().withNewSpec().withReplicas(replicas).endSpec().withNewStatus()
                .withReplicas(statusReplicas).withAvailableReplicas(available).withReadyReplicas(available)
                .withObservedGeneration(1L).endStatus().build();
    }

    static ReplicaSet rs(String name, int replicas, int created) {
        return rs(name, replicas, replicas, replicas, created);
    }

    static ReplicaSet annotated(ReplicaSet rs, int desired, int max) {
        Revisions.setReplicasAnnotations(rs, desired, max);
        return rs;
    }

    static ReplicaSet revision(ReplicaSet rs, String revision) {
        if (!revision.isEmpty()) {
            rs.getMetadata().setAnnotations(new java.util.HashMap<>(java.util.Map.of(Revisions.REVISION, revision)));
        }
        return rs;
    }
}
