package io.keelson.kernel.replicaset;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.keelson.kernel.ApiException;
import io.keelson.kernel.Kernel;
import io.keelson.kernel.LabelSelector;
import io.keelson.kernel.events.EventRecorder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/** The ReplicaSet controller's writes of pods: claiming (adopt, release), creating from the template, deleting. */
final class ReplicaSetPods {
    /** A failed create or delete: the ReplicaFailure condition's reason and message. */
    static final class ManageFailure extends RuntimeException {
        final String reason;
        /** A delete of a pod already gone: observed as deleted, and no failure. */
        final boolean gone;

        ManageFailure(String reason, String message) {
            this(reason, message, false);
        }

        private ManageFailure(String reason, String message, boolean gone) {
            super(message);
            this.reason = reason;
            this.gone = gone;
        }
    }

    /** How many of the wanted creations were made, and why the rest were not. */
    record Outcome(int done, ManageFailure failure) {
    }

    private final Kernel kernel;
    private final EventRecorder events;

    ReplicaSetPods(Kernel kernel, EventRecorder events) {
        this.kernel = kernel;
        this.events = events;
    }

    /**
     * ClaimPods: the active pods the ReplicaSet controls after adopting matching orphans (not while it is being
     * deleted, not pods being deleted) and releasing owned pods its selector no longer matches.
     */
    List<Pod> claim(ReplicaSet rs, LabelSelector selector, List<Pod> active) {
        List<Pod> owned = new ArrayList<>(active.size());
        boolean deleting = rs.getMetadata().getDeletionTimestamp() != null;
        for (Pod pod : active) {
            OwnerReference ref = Pods.controllerOf(pod);
            boolean matches = selector.matches(pod.getMetadata().getLabels() == null ? Map.of()
                    : pod.getMetadata().getLabels());
            if (ref != null) {
                if (!ref.getUid().equals(rs.getMetadata().getUid())) {
                    continue; // another controller's
                }
                if (matches || deleting) {
                    owned.add(pod);
                } else {
                    release(rs, pod);
                }
            } else if (matches && !deleting && pod.getMetadata().getDeletionTimestamp() == null) {
                Pod adopted = adopt(rs, pod);
                if (adopted != null) {
                    owned.add(adopted);
                }
            }
        }
        return owned;
    }

    private Pod adopt(ReplicaSet rs, Pod pod) {
        // as canAdopt: the ReplicaSet read fresh must still be this one and not being deleted
        ReplicaSet fresh = kernel.resources(ReplicaSet.class).inNamespace(rs.getMetadata().getNamespace())
                .get(rs.getMetadata().getName());
        if (!fresh.getMetadata().getUid().equals(rs.getMetadata().getUid())
                || fresh.getMetadata().getDeletionTimestamp() != null) {
            return null;
        }
        Pod copy = new PodBuilder(pod).build();
        List<OwnerReference> refs = new ArrayList<>(copy.getMetadata().getOwnerReferences() == null ? List.of()
                : copy.getMetadata().getOwnerReferences());
        refs.add(controllerRef(rs));
        copy.getMetadata().setOwnerReferences(refs);
        try {
            return kernel.resources(Pod.class).inNamespace(pod.getMetadata().getNamespace()).update(copy);
        } catch (ApiException e) {
            if (e.code() == 404 || e.code() == 409) {
                return null; // gone or changed: the next sync sees it again
            }
            throw e;
        }
    }

    private void release(ReplicaSet rs, Pod pod) {
        Pod copy = new PodBuilder(pod).build();
        copy.getMetadata().setOwnerReferences(copy.getMetadata().getOwnerReferences().stream()
                .filter(r -> !r.getUid().equals(rs.getMetadata().getUid())).toList());
        try {
            kernel.resources(Pod.class).inNamespace(pod.getMetadata().getNamespace()).update(copy);
        } catch (ApiException e) {
            if (e.code() != 404 && e.code() != 409) {
                throw e;
            }
        }
    }

