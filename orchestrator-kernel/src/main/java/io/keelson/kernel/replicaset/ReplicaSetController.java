package io.keelson.kernel.replicaset;

import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.keelson.kernel.Kernel;
import io.keelson.kernel.LabelSelector;
import io.keelson.kernel.controller.Controller;
import io.keelson.kernel.controller.ManagedController;
import io.keelson.kernel.controller.Result;
import io.keelson.kernel.events.EventRecorder;
import io.keelson.kernel.informer.Cache;
import io.keelson.kernel.informer.EventHandler;
import io.keelson.kernel.informer.InformerFactory;
import io.keelson.kernel.informer.KeyFunctions;
import io.keelson.kernel.informer.SharedInformer;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * kube-controller-manager's ReplicaSet controller: keeps {@code replicas} active pods matching the selector. It adopts
 * matching orphans and releases owned pods that stop matching; creates missing pods from the template in slow-start
 * batches (1, 2, 4, ... stopping at the first failure) and deletes the surplus in the upstream deletion order, at most
 * 500 per sync; expectations keep a stale cache from creating or deleting twice. Status: replicas,
 * fullyLabeledReplicas, readyReplicas, availableReplicas (with minReadySeconds), observedGeneration, and the
 * ReplicaFailure condition; events SuccessfulCreate, SuccessfulDelete, FailedCreate, FailedDelete.
 */
public final class ReplicaSetController implements ManagedController {
    static final int BURST_REPLICAS = 500;
    /** Pods by their controller's uid; pods without one under {@code orphans/<namespace>}. */
    static final String BY_CONTROLLER = "replicaset/controller";

    private final Kernel kernel;
    private final Clock clock;
    private final SharedInformer<ReplicaSet> sets;
    private final SharedInformer<Pod> pods;
    private final EventRecorder events;
    private final Expectations expectations;
    private final Controller controller;
    private final ReplicaSetPods podControl;

    private ReplicaSetController(Kernel kernel, InformerFactory informers, Clock clock) {
        this.kernel = kernel;
        this.clock = clock;
        this.sets = informers.forType(ReplicaSet.class);
        this.pods = informers.forType(Pod.class).addIndexerIfAbsent(BY_CONTROLLER, ReplicaSetController::controllerIndex);
        this.events = EventRecorder.create(kernel, "replicaset-controller", "", clock);
        this.expectations = new Expectations(clock);
        this.podControl = new ReplicaSetPods(kernel, events);
        this.controller = Controller.builder("replicaset").watches(sets, Controller::keyOf).reconciler(this::sync)
                .workers(5).build();
        pods.addEventHandler(new EventHandler<>() {
            @Override
            public void onAdd(Pod pod, boolean initialList) {
                podAdded(pod);
            }

            @Override
            public void onUpdate(Pod old, Pod pod) {
                podUpdated(old, pod);
            }

            @Override
            public void onDelete(Pod pod, boolean finalStateUnknown) {
                podDeleted(pod);
            }
        });
    }

    /** A ReplicaSet controller on {@code informers}' ReplicaSet and Pod informers. */
    public static ReplicaSetController create(Kernel kernel, InformerFactory informers, Clock clock) {
        return new ReplicaSetController(Objects.requireNonNull(kernel), Objects.requireNonNull(informers),
                Objects.requireNonNull(clock));
    }

    @Override
    public boolean isIdle() {
        return controller.isIdle();
    }

    @Override
    public void start() {
        controller.start();
    }

    @Override
    public void close() {
        controller.close();
        events.close();
    }

    // --- pod events → the owning (or, for orphans, every matching) ReplicaSet

    private void podAdded(Pod pod) {
        if (pod.getMetadata().getDeletionTimestamp() != null) {
            podDeleted(pod); // seen for the first time already going (a relist): it counts as deleted
            return;
        }
        String owner = ownerKey(pod);
        if (owner != null) {
            expectations.creationObserved(owner);
            controller.enqueue(owner);
        } else {
            matchingSets(pod).forEach(controller::enqueue);
        }
    }

    private void podUpdated(Pod old, Pod pod) {
        if (pod.getMetadata().getDeletionTimestamp() != null && old.getMetadata().getDeletionTimestamp() == null) {
            podDeleted(pod); // marked for deletion: the controller need not wait for it to go
            return;
        }
        String oldOwner = ownerKey(old);
        String owner = ownerKey(pod);
        if (oldOwner != null && !oldOwner.equals(owner)) {
            controller.enqueue(oldOwner);
        }
        if (owner != null) {
            controller.enqueue(owner);
        } else if (!Objects.equals(old.getMetadata().getLabels(), pod.getMetadata().getLabels()) || oldOwner != null) {
            matchingSets(pod).forEach(controller::enqueue);
        }
    }

    private void podDeleted(Pod pod) {
        String owner = ownerKey(pod);
        if (owner != null) {
            expectations.deletionObserved(owner, KeyFunctions.key(pod));
            controller.enqueue(owner);
        }
    }

    /** The key of the ReplicaSet controlling the pod, if that ReplicaSet exists with the referenced UID. */
    private String ownerKey(Pod pod) {
        OwnerReference ref = Pods.controllerOf(pod);
        if (ref == null || !"ReplicaSet".equals(ref.getKind())) {
            return null;
        }
        String key = KeyFunctions.key(pod.getMetadata().getNamespace(), ref.getName());
        ReplicaSet rs = sets.cache().get(key);
        return rs != null && rs.getMetadata().getUid().equals(ref.getUid()) ? key : null;
    }

