package io.keelson.kernel.deployment;

import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.keelson.kernel.Kernel;
import io.keelson.kernel.ListRequest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** kubectl's DeploymentRollbacker: an earlier revision's template and annotations put back into the Deployment. */
final class Rollback {
    /** The annotations that stay the Deployment's own (kubectl's annotationsToSkip). */
    private static final Set<String> KEPT = Set.of("kubectl.kubernetes.io/last-applied-configuration",
            Revisions.REVISION, Revisions.REVISION_HISTORY, Revisions.DESIRED_REPLICAS, Revisions.MAX_REPLICAS,
            "deprecated.deployment.rollback.to");

    private Rollback() {
    }

    static Deployment undo(Kernel kernel, String namespace, String name, long toRevision) {
        if (toRevision < 0) {
            throw notFound(toRevision);
        }
        Deployment d = kernel.resources(Deployment.class).inNamespace(namespace).get(name);
        if (Boolean.TRUE.equals(d.getSpec().getPaused())) {
            throw new IllegalStateException("you cannot rollback a paused deployment; resume it first with 'kubectl"
                    + " rollout resume deployment/" + name + "' and try again");
        }
        ReplicaSet target = revision(kernel, d, toRevision);
        if (TemplateHash.equalIgnoringHash(target.getSpec().getTemplate(), d.getSpec().getTemplate())) {
            return d; // kubectl: "skipped rollback (current template already matches revision N)"
        }
        PodTemplateSpec template = new PodTemplateSpecBuilder(target.getSpec().getTemplate()).build();
        if (template.getMetadata() != null && template.getMetadata().getLabels() != null) {
            Map<String, String> labels = new LinkedHashMap<>(template.getMetadata().getLabels());
            labels.remove(TemplateHash.LABEL);
            template.getMetadata().setLabels(labels);
        }
        Map<String, String> annotations = new LinkedHashMap<>();
        Map<String, String> current = d.getMetadata().getAnnotations() == null ? Map.of()
                : d.getMetadata().getAnnotations();
        current.forEach((k, v) -> {
            if (KEPT.contains(k)) {
                annotations.put(k, v);
            }
        });
        if (target.getMetadata().getAnnotations() != null) {
            target.getMetadata().getAnnotations().forEach((k, v) -> {
                if (!KEPT.contains(k)) {
                    annotations.put(k, v);
                }
            });
        }
        Deployment restored = new DeploymentBuilder(d).editSpec().withTemplate(template).endSpec().editMetadata()
                .withAnnotations(annotations).endMetadata().build();
        return kernel.resources(Deployment.class).inNamespace(namespace).update(restored);
    }

    /** deploymentRevision: the ReplicaSet at {@code toRevision}, or (0) the one with the second-highest revision. */
    private static ReplicaSet revision(Kernel kernel, Deployment d, long toRevision) {
        List<ReplicaSet> owned = kernel.resources(ReplicaSet.class).inNamespace(d.getMetadata().getNamespace())
                .list(ListRequest.all()).items().stream().filter(rs -> DeploymentController.controlledBy(rs, d))
                .toList();
        ReplicaSet latest = null;
        ReplicaSet previous = null;
        long latestRevision = -1;
        long previousRevision = -1;
        for (ReplicaSet rs : owned) {
            long v = Revisions.revision(rs);
            if (toRevision == 0) {
                if (latestRevision < v) {
                    previous = latest;
                    previousRevision = latestRevision;
                    latest = rs;
                    latestRevision = v;
                } else if (previousRevision < v) {
                    previous = rs;
                    previousRevision = v;
                }
            } else if (toRevision == v) {
                return rs;
            }
        }
        if (toRevision > 0) {
            throw notFound(toRevision);
        }
        if (previous == null) {
            throw new IllegalArgumentException("no rollout history found for deployment \"" + d.getMetadata().getName()
                    + "\"");
        }
        return previous;
    }

    private static IllegalArgumentException notFound(long revision) {
        return new IllegalArgumentException("unable to find specified revision " + revision + " in history");
    }
}
