package io.keelson.kernel.gc;

import io.fabric8.kubernetes.api.model.DeleteOptionsBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.keelson.kernel.ApiException;
import io.keelson.kernel.Kernel;
import io.keelson.kernel.ResourceType;
import io.keelson.kernel.Resources;
import io.keelson.kernel.controller.Controller;
import io.keelson.kernel.controller.ManagedController;
import io.keelson.kernel.controller.Result;
import io.keelson.kernel.informer.EventHandler;
import io.keelson.kernel.informer.InformerFactory;
import io.keelson.kernel.informer.SharedInformer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;

/**
 * kube-controller-manager's garbage collector: objects whose owners (ownerReferences) are all gone are deleted;
 * an owner deleted with {@code Foreground} propagation stays (finalizer {@code foregroundDeletion}) until its
 * blocking dependents are gone; one deleted with {@code Orphan} has its dependents released first.
 *
 * <p>An owner counts as gone when no object of its kind, name and uid exists where it must live: in the
 * dependent's namespace for a namespaced kind (cross-namespace references never resolve), at cluster scope
 * otherwise. Absence is confirmed with a consistent read before anything is deleted.
 */
public final class GarbageCollector implements ManagedController {
    static final String ORPHAN = "orphan";
    static final String FOREGROUND = "foregroundDeletion";
    private static final int CONFLICT_RETRIES = 5;

    private final Kernel kernel;
    private final OwnerGraph graph = new OwnerGraph();
    private final Map<Class<?>, SharedInformer<?>> informers = new ConcurrentHashMap<>();
    private final Controller controller;

    private GarbageCollector(Kernel kernel, InformerFactory factory, int workers) {
        this.kernel = kernel;
        Controller.Builder builder = Controller.builder("garbage-collector").reconciler(this::reconcile)
                .workers(workers);
        this.controller = builder.build();
        for (ResourceType<?> type : kernel.types()) {
            watch(type, factory);
        }
    }

    /** A collector over every type the kernel serves (20 workers, as kube-controller-manager's default). */
    public static GarbageCollector create(Kernel kernel, InformerFactory informers) {
        return new GarbageCollector(kernel, informers, 20);
    }

    @Override
    public boolean isIdle() {
        return controller.isIdle();
    }

    @Override
    public void start() {
        controller.start();
    }

    private <T extends HasMetadata> void watch(ResourceType<T> type, InformerFactory factory) {
        SharedInformer<T> informer = factory.forType(type.javaType());
        informers.put(type.javaType(), informer);
        informer.addEventHandler(new EventHandler<>() {
            @Override
            public void onAdd(T object, boolean initialList) {
                changed(type, object);
            }

            @Override
            public void onUpdate(T old, T current) {
                changed(type, current);
            }

            @Override
            public void onDelete(T object, boolean finalStateUnknown) {
                String uid = object.getMetadata().getUid();
                OwnerGraph.Node node = graph.node(uid);
                graph.remove(uid);
                graph.dependentsOf(uid).forEach(d -> controller.enqueue(d.uid()));
                // a foreground owner waits for this dependent
                (node != null ? node.owners() : object.getMetadata().getOwnerReferences())
                        .forEach(ref -> controller.enqueue(ref.getUid()));
            }
        });
    }

    private void changed(ResourceType<?> type, HasMetadata object) {
        graph.put(type, object);
        String uid = object.getMetadata().getUid();
        boolean deleting = object.getMetadata().getDeletionTimestamp() != null;
        List<String> finalizers = object.getMetadata().getFinalizers();
        if (!object.getMetadata().getOwnerReferences().isEmpty()
                || (deleting && (finalizers.contains(ORPHAN) || finalizers.contains(FOREGROUND)))) {
            controller.enqueue(uid);
        }
        if (deleting) {
            graph.dependentsOf(uid).forEach(d -> controller.enqueue(d.uid()));
        }
    }

    Result reconcile(String uid) {
        OwnerGraph.Node node = graph.node(uid);
        if (node == null) {
            return Result.done();
        }
        HasMetadata object = cached(node.type(), node.namespace(), node.name());
        if (object == null || !uid.equals(object.getMetadata().getUid())) {
            return Result.done();
        }
        if (object.getMetadata().getDeletionTimestamp() != null) {
            List<String> finalizers = object.getMetadata().getFinalizers();
            if (finalizers.contains(ORPHAN)) {
                orphanDependents(node);
                removeFinalizer(node, ORPHAN);
            } else if (finalizers.contains(FOREGROUND)) {
                boolean blocked = false;
                for (OwnerGraph.Node d : graph.dependentsOf(uid)) {
                    controller.enqueue(d.uid());
                    blocked |= blocks(d, uid);
                }
                if (!blocked) {
                    removeFinalizer(node, FOREGROUND);
                }
            }
        }
        if (node.owners().isEmpty()) {
            return Result.done();
        }
        List<OwnerReference> solid = new ArrayList<>();
        List<OwnerReference> dangling = new ArrayList<>();
        List<OwnerReference> waiting = new ArrayList<>();
        for (OwnerReference ref : node.owners()) {
            switch (ownerState(node, ref)) {
                case SOLID -> solid.add(ref);
                case ABSENT -> dangling.add(ref);
                case WAITING_FOR_DEPENDENTS -> waiting.add(ref);
            }
        }
        if (!solid.isEmpty()) {
            if (!dangling.isEmpty() || !waiting.isEmpty()) {
                List<String> drop = new ArrayList<>();
                dangling.forEach(r -> drop.add(r.getUid()));
                waiting.forEach(r -> drop.add(r.getUid()));
                removeOwnerReferences(node, Set.copyOf(drop));
            }
            return Result.done();
        }
        String policy = !waiting.isEmpty() && !graph.dependentsOf(uid).isEmpty() ? "Foreground" : null;
        delete(node, policy);
        return Result.done();
    }