    private List<String> matchingSets(Pod pod) {
        List<String> keys = new ArrayList<>();
        for (ReplicaSet rs : sets.cache().byIndex(Cache.NAMESPACE_INDEX, pod.getMetadata().getNamespace())) {
            if (rs.getSpec().getSelector() != null
                    && LabelSelector.of(rs.getSpec().getSelector()).matches(labels(pod))) {
                keys.add(KeyFunctions.key(rs));
            }
        }
        return keys;
    }

    // --- the sync

    /** syncReplicaSet: claim the pods, create or delete toward replicas when expectations allow, write status. */
    Result sync(String key) {
        ReplicaSet rs = sets.cache().get(key);
        if (rs == null) {
            expectations.forget(key);
            return Result.done();
        }
        boolean mayAct = expectations.satisfied(key);
        long scanStart = System.nanoTime();
        LabelSelector selector = LabelSelector.of(rs.getSpec().getSelector());
        // its own pods and the orphans it may adopt: not every pod of the namespace
        List<Pod> own = pods.cache().byIndex(BY_CONTROLLER, rs.getMetadata().getUid());
        List<Pod> orphans = pods.cache().byIndex(BY_CONTROLLER, ORPHANS + rs.getMetadata().getNamespace());
        List<Pod> active = new ArrayList<>(own.size() + orphans.size());
        for (List<Pod> some : List.of(own, orphans)) {
            for (Pod p : some) {
                if (Pods.isActive(p)) {
                    active.add(p);
                }
            }
        }
        List<Pod> owned = podControl.claim(rs, selector, active);
        long scanned = System.nanoTime() - scanStart;
        RuntimeException failure = null;
        if (mayAct && rs.getMetadata().getDeletionTimestamp() == null) {
            try {
                manageReplicas(key, rs, owned);
            } catch (ReplicaSetPods.ManageFailure e) {
                failure = e;
            }
        }
        long countStart = System.nanoTime();
        ReplicaSetStatuses.Counts counts = ReplicaSetStatuses.count(rs, owned, clock.instant());
        scanned += System.nanoTime() - countStart;
        ReplicaSetStatuses.write(kernel, rs, counts, failure, clock.instant());
        if (failure != null) {
            throw failure; // retried with back-off
        }
        int minReady = rs.getSpec().getMinReadySeconds() == null ? 0 : rs.getSpec().getMinReadySeconds();
        int replicas = rs.getSpec().getReplicas() == null ? 1 : rs.getSpec().getReplicas();
        if (minReady > 0 && counts.ready() == replicas && counts.available() != replicas) {
            return Result.requeueAfter(Duration.ofSeconds(minReady)); // when the ready ones become available
        }
        // Reading thousands of pods takes milliseconds, and while they change faster than that, syncs would run
        // back to back and take a core: resting seven times as long folds their changes into fewer syncs, so the
        // scans take at most an eighth of a core (a few milliseconds' delay on the status at 10,000 pods).
        return scanned < MIN_REST_NANOS ? Result.done()
                : Result.doneThenRest(Duration.ofNanos(Math.min(MAX_REST_NANOS, REST_PER_SCAN * scanned)));
    }

    private void manageReplicas(String key, ReplicaSet rs, List<Pod> owned) {
        int replicas = rs.getSpec().getReplicas() == null ? 1 : rs.getSpec().getReplicas();
        int diff = owned.size() - replicas;
        if (diff < 0) {
            int want = Math.min(-diff, BURST_REPLICAS);
            expectations.expectCreations(key, want);
            ReplicaSetPods.Outcome outcome = podControl.createInBatches(rs, want);
            for (int skipped = want - outcome.done(); skipped > 0; skipped--) {
                expectations.creationObserved(key); // never made: not to be waited for
            }
            if (outcome.failure() != null) {
                throw outcome.failure();
            }
        } else if (diff > 0) {
            List<Pod> victims = DeletionOrder.victims(owned, owned, Math.min(diff, BURST_REPLICAS), clock.instant());
            expectations.expectDeletions(key, victims.stream().map(KeyFunctions::key).toList());
            ReplicaSetPods.ManageFailure failure = null;
            for (Pod victim : victims) {
                ReplicaSetPods.ManageFailure f = podControl.delete(rs, victim);
                if (f != null) {
                    expectations.deletionObserved(key, KeyFunctions.key(victim)); // no delete event to wait for
                    failure = f.gone ? failure : f;
                }
            }
            if (failure != null) {
                throw failure;
            }
        }
    }

    private static final String ORPHANS = "orphans/";
    private static final long MIN_REST_NANOS = Duration.ofNanos(50_000).toNanos();
    private static final int REST_PER_SCAN = 7;
    private static final long MAX_REST_NANOS = Duration.ofSeconds(1).toNanos();

    private static List<String> controllerIndex(Pod pod) {
        OwnerReference ref = Pods.controllerOf(pod);
        return List.of(ref != null ? ref.getUid() : ORPHANS + pod.getMetadata().getNamespace());
    }

    private static java.util.Map<String, String> labels(Pod pod) {
        return pod.getMetadata().getLabels() == null ? java.util.Map.of() : pod.getMetadata().getLabels();
    }
}
