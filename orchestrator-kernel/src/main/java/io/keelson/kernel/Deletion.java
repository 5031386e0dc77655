package io.keelson.kernel;

import com.google.protobuf.ByteString;
import io.fabric8.kubernetes.api.model.DeleteOptions;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Deletes as kube-apiserver's {@code Store.Delete}: preconditions, the propagation policy's finalizers,
 * graceful deletion of pods, and objects kept (with {@code deletionTimestamp}) until their finalizers are gone.
 */
final class Deletion {
    static final String ORPHAN = "orphan";
    static final String FOREGROUND = "foregroundDeletion";
    private static final int ATTEMPTS = 16;

    private Deletion() {
    }

    static <T extends HasMetadata> DeleteResult<T> delete(ResourceStore<T> store, String namespace, String name,
                                                          DeleteOptions options) {
        DeleteOptions opts = options == null ? new DeleteOptions() : options;
        String ns = store.scopedNamespace(namespace, null);
        for (int attempt = 1; ; attempt++) {
            ResourceStore.Stored<T> stored = store.read(ns, name);
            if (stored == null) {
                throw Statuses.notFound(store.type, name);
            }
            checkPreconditions(store.type, stored.object(), opts);
            store.admit(AdmissionRequest.Operation.DELETE, stored.object(), stored.object(), "", false);
            try {
                return deleteOnce(store, stored, opts);
            } catch (ResourceStore.LostRace e) {
                if (attempt == ATTEMPTS) {
                    throw Statuses.staleResourceVersion(store.type, name);
                }
            }
        }
    }

    private static <T extends HasMetadata> DeleteResult<T> deleteOnce(ResourceStore<T> store,
                                                                      ResourceStore.Stored<T> stored,
                                                                      DeleteOptions opts) {
        T object = ObjectCodec.copy(stored.object(), store.type.javaType());
        ObjectMeta meta = object.getMetadata();
        ByteString key = store.key(meta.getNamespace(), meta.getName());
        List<String> finalizers = finalizers(meta.getFinalizers(), opts);
        long grace = gracePeriod(object, opts);
        boolean alreadyDeleting = meta.getDeletionTimestamp() != null;
        boolean changed = !finalizers.equals(meta.getFinalizers());
        meta.setFinalizers(finalizers);
        if (grace == 0 && !Strategies.hasPendingFinalizers(object)) {
            store.remove(key, stored.modRevision(), stored.object());
            return new DeleteResult<>(stored.object(), true);
        }
        if (object instanceof Namespace ns && !alreadyDeleting) {
            // the namespace registry's delete: Terminating until the namespace controller has emptied it
            if (ns.getStatus() == null) {
                ns.setStatus(new io.fabric8.kubernetes.api.model.NamespaceStatus());
            }
            ns.getStatus().setPhase("Terminating");
        }
        Instant now = store.env.clock().instant();
        if (!alreadyDeleting) {
            meta.setDeletionTimestamp(Environment.timestamp(now.plusSeconds(grace)));
            meta.setDeletionGracePeriodSeconds(grace);
            if (meta.getGeneration() != null && meta.getGeneration() > 0) {
                meta.setGeneration(meta.getGeneration() + 1);
            }
            changed = true;
        } else if (meta.getDeletionGracePeriodSeconds() != null && grace < meta.getDeletionGracePeriodSeconds()) {
            // a second delete may only shorten the grace period
            meta.setDeletionTimestamp(Environment.timestamp(now.plusSeconds(grace)));
            meta.setDeletionGracePeriodSeconds(grace);
            changed = true;
        }
        if (!changed) {
            return new DeleteResult<>(stored.object(), false);
        }
        meta.setResourceVersion(Long.toString(store.swap(key, stored.modRevision(), ObjectCodec.encode(object))));
        return new DeleteResult<>(object, false);
    }

    /** Precondition failures name the kind, as {@code rest.BeforeDelete} does. */
    private static void checkPreconditions(ResourceType<?> type, HasMetadata object, DeleteOptions opts) {
        if (opts.getPreconditions() == null) {
            return;
        }
        String uid = opts.getPreconditions().getUid();
        String rv = opts.getPreconditions().getResourceVersion();
        ObjectMeta meta = object.getMetadata();
        String target = "Operation cannot be fulfilled on " + type.groupKind() + " " + FieldError.quote(meta.getName())
                + ": ";
        if (uid != null && !uid.equals(meta.getUid())) {
            throw Statuses.preconditionFailed(type, meta.getName(), target + "the UID in the precondition (" + uid
                    + ") does not match the UID in record (" + meta.getUid()
                    + "). The object might have been deleted and then recreated");
        }
        if (rv != null && !rv.equals(meta.getResourceVersion())) {
            throw Statuses.preconditionFailed(type, meta.getName(), target + "the ResourceVersion in the precondition ("
                    + rv + ") does not match the ResourceVersion in record (" + meta.getResourceVersion()
                    + "). The object might have been modified");
        }
    }

    /**
     * The finalizers after the propagation policy: Orphan adds {@code orphan}, Foreground adds
     * {@code foregroundDeletion}, an explicit Background removes both; the deprecated orphanDependents counts first.
     */
    static List<String> finalizers(List<String> current, DeleteOptions opts) {
        String policy = opts.getPropagationPolicy();
        if (opts.getOrphanDependents() != null) {
            policy = opts.getOrphanDependents() ? "Orphan" : "Background";
        }
        List<String> result = new ArrayList<>(current);
        if (policy == null) {
            return result;
        }
        switch (policy) {
            case "Orphan" -> {
                result.remove(FOREGROUND);
                if (!result.contains(ORPHAN)) {
                    result.add(ORPHAN);
                }
            }
            case "Foreground" -> {
                result.remove(ORPHAN);
                if (!result.contains(FOREGROUND)) {
                    result.add(FOREGROUND);
                }
            }
            case "Background" -> {
                result.remove(ORPHAN);
                result.remove(FOREGROUND);
            }
            default -> throw Statuses.deleteOptionsInvalid(FieldError.notSupported("propagationPolicy", policy,
                    List.of("Foreground", "Background", "Orphan")));
        }
        return result;
    }

    /**
     * Pods are deleted gracefully: the given grace period or the pod's own (30 s by default); 0 for a pod no node
     * runs (unscheduled, or already finished). Other types have none.
     */
    static long gracePeriod(HasMetadata object, DeleteOptions opts) {
        if (!(object instanceof Pod pod)) {
            return 0;
        }
        if (pod.getSpec() == null || pod.getSpec().getNodeName() == null || pod.getSpec().getNodeName().isEmpty()) {
            return 0;
        }
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        if ("Succeeded".equals(phase) || "Failed".equals(phase)) {
            return 0;
        }
        Long grace = opts.getGracePeriodSeconds();
        if (grace == null) {
            grace = pod.getSpec().getTerminationGracePeriodSeconds() == null
                    ? PodDefaults.DEFAULT_GRACE_PERIOD_SECONDS : pod.getSpec().getTerminationGracePeriodSeconds();
        }
        return grace < 0 ? 1 : grace;
    }
}