    private enum OwnerState { SOLID, ABSENT, WAITING_FOR_DEPENDENTS }

    /** Reads the owner consistently: a stale cache must never get a live owner's dependents deleted. */
    private OwnerState ownerState(OwnerGraph.Node dependent, OwnerReference ref) {
        ResourceType<?> ownerType = kernel.type(ref.getApiVersion(), ref.getKind());
        if (ownerType == null) {
            return OwnerState.SOLID; // a kind this kernel does not serve: leave the dependent alone
        }
        boolean dependentNamespaced = dependent.namespace() != null && !dependent.namespace().isEmpty();
        if (ownerType.namespaced() && !dependentNamespaced) {
            return OwnerState.ABSENT; // a cluster-scoped object cannot have a namespaced owner
        }
        Resources<? extends HasMetadata> owners = kernel.resources(ownerType.javaType());
        if (ownerType.namespaced()) {
            owners = owners.inNamespace(dependent.namespace());
        }
        HasMetadata owner;
        try {
            owner = owners.get(ref.getName());
        } catch (ApiException e) {
            if (e.isNotFound()) {
                return OwnerState.ABSENT;
            }
            throw e;
        }
        if (!ref.getUid().equals(owner.getMetadata().getUid())) {
            return OwnerState.ABSENT;
        }
        if (owner.getMetadata().getDeletionTimestamp() != null
                && owner.getMetadata().getFinalizers().contains(FOREGROUND)) {
            return OwnerState.WAITING_FOR_DEPENDENTS;
        }
        return OwnerState.SOLID;
    }

    /** Whether a dependent holds up its foreground-deleted owner (blockOwnerDeletion on its reference). */
    private static boolean blocks(OwnerGraph.Node dependent, String ownerUid) {
        return dependent.owners().stream()
                .anyMatch(r -> ownerUid.equals(r.getUid()) && Boolean.TRUE.equals(r.getBlockOwnerDeletion()));
    }

    private void orphanDependents(OwnerGraph.Node owner) {
        for (OwnerGraph.Node d : graph.dependentsOf(owner.uid())) {
            removeOwnerReferences(d, Set.of(owner.uid()));
        }
    }

    private void removeOwnerReferences(OwnerGraph.Node node, Set<String> ownerUids) {
        modify(node, o -> {
            List<OwnerReference> refs = new ArrayList<>(o.getMetadata().getOwnerReferences());
            if (!refs.removeIf(r -> ownerUids.contains(r.getUid()))) {
                return null;
            }
            o.getMetadata().setOwnerReferences(refs);
            return o;
        });
    }

    private void removeFinalizer(OwnerGraph.Node node, String finalizer) {
        modify(node, o -> {
            List<String> finalizers = new ArrayList<>(o.getMetadata().getFinalizers());
            if (!finalizers.remove(finalizer)) {
                return null;
            }
            o.getMetadata().setFinalizers(finalizers);
            return o;
        });
    }

    /** Reads the latest object, changes it (null: nothing to change) and writes it, retrying conflicts. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private void modify(OwnerGraph.Node node, UnaryOperator<HasMetadata> change) {
        Resources resources = resources(node);
        for (int attempt = 1; ; attempt++) {
            try {
                HasMetadata latest = (HasMetadata) resources.get(node.name());
                if (!node.uid().equals(latest.getMetadata().getUid())) {
                    return;
                }
                HasMetadata changed = change.apply(latest);
                if (changed != null) {
                    resources.update(changed);
                }
                return;
            } catch (ApiException e) {
                if (e.isNotFound()) {
                    return;
                }
                if (!e.isConflict() || attempt == CONFLICT_RETRIES) {
                    throw e;
                }
            }
        }
    }

    /** Deletes the dependent, with a uid precondition (a re-created object of the same name is not touched). */
    private void delete(OwnerGraph.Node node, String policy) {
        try {
            resources(node).delete(node.name(), new DeleteOptionsBuilder().withNewPreconditions().withUid(node.uid())
                    .endPreconditions().withPropagationPolicy(policy).build());
        } catch (ApiException e) {
            if (!e.isNotFound() && !e.isConflict()) {
                throw e;
            }
        }
    }

    private Resources<? extends HasMetadata> resources(OwnerGraph.Node node) {
        Resources<? extends HasMetadata> r = kernel.resources(node.type().javaType());
        return node.type().namespaced() ? r.inNamespace(node.namespace()) : r;
    }

    private HasMetadata cached(ResourceType<?> type, String namespace, String name) {
        SharedInformer<?> informer = informers.get(type.javaType());
        return informer == null ? null : informer.cache().get(namespace, name);
    }

    @Override
    public void close() {
        controller.close();
    }
}
