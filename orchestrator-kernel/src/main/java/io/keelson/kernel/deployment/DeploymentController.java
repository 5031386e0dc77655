package io.keelson.kernel.deployment;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.keelson.kernel.ApiException;
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
import java.util.Map;
import java.util.Objects;

/**
 * kube-controller-manager's Deployment controller: one ReplicaSet per pod template (named and labelled by its
 * {@code pod-template-hash}), rolled by RollingUpdate within maxSurge and maxUnavailable or by Recreate; the
 * {@code deployment.kubernetes.io/revision} annotations; proportional scaling while a rollout is under way; pause and
 * resume; revisionHistoryLimit clean-up; status with the Available, Progressing (progressDeadlineSeconds) and
 * ReplicaFailure conditions; ScalingReplicaSet events. {@link #undo} is {@code kubectl rollout undo}.
 */
public final class DeploymentController implements ManagedController {
    private final Kernel kernel;
    private final Clock clock;
    private final SharedInformer<Deployment> deployments;
    private final SharedInformer<ReplicaSet> sets;
    private final SharedInformer<Pod> pods;
    private final EventRecorder events;
    private final Controller controller;

    private DeploymentController(Kernel kernel, InformerFactory informers, Clock clock) {
        this.kernel = kernel;
        this.clock = clock;
        this.deployments = informers.forType(Deployment.class);
        this.sets = informers.forType(ReplicaSet.class);
        this.pods = informers.forType(Pod.class);
        this.events = EventRecorder.create(kernel, "deployment-controller", "", clock);
        this.controller = Controller.builder("deployment").watches(deployments, Controller::keyOf)
                .reconciler(this::sync).workers(5).build();
        sets.addEventHandler(new EventHandler<>() {
            @Override
            public void onAdd(ReplicaSet rs, boolean initialList) {
                replicaSetChanged(null, rs);
            }

            @Override
            public void onUpdate(ReplicaSet old, ReplicaSet rs) {
                replicaSetChanged(old, rs);
            }

            @Override
            public void onDelete(ReplicaSet rs, boolean finalStateUnknown) {
                String owner = ownerKey(rs);
                if (owner != null) {
                    controller.enqueue(owner);
                }
            }
        });
        pods.addEventHandler(new EventHandler<>() {
            @Override
            public void onDelete(Pod pod, boolean finalStateUnknown) {
                recreatePodGone(pod);
            }
        });
    }

    /** A Deployment controller on {@code informers}' Deployment, ReplicaSet and Pod informers. */
    public static DeploymentController create(Kernel kernel, InformerFactory informers, Clock clock) {
        return new DeploymentController(Objects.requireNonNull(kernel), Objects.requireNonNull(informers),
                Objects.requireNonNull(clock));
    }

