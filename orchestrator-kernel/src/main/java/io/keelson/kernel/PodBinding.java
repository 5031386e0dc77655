package io.keelson.kernel;

import io.fabric8.kubernetes.api.model.Binding;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodStatus;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The {@code pods/binding} subresource as kube-apiserver serves it: sets {@code spec.nodeName} of a pod that has
 * none, in one compare-and-swap, merges the binding's annotations and marks the pod {@code PodScheduled}. This is
 * the only write that may set a pod's node; an update may not.
 */
final class PodBinding {
    private static final int ATTEMPTS = 16;

    private PodBinding() {
    }

    static Pod bind(ResourceStore<Pod> pods, String namespace, Binding binding) {
        validate(binding);
        ObjectMeta meta = binding.getMetadata();
        String name = meta.getName();
        String node = binding.getTarget().getName();
        String ns = namespace == null || namespace.isEmpty() ? meta.getNamespace() : namespace;
        // the first attempt starts from the watch cache's copy; a refusal or a lost race reads the store
        ResourceStore.Stored<Pod> stored = pods.readCached(ns, name);
        boolean fresh = false;
        for (int attempt = 1; ; attempt++) {
            if (stored == null && !fresh) {
                stored = pods.read(ns, name);
                fresh = true;
            }
            if (stored == null) {
                throw Statuses.notFound(pods.type, name);
            }
            Pod pod = stored.object(); // our own decoded copy
            try {
                refuseIfUnbindable(pods, meta, pod, stored.modRevision());
            } catch (ApiException e) {
                if (fresh) {
                    throw e;
                }
                stored = null;
                continue;
            }
            bindTo(pods, meta, pod, node);
            try {
                long revision = pods.swap(pods.key(ns, name), stored.modRevision(), ObjectCodec.encode(pod));
                pod.getMetadata().setResourceVersion(Long.toString(revision));
                return pod;
            } catch (ResourceStore.LostRace e) {
                if (attempt == ATTEMPTS) {
                    throw Statuses.staleResourceVersion(pods.type, name);
                }
                stored = null;
                fresh = false;
            }
        }
    }

    /**
     * {@link #bind}, without waiting for the store: the binding is checked against the watch cache's copy and the pod
     * encoded on the caller's thread, and the future completes when the store answered. When that copy is refused
     * or loses the race (it was stale), {@link #bind} runs again on the kernel's executor, reading the store.
     */
    static CompletableFuture<Pod> bindAsync(ResourceStore<Pod> pods, String namespace, Binding binding) {
        Pod pod;
        CompletableFuture<Long> swapped;
        try {
            validate(binding);
            ObjectMeta meta = binding.getMetadata();
            String ns = namespace == null || namespace.isEmpty() ? meta.getNamespace() : namespace;
            ResourceStore.Stored<Pod> stored = pods.readCached(ns, meta.getName());
            if (stored == null || !bindable(pods, meta, stored)) {
                return CompletableFuture.supplyAsync(() -> bind(pods, namespace, binding), pods.env.executor());
            }
            pod = stored.object(); // our own decoded copy
            bindTo(pods, meta, pod, binding.getTarget().getName());
            swapped = pods.swapAsync(pods.key(ns, meta.getName()), stored.modRevision(), ObjectCodec.encode(pod));
        } catch (RuntimeException e) { // as createAsync: bad input fails the future, it is not thrown
            return CompletableFuture.failedFuture(e);
        }
        return swapped.handle((revision, error) -> {
            if (error == null) {
                pod.getMetadata().setResourceVersion(Long.toString(revision));
                return CompletableFuture.completedFuture(pod);
            }
            Throwable cause = error instanceof CompletionException ? error.getCause() : error;
            return cause instanceof ResourceStore.LostRace
                    ? CompletableFuture.supplyAsync(() -> bind(pods, namespace, binding), pods.env.executor())
                    : CompletableFuture.<Pod>failedFuture(cause);
        }).thenCompose(f -> f);
    }

    /** Whether the cache's copy may be bound; when not, the store's own copy decides (the cache's may be stale). */
    private static boolean bindable(ResourceStore<Pod> pods, ObjectMeta meta, ResourceStore.Stored<Pod> stored) {
        try {
            refuseIfUnbindable(pods, meta, stored.object(), stored.modRevision());
            return true;
        } catch (ApiException e) {
            return false;
        }
    }

