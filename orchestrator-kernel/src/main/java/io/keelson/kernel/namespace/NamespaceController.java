package io.keelson.kernel.namespace;

import io.fabric8.kubernetes.api.model.DeleteOptionsBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceCondition;
import io.fabric8.kubernetes.api.model.NamespaceConditionBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.keelson.kernel.ApiException;
import io.keelson.kernel.Kernel;
import io.keelson.kernel.ListRequest;
import io.keelson.kernel.ResourceType;
import io.keelson.kernel.Resources;
import io.keelson.kernel.controller.Controller;
import io.keelson.kernel.controller.ManagedController;
import io.keelson.kernel.controller.Result;
import io.keelson.kernel.informer.InformerFactory;
import io.keelson.kernel.informer.SharedInformer;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * kube-controller-manager's namespace controller: a namespace being deleted (phase Terminating, with the
 * {@code kubernetes} finalizer) has every object in it deleted; once none is left, the finalizer goes and with it
 * the namespace. While objects remain (pods finishing their grace period, finalizers), its conditions say which.
 */
public final class NamespaceController implements ManagedController {
    /** The finalizer the namespace registry puts on every namespace. */
    public static final String FINALIZER = "kubernetes";
    /** How long the controller expects objects with finalizers to take, as kube's does. */
    static final long FINALIZER_ESTIMATE_SECONDS = 15;

    private final Kernel kernel;
    private final SharedInformer<Namespace> namespaces;
    private final Clock clock;
    private final Controller controller;

    private NamespaceController(Kernel kernel, InformerFactory informers, Clock clock) {
        this.kernel = kernel;
        this.clock = clock;
        this.namespaces = informers.forType(Namespace.class);
        this.controller = Controller.builder("namespace").watches(namespaces, Controller::keyOf)
                .reconciler(this::reconcile).workers(2).build();
    }

    /** A controller over the factory's namespace informer; {@link #start()} it, then start the factory. */
    public static NamespaceController create(Kernel kernel, InformerFactory informers, Clock clock) {
        return new NamespaceController(kernel, informers, clock);
    }

    @Override
    public boolean isIdle() {
        return controller.isIdle();
    }

    public void start() {
        controller.start();
    }

    /** Reconciles a namespace now (its content changed without the namespace changing). */
    void recheck(String name) {
        controller.enqueue(name);
    }

    Result reconcile(String name) {
        Namespace ns = namespaces.cache().get(name);
        if (ns == null || ns.getMetadata().getDeletionTimestamp() == null) {
            return Result.done();
        }
        if (ns.getSpec() == null || !ns.getSpec().getFinalizers().contains(FINALIZER)) {
            return Result.done(); // others' finalizers: the namespace goes when they remove theirs
        }
        Remaining remaining = new Remaining();
        // pods first (OrderedNamespaceDeletion): nothing else goes while a pod may still use it
        ResourceType<Pod> podType = kernel.type(Pod.class);
        deleteAll(ns, podType, remaining);
        if (remaining.objects.isEmpty()) {
            for (ResourceType<?> type : kernel.types()) {
                if (type.namespaced() && type != podType) {
                    deleteAll(ns, type, remaining);
                }
            }
        }
        Resources<Namespace> all = kernel.resources(Namespace.class);
        report(all, name, remaining);
        if (!remaining.objects.isEmpty()) {
            return Result.requeueAfter(Duration.ofSeconds(remaining.estimateSeconds / 2 + 1));
        }
        try {
            Namespace latest = all.get(name);
            List<String> finalizers = new ArrayList<>(latest.getSpec().getFinalizers());
            finalizers.remove(FINALIZER);
            latest.getSpec().setFinalizers(finalizers);
            all.update(latest); // with no finalizer left, this update removes the namespace
        } catch (ApiException e) {
            if (!e.isNotFound()) {
                throw e;
            }
        }
        return Result.done();
    }

    /** What a pass left behind: objects per resource, finalizers per name, and how long until they may go. */
    private static final class Remaining {
        final Map<String, Integer> objects = new TreeMap<>();
        final Map<String, Integer> finalizers = new TreeMap<>();
        long estimateSeconds;
    }