    /**
     * {@code kubectl rollout undo}: puts the template of an earlier revision back into the Deployment (0: the one
     * before the current), with that revision's annotations; the controller then rolls to it as to any other
     * template, under a new revision number.
     *
     * @return the Deployment as updated (unchanged when it already has that revision's template)
     * @throws IllegalArgumentException when the revision is not in the Deployment's history
     * @throws IllegalStateException    when the Deployment is paused
     * @throws ApiException             when the Deployment does not exist or the update fails
     */
    public static Deployment undo(Kernel kernel, String namespace, String name, long toRevision) {
        return Rollback.undo(kernel, namespace, name, toRevision);
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

    // --- ReplicaSet and pod events → Deployments

    private void replicaSetChanged(ReplicaSet old, ReplicaSet rs) {
        String oldOwner = old == null ? null : ownerKey(old);
        String owner = ownerKey(rs);
        if (oldOwner != null && !oldOwner.equals(owner)) {
            controller.enqueue(oldOwner);
        }
        if (owner != null) {
            controller.enqueue(owner);
        } else if (old == null || oldOwner != null
                || !Objects.equals(old.getMetadata().getLabels(), rs.getMetadata().getLabels())) {
            matching(rs).forEach(controller::enqueue); // an orphan: whoever may adopt it
        }
    }

    /** A Recreate rollout waits for the old pods to go: the last one's deletion moves it on. */
    private void recreatePodGone(Pod pod) {
        OwnerReference ref = controllerOf(pod);
        if (ref == null || !"ReplicaSet".equals(ref.getKind())) {
            return;
        }
        ReplicaSet rs = sets.cache().get(KeyFunctions.key(pod.getMetadata().getNamespace(), ref.getName()));
        String owner = rs == null ? null : ownerKey(rs);
        Deployment d = owner == null ? null : deployments.cache().get(owner);
        if (d != null && !Fenceposts.isRollingUpdate(d)) {
            controller.enqueue(owner);
        }
    }

    private String ownerKey(ReplicaSet rs) {
        OwnerReference ref = controllerOf(rs);
        if (ref == null || !"Deployment".equals(ref.getKind())) {
            return null;
        }
        String key = KeyFunctions.key(rs.getMetadata().getNamespace(), ref.getName());
        Deployment d = deployments.cache().get(key);
        return d != null && d.getMetadata().getUid().equals(ref.getUid()) ? key : null;
    }

    private List<String> matching(ReplicaSet rs) {
        List<String> keys = new ArrayList<>();
        Map<String, String> labels = labels(rs);
        for (Deployment d : deployments.cache().byIndex(Cache.NAMESPACE_INDEX, rs.getMetadata().getNamespace())) {
            if (LabelSelector.of(d.getSpec().getSelector()).matches(labels)) {
                keys.add(KeyFunctions.key(d));
            }
        }
        return keys;
    }

    // --- the sync

    /** syncDeployment. */
    Result sync(String key) {
        Deployment d = deployments.cache().get(key);
        if (d == null) {
            return Result.done();
        }
        if (LabelSelector.of(d.getSpec().getSelector()).isEverything()) {
            events.event(d, EventRecorder.WARNING, "SelectingAll",
                    "This deployment is selecting all pods. A non-empty selector is required.");
            observeGenerationOnly(d);
            return Result.done();
        }
        List<ReplicaSet> owned = claimReplicaSets(d);
        DeploymentSync sync = new DeploymentSync(kernel, events, clock, d, owned);
        if (d.getMetadata().getDeletionTimestamp() != null) {
            sync.statusOnly();
            return Result.done();
        }
        sync.pausedConditions();
        if (Boolean.TRUE.equals(d.getSpec().getPaused()) || sync.isScalingEvent()) {
            sync.scaleOnly();
            return Result.done();
        }
        if (Fenceposts.isRollingUpdate(d)) {
            sync.rolling();
        } else {
            sync.recreate(oldPodsRunning(d, owned));
        }
        Duration recheck = sync.recheck();
        return recheck == null ? Result.done() : recheck.isZero() ? Result.requeue() : Result.requeueAfter(recheck);
    }

    private void observeGenerationOnly(Deployment d) {
        Long observed = d.getStatus() == null ? null : d.getStatus().getObservedGeneration();
        Long generation = d.getMetadata().getGeneration();
        if (generation != null && (observed == null || observed < generation)) {
            Deployment copy = new DeploymentBuilder(d).editOrNewStatus().withObservedGeneration(generation)
                    .endStatus().build();
            kernel.resources(Deployment.class).inNamespace(d.getMetadata().getNamespace()).updateStatus(copy);
        }
    }

    /**
     * getReplicaSetsForDeployment: the ReplicaSets the Deployment controls after adopting matching orphans (unless
     * it is being deleted) and releasing owned ones its selector no longer matches.
     */
    private List<ReplicaSet> claimReplicaSets(Deployment d) {
        LabelSelector selector = LabelSelector.of(d.getSpec().getSelector());
        boolean deleting = d.getMetadata().getDeletionTimestamp() != null;
        List<ReplicaSet> owned = new ArrayList<>();
        for (ReplicaSet rs : sets.cache().byIndex(Cache.NAMESPACE_INDEX, d.getMetadata().getNamespace())) {
            OwnerReference ref = controllerOf(rs);
            boolean matches = selector.matches(labels(rs));
            if (ref != null) {
                if (!ref.getUid().equals(d.getMetadata().getUid())) {
                    continue;
                }
                if (matches || deleting) {
                    owned.add(rs);
                } else {
                    setOwner(rs, d, false);
                }
            } else if (matches && !deleting && rs.getMetadata().getDeletionTimestamp() == null && canAdopt(d)) {
                ReplicaSet adopted = setOwner(rs, d, true);
                if (adopted != null) {
                    owned.add(adopted);
                }
            }
        }
        return owned;
    }

    /** As upstream's canAdopt: the Deployment read fresh must still be this one and not being deleted. */
    private boolean canAdopt(Deployment d) {
        try {
            Deployment fresh = kernel.resources(Deployment.class).inNamespace(d.getMetadata().getNamespace())
                    .get(d.getMetadata().getName());
            return fresh.getMetadata().getUid().equals(d.getMetadata().getUid())
                    && fresh.getMetadata().getDeletionTimestamp() == null;
        } catch (ApiException e) {
            if (e.code() == 404) {
                return false;
            }
            throw e;
        }
    }

    /** Adopts (adds the controller reference) or releases (removes it); null when the ReplicaSet changed or went. */
    private ReplicaSet setOwner(ReplicaSet rs, Deployment d, boolean adopt) {
        ReplicaSet copy = new ReplicaSetBuilder(rs).build();
        List<OwnerReference> refs = new ArrayList<>(copy.getMetadata().getOwnerReferences() == null ? List.of()
                : copy.getMetadata().getOwnerReferences());
        refs.removeIf(r -> r.getUid().equals(d.getMetadata().getUid()));
        if (adopt) {
            refs.add(new OwnerReferenceBuilder().withApiVersion("apps/v1").withKind("Deployment")
                    .withName(d.getMetadata().getName()).withUid(d.getMetadata().getUid()).withController(true)
                    .withBlockOwnerDeletion(true).build());
        }
        copy.getMetadata().setOwnerReferences(refs);
        try {
            return kernel.resources(ReplicaSet.class).inNamespace(rs.getMetadata().getNamespace()).update(copy);
        } catch (ApiException e) {
            if (e.code() == 404 || e.code() == 409) {
                return null; // the next sync sees it again
            }
            throw e;
        }
    }

    /** oldPodsRunning's pod part: a pod of an old ReplicaSet that has not finished (Unknown counts as running). */
    private boolean oldPodsRunning(Deployment d, List<ReplicaSet> owned) {
        ReplicaSet newRs = ReplicaSetLists.findNew(d, owned);
        LabelSelector selector = LabelSelector.of(d.getSpec().getSelector());
        for (Pod pod : pods.cache().byIndex(Cache.NAMESPACE_INDEX, d.getMetadata().getNamespace())) {
            OwnerReference ref = controllerOf(pod);
            if (ref == null || !selector.matches(labels(pod))
                    || newRs != null && ref.getUid().equals(newRs.getMetadata().getUid())
                    || owned.stream().noneMatch(rs -> rs.getMetadata().getUid().equals(ref.getUid()))) {
                continue;
            }
            String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
            if (!"Succeeded".equals(phase) && !"Failed".equals(phase)) {
                return true;
            }
        }
        return false;
    }

    static boolean controlledBy(HasMetadata object, HasMetadata owner) {
        OwnerReference ref = controllerOf(object);
        return ref != null && ref.getUid().equals(owner.getMetadata().getUid());
    }

    private static OwnerReference controllerOf(HasMetadata object) {
        if (object.getMetadata().getOwnerReferences() == null) {
            return null;
        }
        for (OwnerReference r : object.getMetadata().getOwnerReferences()) {
            if (Boolean.TRUE.equals(r.getController())) {
                return r;
            }
        }
        return null;
    }

    private static Map<String, String> labels(HasMetadata o) {
        return o.getMetadata().getLabels() == null ? Map.of() : o.getMetadata().getLabels();
    }
}
