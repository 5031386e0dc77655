package io.keelson.kernel.namespace;

import io.fabric8.kubernetes.api.model.DeleteOptionsBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceCondition;
import io.fabric8.kubernetes.api.model.NamespaceConditionBuilder;
import io.keelson.kernel.ApiException;
import io.keelson.kernel.Kernel;
import io.keelson.kernel.ListRequest;
import io.keelson.kernel.ResourceType;
import io.keelson.kernel.Resources;
import io.keelson.kernel.controller.Controller;
import io.keelson.kernel.controller.Result;
import io.keelson.kernel.informer.InformerFactory;
import io.keelson.kernel.informer.SharedInformer;
import java.time.Clock;
import java.time.Duration;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * kube-controller-manager's namespace controller: a namespace being deleted (phase Terminating, with the
 * {@code kubernetes} finalizer) has every object in it deleted; once none is left, the finalizer goes and with it
 * the namespace. While objects remain (pods finishing their grace period, finalizers), its conditions say which.
 */
public final class NamespaceController implements AutoCloseable {
    /** The finalizer the namespace registry puts on every namespace. */
    public static final String FINALIZER = "kubernetes";
    /** How soon a namespace with remaining content is looked at again. */
    static final Duration RECHECK = Duration.ofSeconds(5);

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

    public void start() {
        controller.start();
    }

    Result reconcile(String name) {
        Namespace ns = namespaces.cache().get(name);
        if (ns == null || ns.getMetadata().getDeletionTimestamp() == null) {
            return Result.done();
        }
        if (ns.getSpec() == null || !ns.getSpec().getFinalizers().contains(FINALIZER)) {
            return Result.done(); // others' finalizers: the namespace goes when they remove theirs
        }
        Map<String, Integer> remaining = deleteContent(name);
        Resources<Namespace> all = kernel.resources(Namespace.class);
        if (!remaining.isEmpty()) {
            reportRemaining(all, name, remaining);
            return Result.requeueAfter(RECHECK);
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

    /** Deletes every namespaced object in the namespace; returns what is still there, by resource. */
    private Map<String, Integer> deleteContent(String namespace) {
        Map<String, Integer> remaining = new TreeMap<>();
        for (ResourceType<?> type : kernel.types()) {
            if (!type.namespaced()) {
                continue;
            }
            Resources<? extends HasMetadata> resources = kernel.resources(type.javaType()).inNamespace(namespace);
            List<? extends HasMetadata> left = resources.deleteCollection(ListRequest.all(),
                    new DeleteOptionsBuilder().withPropagationPolicy("Background").build());
            int count = 0;
            for (HasMetadata o : left) {
                if (o.getMetadata().getDeletionTimestamp() != null) {
                    count++; // kept: a grace period or finalizers
                }
            }
            if (count > 0) {
                remaining.put(type.groupResource(), count);
            }
        }
        return remaining;
    }

    private void reportRemaining(Resources<Namespace> all, String name, Map<String, Integer> remaining) {
        List<String> parts = new ArrayList<>();
        remaining.forEach((resource, n) -> parts.add(resource + " has " + n + " resource instances"));
        NamespaceCondition condition = new NamespaceConditionBuilder().withType("NamespaceContentRemaining")
                .withStatus("True").withReason("SomeResourcesRemain")
                .withMessage("Some resources are remaining: " + String.join(", ", parts))
                .withLastTransitionTime(DateTimeFormatter.ISO_INSTANT.format(clock.instant().truncatedTo(ChronoUnit.SECONDS)))
                .build();
        try {
            Namespace latest = all.get(name);
            List<NamespaceCondition> conditions = new ArrayList<>(latest.getStatus().getConditions());
            NamespaceCondition previous = conditions.stream().filter(c -> c.getType().equals(condition.getType()))
                    .findFirst().orElse(null);
            if (previous != null && previous.getMessage().equals(condition.getMessage())) {
                return;
            }
            conditions.remove(previous);
            conditions.add(condition);
            latest.getStatus().setConditions(conditions);
            all.updateStatus(latest);
        } catch (ApiException e) {
            if (!e.isNotFound() && !e.isConflict()) {
                throw e;
            }
        }
    }

    @Override
    public void close() {
        controller.close();
    }
}