    /** Deletes the type's objects in the namespace (background propagation) and counts those that stay. */
    private <T extends HasMetadata> void deleteAll(Namespace ns, ResourceType<T> type, Remaining remaining) {
        Resources<T> resources = kernel.resources(type.javaType()).inNamespace(ns.getMetadata().getName());
        List<T> left = resources.deleteCollection(ListRequest.all(),
                new DeleteOptionsBuilder().withPropagationPolicy("Background").build());
        int count = 0;
        for (T o : left) {
            if (o.getMetadata().getDeletionTimestamp() == null) {
                continue;
            }
            count++;
            o.getMetadata().getFinalizers().forEach(f -> remaining.finalizers.merge(f, 1, Integer::sum));
            if (!o.getMetadata().getFinalizers().isEmpty()) {
                remaining.estimateSeconds = Math.max(remaining.estimateSeconds, FINALIZER_ESTIMATE_SECONDS);
            }
            if (o instanceof Pod pod) {
                remaining.estimateSeconds = Math.max(remaining.estimateSeconds, podEstimate(ns, pod));
            }
        }
        if (count > 0) {
            remaining.objects.put(type.plural() + "." + type.group(), count);
        }
    }

    /** A running pod's grace period, or 0 once that long has passed since the namespace's deletion began. */
    private long podEstimate(Namespace ns, Pod pod) {
        String phase = pod.getStatus() == null ? "" : pod.getStatus().getPhase();
        if ("Succeeded".equals(phase) || "Failed".equals(phase) || pod.getSpec().getTerminationGracePeriodSeconds() == null) {
            return 0;
        }
        long grace = pod.getSpec().getTerminationGracePeriodSeconds();
        java.time.Instant since = java.time.Instant.parse(ns.getMetadata().getDeletionTimestamp());
        return Duration.between(since, clock.instant()).getSeconds() >= grace ? 0 : grace;
    }

    /** The NamespaceContentRemaining and NamespaceFinalizersRemaining conditions, as the controller writes them. */
    private void report(Resources<Namespace> all, String name, Remaining remaining) {
        List<NamespaceCondition> wanted = List.of(
                condition("NamespaceContentRemaining", remaining.objects, "SomeResourcesRemain",
                        "Some resources are remaining: ", " has %d resource instances"),
                condition("NamespaceFinalizersRemaining", remaining.finalizers, "SomeFinalizerRemain",
                        "Some finalizers are remaining: ", " in %d resource instances"));
        try {
            Namespace latest = all.get(name);
            List<NamespaceCondition> conditions = new ArrayList<>(latest.getStatus().getConditions());
            boolean changed = false;
            for (NamespaceCondition c : wanted) {
                NamespaceCondition previous = conditions.stream().filter(p -> p.getType().equals(c.getType()))
                        .findFirst().orElse(null);
                if (previous != null && previous.getStatus().equals(c.getStatus())
                        && previous.getMessage().equals(c.getMessage())) {
                    continue;
                }
                if (previous != null && previous.getStatus().equals(c.getStatus())) {
                    c.setLastTransitionTime(previous.getLastTransitionTime()); // only a flip moves it
                }
                conditions.remove(previous);
                conditions.add(c);
                changed = true;
            }
            if (changed) {
                latest.getStatus().setConditions(conditions);
                all.updateStatus(latest);
            }
        } catch (ApiException e) {
            if (!e.isNotFound() && !e.isConflict()) {
                throw e;
            }
        }
    }

    private NamespaceCondition condition(String type, Map<String, Integer> counts, String reason, String prefix,
                                         String itemFormat) {
        String now = io.keelson.kernel.Timestamps.time(clock.instant());
        if (counts.isEmpty()) {
            return new NamespaceConditionBuilder().withType(type).withStatus("False").withReason("ContentRemoved")
                    .withMessage("All content successfully removed").withLastTransitionTime(now).build();
        }
        List<String> items = new ArrayList<>();
        counts.forEach((what, n) -> items.add(what + String.format(itemFormat, n)));
        return new NamespaceConditionBuilder().withType(type).withStatus("True").withReason(reason)
                .withMessage(prefix + String.join(", ", items)).withLastTransitionTime(now).build();
    }

    @Override
    public void close() {
        controller.close();
    }
}
