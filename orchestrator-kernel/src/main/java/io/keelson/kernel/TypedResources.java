package io.keelson.kernel;

import io.fabric8.kubernetes.api.model.DeleteOptions;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.autoscaling.v1.Scale;
import io.fabric8.kubernetes.api.model.autoscaling.v1.ScaleBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** {@link Resources} over one {@link ResourceStore}, in one namespace or all of them (namespace null). */
final class TypedResources<T extends HasMetadata> implements Resources<T> {
    private static final int PATCH_ATTEMPTS = 16;

    private final ResourceStore<T> store;
    private final String namespace;

    TypedResources(ResourceStore<T> store, String namespace) {
        this.store = store;
        this.namespace = namespace;
    }

    @Override
    public ResourceType<T> type() {
        return store.type;
    }

    @Override
    public Resources<T> inNamespace(String namespace) {
        if (namespace == null || namespace.isEmpty()) {
            throw new IllegalArgumentException("namespace must not be empty");
        }
        return new TypedResources<>(store, store.type.namespaced() ? namespace : null);
    }

    @Override
    public Resources<T> inAnyNamespace() {
        return new TypedResources<>(store, null);
    }

    @Override
    public T create(T object) {
        return store.create(namespace, object);
    }

    @Override
    public CompletableFuture<T> createAsync(T object) {
        return store.createAsync(namespace, object);
    }

    @Override
    public T get(String name) {
        return get(name, null);
    }

    @Override
    public T get(String name, String resourceVersion) {
        return store.reads.get(requireNamespace(), name, resourceVersion);
    }

    @Override
    public ObjectList<T> list(ListRequest request) {
        return store.reads.list(namespace, request);
    }

    @Override
    public T update(T object) {
        return store.update(namespace, object, false);
    }

    @Override
    public T updateStatus(T object) {
        return store.update(namespace, object, true);
    }

    @Override
    public T patch(String name, PatchType type, String patch) {
        return patch(name, type, patch, false);
    }

    @Override
    public T patchStatus(String name, PatchType type, String patch) {
        return patch(name, type, patch, true);
    }

    /** Patches the latest stored object, retrying a lost race unless the patch named a resourceVersion. */
    private T patch(String name, PatchType type, String patch, boolean status) {
        String ns = requireNamespace();
        for (int attempt = 1; ; attempt++) {
            ResourceStore.Stored<T> stored = store.read(ns, name);
            if (stored == null) {
                throw Statuses.notFound(store.type, name);
            }
            String patched = Patches.apply(ObjectCodec.JSON.writeValueAsString(stored.object()), type, patch);
            T object;
            try {
                object = ObjectCodec.JSON.readValue(patched, store.type.javaType());
            } catch (RuntimeException e) {
                throw Statuses.badRequest("the patched object cannot be decoded: " + e.getMessage());
            }
            MetadataValidation.requireMeta(object);
            // a resourceVersion the patch set is a precondition: a retry re-applies it to the newer object and fails
            String rv = object.getMetadata().getResourceVersion();
            if (rv == null) {
                object.getMetadata().setResourceVersion(stored.object().getMetadata().getResourceVersion());
            } else if (!rv.equals(stored.object().getMetadata().getResourceVersion())) {
                throw Statuses.staleResourceVersion(store.type, name);
            }
            object.getMetadata().setNamespace(ns);
            try {
                return store.replace(stored, object, status);
            } catch (ResourceStore.LostRace e) {
                if (attempt == PATCH_ATTEMPTS) {
                    throw Statuses.staleResourceVersion(store.type, name);
                }
            }
        }
    }

    @Override
    public DeleteResult<T> delete(String name, DeleteOptions options) {
        return Deletion.delete(store, requireNamespace(), name, options);
    }

    @Override
    public List<T> deleteCollection(ListRequest request, DeleteOptions options) {
        List<T> deleted = new ArrayList<>();
        for (T object : list(request).items()) {
            try {
                deleted.add(Deletion.delete(store, object.getMetadata().getNamespace(), object.getMetadata().getName(),
                        options).object());
            } catch (ApiException e) {
                if (!e.isNotFound()) {
                    throw e;
                }
            }
        }
        return deleted;
    }

    @Override
    public ResourceWatch watch(WatchRequest request, Consumer<WatchEvent<T>> listener) {
        return store.reads.watch(namespace, request, listener);
    }

    @Override
    public Scale getScale(String name) {
        requireScale();
        return scaleOf(get(name));
    }

    @Override
    public Scale updateScale(String name, Scale scale) {
        requireScale();
        String ns = requireNamespace();
        String rv = scale.getMetadata() == null ? null : scale.getMetadata().getResourceVersion();
        int replicas = scale.getSpec() == null || scale.getSpec().getReplicas() == null ? 0 : scale.getSpec().getReplicas();
        if (replicas < 0) {
            throw Statuses.invalid("autoscaling", "Scale", name, List.of(FieldError.invalid("spec.replicas", replicas,
                    "must be greater than or equal to 0")));
        }
        for (int attempt = 1; ; attempt++) {
            ResourceStore.Stored<T> stored = store.read(ns, name);
            if (stored == null) {
                throw Statuses.notFound(store.type, name);
            }
            if (rv != null && !rv.isEmpty() && !rv.equals(stored.object().getMetadata().getResourceVersion())) {
                throw Statuses.staleResourceVersion(store.type, name);
            }
            ObjectNode tree = ObjectCodec.tree(stored.object());
            ((ObjectNode) tree.get("spec")).put("replicas", replicas);
            try {
                return scaleOf(store.replace(stored, ObjectCodec.fromTree(tree, store.type.javaType()), false));
            } catch (ResourceStore.LostRace e) {
                if ((rv != null && !rv.isEmpty()) || attempt == PATCH_ATTEMPTS) {
                    throw Statuses.staleResourceVersion(store.type, name);
                }
            }
        }
    }

    private Scale scaleOf(T object) {
        ObjectNode tree = ObjectCodec.tree(object);
        JsonNode spec = tree.path("spec");
        io.fabric8.kubernetes.api.model.LabelSelector selector = spec.has("selector")
                ? ObjectCodec.fromTree(spec.get("selector"), io.fabric8.kubernetes.api.model.LabelSelector.class) : null;
        ObjectMeta meta = object.getMetadata();
        return new ScaleBuilder().withNewMetadata().withName(meta.getName()).withNamespace(meta.getNamespace())
                .withUid(meta.getUid()).withResourceVersion(meta.getResourceVersion())
                .withCreationTimestamp(meta.getCreationTimestamp()).endMetadata()
                .withNewSpec().withReplicas(spec.path("replicas").asInt(0)).endSpec()
                .withNewStatus().withReplicas(tree.path("status").path("replicas").asInt(0))
                .withSelector(selector == null ? "" : LabelSelector.of(selector).toString()).endStatus().build();
    }

    private void requireScale() {
        if (!store.type.scaleSubresource()) {
            throw Statuses.notFound(store.type, "scale");
        }
    }

    private String requireNamespace() {
        if (store.type.namespaced() && (namespace == null || namespace.isEmpty())) {
            throw Statuses.badRequest("a namespace is required for " + store.type.groupResource()
                    + ": use inNamespace(...)");
        }
        return namespace;
    }
}