    private static void validate(Binding binding) {
        ObjectMeta meta = binding.getMetadata();
        String name = meta == null || meta.getName() == null ? "" : meta.getName();
        String node = binding.getTarget() == null ? null : binding.getTarget().getName();
        List<FieldError> errors = new ArrayList<>();
        String kind = binding.getTarget() == null ? null : binding.getTarget().getKind();
        if (kind != null && !kind.isEmpty() && !kind.equals("Node")) {
            errors.add(FieldError.notSupported("target.kind", kind, List.of("Node", "<empty>")));
        }
        if (node == null || node.isEmpty()) {
            errors.add(FieldError.required("target.name", ""));
        }
        if (name.isEmpty()) {
            errors.add(FieldError.required("metadata.name", "name or generateName is required"));
        }
        if (!errors.isEmpty()) {
            throw Statuses.invalid("", "Binding", name, errors);
        }
    }

    /** Sets the node, merges the binding's annotations and marks the pod scheduled: the binding's change. */
    private static void bindTo(ResourceStore<Pod> pods, ObjectMeta meta, Pod pod, String node) {
        pod.getSpec().setNodeName(node);
        if (meta.getAnnotations() != null && !meta.getAnnotations().isEmpty()) {
            Map<String, String> annotations = pod.getMetadata().getAnnotations() == null
                    ? new LinkedHashMap<>() : new LinkedHashMap<>(pod.getMetadata().getAnnotations());
            annotations.putAll(meta.getAnnotations());
            pod.getMetadata().setAnnotations(annotations);
        }
        markScheduled(pod, pods.env.now());
    }

    private static void refuseIfUnbindable(ResourceStore<Pod> pods, ObjectMeta meta, Pod pod, long modRevision) {
        String name = pod.getMetadata().getName();
        checkPreconditions(pods, meta, pod, modRevision);
        if (pod.getMetadata().getDeletionTimestamp() != null) {
            throw conflict(name, "pod " + name + " is being deleted, cannot be assigned to a host");
        }
        if (pod.getSpec().getNodeName() != null && !pod.getSpec().getNodeName().isEmpty()) {
            throw conflict(name, "pod " + name + " is already assigned to node "
                    + FieldError.quote(pod.getSpec().getNodeName()));
        }
        if (pod.getSpec().getSchedulingGates() != null && !pod.getSpec().getSchedulingGates().isEmpty()) {
            throw conflict(name, "pod " + name + " has non-empty .spec.schedulingGates");
        }
    }

    private static void checkPreconditions(ResourceStore<Pod> pods, ObjectMeta binding, Pod pod, long modRevision) {
        String uid = binding.getUid();
        if (uid != null && !uid.isEmpty() && !uid.equals(pod.getMetadata().getUid())) {
            throw Statuses.conflict(pods.type, pod.getMetadata().getName(), "Precondition failed: UID in precondition: "
                    + uid + ", UID in object meta: " + pod.getMetadata().getUid());
        }
        String rv = binding.getResourceVersion();
        if (rv != null && !rv.isEmpty() && !rv.equals(Long.toString(modRevision))) {
            throw Statuses.conflict(pods.type, pod.getMetadata().getName(), "Precondition failed: ResourceVersion in"
                    + " precondition: " + rv + ", ResourceVersion in object meta: " + modRevision);
        }
    }

    /** podutil.UpdatePodCondition with PodScheduled=True: the transition time moves only when the status does. */
    private static void markScheduled(Pod pod, String now) {
        if (pod.getStatus() == null) {
            pod.setStatus(new PodStatus());
        }
        List<PodCondition> conditions = new ArrayList<>(pod.getStatus().getConditions() == null
                ? List.of() : pod.getStatus().getConditions());
        PodCondition scheduled = new PodCondition();
        scheduled.setType("PodScheduled");
        scheduled.setStatus("True");
        scheduled.setLastTransitionTime(now);
        for (int i = 0; i < conditions.size(); i++) {
            PodCondition c = conditions.get(i);
            if ("PodScheduled".equals(c.getType())) {
                if ("True".equals(c.getStatus())) {
                    scheduled.setLastTransitionTime(c.getLastTransitionTime());
                }
                conditions.set(i, scheduled);
                pod.getStatus().setConditions(conditions);
                return;
            }
        }
        conditions.add(scheduled);
        pod.getStatus().setConditions(conditions);
    }

    private static ApiException conflict(String name, String why) {
        return Statuses.conflictOn("pods/binding", name, why);
    }
}