    /**
     * slowStartBatch: batches of 1, 2, 4, ... pods, each batch's creates in flight together (as upstream's goroutines
     * per batch), stopping after a batch with a failure.
     */
    Outcome createInBatches(ReplicaSet rs, int want) {
        int done = 0;
        for (int batch = 1; done < want; batch = Math.min(batch * 2, want - done)) {
            int size = Math.min(batch, want - done);
            List<CompletableFuture<ManageFailure>> creates = new ArrayList<>(size);
            for (int i = 0; i < size; i++) {
                creates.add(create(rs));
            }
            ManageFailure failure = null;
            for (CompletableFuture<ManageFailure> create : creates) {
                ManageFailure f = create.join();
                if (f == null) {
                    done++;
                } else {
                    failure = f;
                }
            }
            if (failure != null) {
                return new Outcome(done, failure);
            }
        }
        return new Outcome(done, null);
    }

    /** One pod of the template created; the future ends with null when it was, else why not. */
    private CompletableFuture<ManageFailure> create(ReplicaSet rs) {
        PodTemplateSpec template = rs.getSpec().getTemplate();
        ObjectMeta tm = template.getMetadata() == null ? new ObjectMeta() : template.getMetadata();
        ObjectMeta meta = new ObjectMeta();
        meta.setGenerateName(rs.getMetadata().getName() + "-");
        meta.setNamespace(rs.getMetadata().getNamespace());
        meta.setLabels(tm.getLabels());
        meta.setAnnotations(tm.getAnnotations());
        meta.setFinalizers(tm.getFinalizers());
        meta.setOwnerReferences(List.of(controllerRef(rs)));
        // the template's parts as they are: createAsync copies its input before it changes anything
        Pod pod = new Pod();
        pod.setMetadata(meta);
        pod.setSpec(template.getSpec());
        return kernel.resources(Pod.class).inNamespace(rs.getMetadata().getNamespace()).createAsync(pod)
                .handle((created, error) -> {
                    if (error == null) {
                        events.event(rs, EventRecorder.NORMAL, "SuccessfulCreate", "Created pod: "
                                + created.getMetadata().getName());
                        return null;
                    }
                    Throwable cause = error instanceof CompletionException ? error.getCause() : error;
                    if (!(cause instanceof ApiException e)) {
                        throw new CompletionException(cause);
                    }
                    if (namespaceTerminating(e)) {
                        return null; // as upstream: the namespace is going, there is nothing more to do
                    }
                    events.event(rs, EventRecorder.WARNING, "FailedCreate", "Error creating: " + e.getMessage());
                    return new ManageFailure("FailedCreate", e.getMessage());
                });
    }

    private static boolean namespaceTerminating(ApiException e) {
        var details = e.status().getDetails();
        return details != null && details.getCauses() != null && details.getCauses().stream()
                .anyMatch(c -> "NamespaceTerminating".equals(c.getReason()));
    }

    /** Deletes the pod (gracefully); null when it went, else why not ({@link ManageFailure#gone} if already). */
    ManageFailure delete(ReplicaSet rs, Pod pod) {
        try {
            kernel.resources(Pod.class).inNamespace(pod.getMetadata().getNamespace())
                    .delete(pod.getMetadata().getName());
            events.event(rs, EventRecorder.NORMAL, "SuccessfulDelete", "Deleted pod: " + pod.getMetadata().getName());
            return null;
        } catch (ApiException e) {
            if (e.code() == 404) {
                return new ManageFailure("FailedDelete", e.getMessage(), true);
            }
            events.event(rs, EventRecorder.WARNING, "FailedDelete", "Error deleting: " + e.getMessage());
            return new ManageFailure("FailedDelete", "unable to delete pods: " + e.getMessage());
        }
    }

    static OwnerReference controllerRef(ReplicaSet rs) {
        return new OwnerReferenceBuilder().withApiVersion("apps/v1").withKind("ReplicaSet")
                .withName(rs.getMetadata().getName()).withUid(rs.getMetadata().getUid()).withController(true)
                .withBlockOwnerDeletion(true).build();
    }
}
