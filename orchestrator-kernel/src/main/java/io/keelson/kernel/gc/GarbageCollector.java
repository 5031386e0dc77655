package io.keelson.kernel.gc;

import io.fabric8.kubernetes.api.model.DeleteOptionsBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.keelson.kernel.ApiException;
import io.keelson.kernel.Kernel;
import io.keelson.kernel.ListRequest;
import io.keelson.kernel.ResourceType;
import io.keelson.kernel.Resources;
import io.keelson.kernel.controller.Controller;
import io.keelson.kernel.controller.ManagedController;
import io.keelson.kernel.controller.Result;
import io.keelson.kernel.informer.EventHandler;
import io.keelson.kernel.informer.InformerFactory;
import io.keelson.kernel.informer.SharedInformer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
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
    /** How soon a foreground owner held up only by dependents the graph does not know yet is looked at again. */
    private static final Duration FOREGROUND_RECHECK = Duration.ofSeconds(1);

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
        Result recheck = object.getMetadata().getDeletionTimestamp() != null ? finishDeletion(node, object)
                : Result.done();
        if (node.owners().isEmpty()) {
            return recheck;
        }
        Owners owners = classify(node, node.owners());
        if (owners.solid()) {
            removeOwnerReferences(node, owners.unsolidUids());
            return recheck;
        }
        // About to delete on what the graph says: the graph may lag the store (a dependent released by an
        // orphaning owner still names it there), so decide again on the latest object and delete only that one.
        HasMetadata latest = latest(node);
        if (latest == null) {
            return recheck;
        }
        List<OwnerReference> refs = latest.getMetadata().getOwnerReferences();
        if (refs.isEmpty()) {
            return recheck;
        }
        owners = refs.equals(node.owners()) ? owners : classify(node, refs);
        if (owners.solid()) {
            removeOwnerReferences(node, owners.unsolidUids());
            return recheck;
        }
        String policy = !owners.waiting().isEmpty() && !graph.dependentsOf(uid).isEmpty() ? "Foreground" : null;
        return delete(node, latest.getMetadata().getResourceVersion(), policy) ? recheck : Result.requeue();
    }

    /** An owner's part of its own deletion: orphaning its dependents, or waiting for them in the foreground. */
    private Result finishDeletion(OwnerGraph.Node node, HasMetadata object) {
        List<String> finalizers = object.getMetadata().getFinalizers();
        if (finalizers.contains(ORPHAN)) {
            orphanDependents(node);
            removeFinalizer(node, ORPHAN);
        } else if (finalizers.contains(FOREGROUND) && !blockedInGraph(node)) {
            // each blocking dependent the graph knows queues the owner again when it goes; one it does not know
            // yet (created just before the owner's deletion) is found by a consistent read
            if (liveDependents(node).stream().anyMatch(d -> blocks(d.owners(), node.uid()))) {
                return Result.requeueAfter(FOREGROUND_RECHECK);
            }
            removeFinalizer(node, FOREGROUND);
        }
        return Result.done();
    }

    /** Queues a foreground owner's dependents for deletion; whether one the graph knows blocks the owner. */
    private boolean blockedInGraph(OwnerGraph.Node owner) {
        boolean blocked = false;
        for (OwnerGraph.Node d : graph.dependentsOf(owner.uid())) {
            controller.enqueue(d.uid());
            blocked |= blocks(d.owners(), owner.uid());
        }
        return blocked;
    }

    /** The owners of a dependent by state; the dependent is kept while one of them is solid. */
    private record Owners(List<OwnerReference> dangling, List<OwnerReference> waiting, boolean solid) {
        Set<String> unsolidUids() {
            Set<String> uids = new HashSet<>();
            dangling.forEach(r -> uids.add(r.getUid()));
            waiting.forEach(r -> uids.add(r.getUid()));
            return uids;
        }
    }

    private Owners classify(OwnerGraph.Node node, List<OwnerReference> refs) {
        List<OwnerReference> dangling = new ArrayList<>();
        List<OwnerReference> waiting = new ArrayList<>();
        boolean solid = false;
        for (OwnerReference ref : refs) {
            switch (ownerState(node, ref)) {
                case SOLID -> solid = true;
                case ABSENT -> dangling.add(ref);
                case WAITING_FOR_DEPENDENTS -> waiting.add(ref);
            }
        }
        return new Owners(dangling, waiting, solid);
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

    /** Whether a dependent's references hold up its foreground-deleted owner (blockOwnerDeletion). */
    private static boolean blocks(List<OwnerReference> refs, String ownerUid) {
        return refs.stream()
                .anyMatch(r -> ownerUid.equals(r.getUid()) && Boolean.TRUE.equals(r.getBlockOwnerDeletion()));
    }

    /** Releases every dependent of an owner deleted with {@code Orphan}, as a consistent read finds them. */
    private void orphanDependents(OwnerGraph.Node owner) {
        for (OwnerGraph.Node d : liveDependents(owner)) {
            removeOwnerReferences(d, Set.of(owner.uid()));
        }
    }

    /**
     * The objects that name {@code owner} in the store now, of every type where they can live (the owner's
     * namespace for a namespaced owner). Read only when an owner is about to be let go, which is rare.
     */
    private List<OwnerGraph.Node> liveDependents(OwnerGraph.Node owner) {
        boolean namespaced = owner.type().namespaced();
        List<OwnerGraph.Node> found = new ArrayList<>();
        for (ResourceType<?> type : kernel.types()) {
            if (namespaced && !type.namespaced()) {
                continue;
            }
            Resources<? extends HasMetadata> r = kernel.resources(type.javaType());
            r = namespaced ? r.inNamespace(owner.namespace()) : r.inAnyNamespace();
            for (HasMetadata o : r.list(ListRequest.all()).items()) {
                List<OwnerReference> refs = o.getMetadata().getOwnerReferences();
                if (refs.stream().anyMatch(ref -> owner.uid().equals(ref.getUid()))) {
                    found.add(new OwnerGraph.Node(type, o.getMetadata().getNamespace(), o.getMetadata().getName(),
                            o.getMetadata().getUid(), List.copyOf(refs)));
                }
            }
        }
        return found;
    }

    private void removeOwnerReferences(OwnerGraph.Node node, Set<String> ownerUids) {
        if (ownerUids.isEmpty()) {
            return;
        }
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
                HasMetadata latest = latest(node);
                if (latest == null) {
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

    /** The dependent as stored now; null when it is gone or replaced by another object of its name. */
    private HasMetadata latest(OwnerGraph.Node node) {
        try {
            HasMetadata latest = resources(node).get(node.name());
            return node.uid().equals(latest.getMetadata().getUid()) ? latest : null;
        } catch (ApiException e) {
            if (e.isNotFound()) {
                return null;
            }
            throw e;
        }
    }

    /**
     * Deletes the dependent at the version it was judged on (uid and resourceVersion preconditions).
     *
     * @return false when it changed meanwhile and must be judged again
     */
    private boolean delete(OwnerGraph.Node node, String resourceVersion, String policy) {
        try {
            resources(node).delete(node.name(), new DeleteOptionsBuilder().withNewPreconditions().withUid(node.uid())
                    .withResourceVersion(resourceVersion).endPreconditions().withPropagationPolicy(policy).build());
            return true;
        } catch (ApiException e) {
            if (e.isNotFound()) {
                return true;
            }
            if (e.isConflict()) {
                return false;
            }
            throw e;
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
