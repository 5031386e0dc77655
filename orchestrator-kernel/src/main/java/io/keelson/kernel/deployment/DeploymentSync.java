package io.keelson.kernel.deployment;

import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.keelson.kernel.ApiException;
import io.keelson.kernel.Kernel;
import io.keelson.kernel.events.EventRecorder;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One sync of one Deployment over the ReplicaSets it owns (sync.go, rolling.go, recreate.go, progress.go): finding or
 * creating the new ReplicaSet, scaling (proportionally while a rollout is under way), rolling or recreating, cleaning
 * up old ReplicaSets, and writing status. {@code d} is this sync's own copy.
 */
final class DeploymentSync {
    /** What a sync found: the new ReplicaSet (maybe none) and the old ones. */
    record Sets(ReplicaSet newRs, List<ReplicaSet> old) {
        List<ReplicaSet> all() {
            return ReplicaSetLists.plus(old, newRs);
        }
    }

    private final Kernel kernel;
    private final EventRecorder events;
    private final Clock clock;
    private Deployment d;
    private final List<ReplicaSet> owned;
    /** When to look at the Deployment again for its progress deadline; null if not needed. */
    private Duration recheck;

    DeploymentSync(Kernel kernel, EventRecorder events, Clock clock, Deployment d, List<ReplicaSet> owned) {
        this.kernel = kernel;
        this.events = events;
        this.clock = clock;
        this.d = new DeploymentBuilder(d).build();
        this.owned = new ArrayList<>(owned);
    }

    Duration recheck() {
        return recheck;
    }

    // --- the entry points, as syncDeployment chooses them

    /** syncStatusOnly: a Deployment being deleted only has its status brought up to date. */
    void statusOnly() {
        Sets sets = allSetsAndSyncRevision(false);
        writeStatus(DeploymentStatuses.calculate(d, sets.all(), sets.newRs(), clock.instant()));
    }

    /** checkPausedConditions. */
    void pausedConditions() {
        if (DeploymentStatuses.setPausedCondition(d, clock.instant())) {
            d = updateStatus(d);
        }
    }

    /** isScalingEvent: an active ReplicaSet was last scaled for another replica count than the Deployment's now. */
    boolean isScalingEvent() {
        Sets sets = allSetsAndSyncRevision(false);
        for (ReplicaSet rs : ReplicaSetLists.active(sets.all())) {
            Integer desired = Revisions.desiredReplicas(rs);
            if (desired != null && desired != Fenceposts.replicas(d)) {
                return true;
            }
        }
        return false;
    }

    /** sync: a scaling event or a paused Deployment: scale, clean up when paused, write status. */
    void scaleOnly() {
        Sets sets = allSetsAndSyncRevision(false);
        List<ReplicaSet> old = scale(sets.newRs(), sets.old());
        if (Boolean.TRUE.equals(d.getSpec().getPaused())) {
            cleanup(old);
        }
        writeStatus(DeploymentStatuses.calculate(d, ReplicaSetLists.plus(old, sets.newRs()), sets.newRs(),
                clock.instant()));
    }

    /** rolloutRolling: scale the new ReplicaSet up within maxSurge, then the old ones down within maxUnavailable. */
    void rolling() {
        Sets sets = allSetsAndSyncRevision(true);
        ReplicaSet newRs = sets.newRs();
        List<ReplicaSet> old = sets.old();
        ReplicaSet scaledNew = reconcileNewReplicaSet(ReplicaSetLists.plus(old, newRs), newRs);
        if (scaledNew != newRs) {
            rolloutStatus(ReplicaSetLists.plus(old, scaledNew), scaledNew);
            return;
        }
        List<ReplicaSet> scaledOld = reconcileOldReplicaSets(ReplicaSetLists.plus(old, newRs), old, newRs);
        if (scaledOld != null) {
            rolloutStatus(ReplicaSetLists.plus(scaledOld, newRs), newRs);
            return;
        }
        if (DeploymentStatuses.isComplete(d, DeploymentStatuses.current(d))) {
            cleanup(old);
        }
        rolloutStatus(ReplicaSetLists.plus(old, newRs), newRs);
    }

    /**
     * rolloutRecreate: every old ReplicaSet to 0, then wait until none of their pods runs, then the new ReplicaSet
     * (created only now) to the full count.
     */
    void recreate(boolean oldPodsRunning) {
        Sets sets = allSetsAndSyncRevision(false);
        ReplicaSet newRs = sets.newRs();
        List<ReplicaSet> old = new ArrayList<>(sets.old());
        boolean scaledDown = false;
        for (int i = 0; i < old.size(); i++) {
            ReplicaSet rs = old.get(i);
            if (ReplicaSetLists.replicas(rs) > 0) {
                old.set(i, scaleAndRecord(rs, 0));
                scaledDown = true;
            }
        }
        if (scaledDown || ReplicaSetLists.actualTotal(old) > 0 || oldPodsRunning) {
            rolloutStatus(ReplicaSetLists.plus(old, newRs), newRs);
            return;
        }
        if (newRs == null) {
            Sets created = allSetsAndSyncRevision(true);
            newRs = created.newRs();
            old = new ArrayList<>(created.old());
        }
        newRs = scaleAndRecord(newRs, Fenceposts.replicas(d));
        if (DeploymentStatuses.isComplete(d, DeploymentStatuses.current(d))) {
            cleanup(old);
        }
        rolloutStatus(ReplicaSetLists.plus(old, newRs), newRs);
    }

    // --- the new ReplicaSet and revisions

    /** getAllReplicaSetsAndSyncRevision: the old ReplicaSets, and the new one (created when asked and missing). */
    Sets allSetsAndSyncRevision(boolean createIfMissing) {
        ReplicaSet existing = ReplicaSetLists.findNew(d, owned);
        List<ReplicaSet> old = ReplicaSetLists.findOld(existing, owned);
        return new Sets(newReplicaSet(existing, old, createIfMissing), old);
    }

    private ReplicaSet newReplicaSet(ReplicaSet existing, List<ReplicaSet> old, boolean createIfMissing) {
        long newRevision = Revisions.maxRevision(old) + 1;
        if (existing != null) {
            ReplicaSet copy = new ReplicaSetBuilder(existing).build();
            boolean annotated = Revisions.setNewReplicaSetAnnotations(d, copy, newRevision, true);
            boolean minReady = !Objects.equals(copy.getSpec().getMinReadySeconds(), d.getSpec().getMinReadySeconds());
            if (annotated || minReady) {
                copy.getSpec().setMinReadySeconds(d.getSpec().getMinReadySeconds());
                copy = kernel.resources(ReplicaSet.class).inNamespace(namespace()).update(copy);
                owned.set(owned.indexOf(existing), copy); // a second look in this sync starts from what is stored
            }
            boolean changed = Revisions.setDeploymentRevision(d, copy.getMetadata().getAnnotations()
                    .get(Revisions.REVISION));
            if (DeploymentStatuses.hasProgressDeadline(d)
                    && DeploymentStatuses.get(DeploymentStatuses.current(d), DeploymentStatuses.PROGRESSING) == null) {
                setCondition("True", "FoundNewReplicaSet", "Found new replica set \"" + copy.getMetadata().getName()
                        + "\"");
                changed = true;
            }
            if (changed) {
                d = updateStatus(d);
            }
            return copy;
        }
        if (!createIfMissing) {
            return null;
        }
        return createReplicaSet(old, newRevision);
    }

    private ReplicaSet createReplicaSet(List<ReplicaSet> old, long newRevision) {
        Integer collisions = DeploymentStatuses.current(d).getCollisionCount();
        String hash = TemplateHash.compute(d.getSpec().getTemplate(), collisions);
        Map<String, String> labels = new LinkedHashMap<>(d.getSpec().getTemplate().getMetadata() == null
                || d.getSpec().getTemplate().getMetadata().getLabels() == null ? Map.of()
                : d.getSpec().getTemplate().getMetadata().getLabels());
        labels.put(TemplateHash.LABEL, hash);
        Map<String, String> matchLabels = new LinkedHashMap<>(d.getSpec().getSelector().getMatchLabels() == null
                ? Map.of() : d.getSpec().getSelector().getMatchLabels());
        matchLabels.put(TemplateHash.LABEL, hash);
        ReplicaSet rs = new ReplicaSetBuilder()
                .withNewMetadata().withName(d.getMetadata().getName() + "-" + hash).withNamespace(namespace())
                .withLabels(labels).withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("apps/v1")
                        .withKind("Deployment").withName(d.getMetadata().getName()).withUid(d.getMetadata().getUid())
                        .withController(true).withBlockOwnerDeletion(true).build())
                .endMetadata()
                .withNewSpec().withReplicas(0).withMinReadySeconds(d.getSpec().getMinReadySeconds())
                .withSelector(new LabelSelectorBuilder(d.getSpec().getSelector()).withMatchLabels(matchLabels).build())
                .withTemplate(new PodTemplateSpecBuilder(d.getSpec().getTemplate()).editOrNewMetadata()
                        .withLabels(labels).endMetadata().build())
                .endSpec().build();
        int replicas = newReplicas(ReplicaSetLists.plus(old, null), rs);
        rs.getSpec().setReplicas(replicas);
        Revisions.setNewReplicaSetAnnotations(d, rs, newRevision, false);
        ReplicaSet created;
        boolean alreadyExists = false;
        try {
            created = kernel.resources(ReplicaSet.class).inNamespace(namespace()).create(rs);
        } catch (ApiException e) {
            if (!"AlreadyExists".equals(e.reason())) {
                setCondition("ReplicaFailure", "True", "FailedCreate", e.getMessage());
                d = updateStatus(d);
                throw e;
            }
            ReplicaSet there = kernel.resources(ReplicaSet.class).inNamespace(namespace())
                    .get(rs.getMetadata().getName());
            if (DeploymentController.controlledBy(there, d)
                    && TemplateHash.equalIgnoringHash(there.getSpec().getTemplate(), d.getSpec().getTemplate())) {
                created = there; // our own, from a sync whose cache had not seen it yet
                alreadyExists = true;
            } else {
                // a hash collision: another template took the name; the next sync hashes with a new count
                DeploymentStatus status = DeploymentStatuses.current(d);
                status.setCollisionCount(collisions == null ? 1 : collisions + 1);
                d.setStatus(status);
                updateStatus(d);
                throw new IllegalStateException("hash collision on ReplicaSet " + rs.getMetadata().getName()
                        + " of Deployment " + namespace() + "/" + d.getMetadata().getName());
            }
        }
        if (!alreadyExists && replicas > 0) {
            events.event(d, EventRecorder.NORMAL, "ScalingReplicaSet", "Scaled up replica set "
                    + created.getMetadata().getName() + " to " + replicas);
        }
        boolean changed = Revisions.setDeploymentRevision(d, Long.toString(newRevision));
        if (!alreadyExists && DeploymentStatuses.hasProgressDeadline(d)) {
            setCondition("True", "NewReplicaSetCreated", "Created new replica set \""
                    + created.getMetadata().getName() + "\"");
            changed = true;
        }
        if (changed) {
            d = updateStatus(d);
        }
        return created;
    }

    private void setCondition(String status, String reason, String message) {
        setCondition(DeploymentStatuses.PROGRESSING, status, reason, message);
    }

    private void setCondition(String type, String status, String reason, String message) {
        DeploymentStatus s = DeploymentStatuses.current(d);
        DeploymentStatuses.set(s, DeploymentStatuses.condition(type, status, reason, message, clock.instant()));
        d.setStatus(s);
    }

    /** NewRSNewReplicas: how far the new ReplicaSet may grow now. */
    int newReplicas(List<ReplicaSet> all, ReplicaSet newRs) {
        return ScalePlans.newReplicaSetReplicas(d, all, newRs);
    }

    // --- rolling update

    /** reconcileNewReplicaSet: the new ReplicaSet scaled (the same object when it was not). */
    private ReplicaSet reconcileNewReplicaSet(List<ReplicaSet> all, ReplicaSet newRs) {
        int replicas = Fenceposts.replicas(d);
        if (ReplicaSetLists.replicas(newRs) == replicas) {
            return newRs;
        }
        if (ReplicaSetLists.replicas(newRs) > replicas) {
            return scaleAndRecord(newRs, replicas);
        }
        return scaleAndRecord(newRs, newReplicas(all, newRs));
    }

    /**
     * reconcileOldReplicaSets: old ReplicaSets scaled down as far as availability allows, their unhealthy pods first;
     * the old ReplicaSets after it, or null when none was scaled.
     */
    private List<ReplicaSet> reconcileOldReplicaSets(List<ReplicaSet> all, List<ReplicaSet> old, ReplicaSet newRs) {
        List<ScalePlans.Step> steps = ScalePlans.scaleDownOld(d, all, ReplicaSetLists.active(old), newRs);
        if (steps.isEmpty()) {
            return null;
        }
        List<ReplicaSet> result = new ArrayList<>(old);
        for (ScalePlans.Step step : steps) {
            int i = indexOf(result, step.name());
            result.set(i, scaleAndRecord(result.get(i), step.size()));
        }
        return result;
    }

    private static int indexOf(List<ReplicaSet> sets, String name) {
        for (int i = 0; i < sets.size(); i++) {
            if (sets.get(i).getMetadata().getName().equals(name)) {
                return i;
            }
        }
        throw new IllegalStateException("no ReplicaSet " + name + " in the plan's list");
    }

    // --- scaling

    /** scale: a Deployment's new size spread over its ReplicaSets; the old ReplicaSets after it. */
    private List<ReplicaSet> scale(ReplicaSet newRs, List<ReplicaSet> old) {
        ScalePlans.Scaling plan = ScalePlans.proportionalScale(d, newRs, old);
        List<ReplicaSet> sets = ReplicaSetLists.plus(old, newRs);
        for (ScalePlans.Step step : plan.steps()) {
            int i = indexOf(sets, step.name());
            ReplicaSet rs = sets.get(i);
            sets.set(i, plan.operation() == null ? scaleAndRecord(rs, step.size())
                    : scale(rs, step.size(), plan.operation()));
        }
        return newRs == null ? sets : sets.subList(0, sets.size() - 1);
    }

    /** scaleReplicaSetAndRecordEvent: "up" or "down" by the direction. */
    private ReplicaSet scaleAndRecord(ReplicaSet rs, int size) {
        if (ReplicaSetLists.replicas(rs) == size) {
            return rs;
        }
        return scale(rs, size, ReplicaSetLists.replicas(rs) < size ? "up" : "down");
    }

    /** scaleReplicaSet: the size and the replica annotations, with a ScalingReplicaSet event when the size changed. */
    private ReplicaSet scale(ReplicaSet rs, int size, String operation) {
        int replicas = Fenceposts.replicas(d);
        int max = replicas + Fenceposts.maxSurge(d);
        boolean resize = ReplicaSetLists.replicas(rs) != size;
        if (!resize && !Revisions.replicasAnnotationsNeedUpdate(rs, replicas, max)) {
            return rs;
        }
        ReplicaSet copy = new ReplicaSetBuilder(rs).build();
        copy.getSpec().setReplicas(size);
        Revisions.setReplicasAnnotations(copy, replicas, max);
        ReplicaSet updated = kernel.resources(ReplicaSet.class).inNamespace(namespace()).update(copy);
        if (resize) {
            events.event(d, EventRecorder.NORMAL, "ScalingReplicaSet", "Scaled " + operation + " replica set "
                    + rs.getMetadata().getName() + " to " + size + " from " + ReplicaSetLists.replicas(rs));
        }
        return updated;
    }

    // --- clean-up and status

    /** cleanupDeployment: the oldest revisions beyond revisionHistoryLimit go, if they have no pods left. */
    private void cleanup(List<ReplicaSet> old) {
        for (ReplicaSet rs : ScalePlans.beyondHistoryLimit(d, old)) {
            try {
                kernel.resources(ReplicaSet.class).inNamespace(namespace()).delete(rs.getMetadata().getName());
            } catch (ApiException e) {
                if (e.code() != 404) {
                    throw e;
                }
            }
        }
    }

    private void rolloutStatus(List<ReplicaSet> all, ReplicaSet newRs) {
        DeploymentStatus status = DeploymentStatuses.rollout(d, all, newRs, clock.instant());
        if (sameStatus(DeploymentStatuses.current(d), status)) {
            recheck = DeploymentStatuses.recheckAfter(d, status, clock.instant());
            return;
        }
        d.setStatus(status);
        d = updateStatus(d);
    }

    private void writeStatus(DeploymentStatus status) {
        if (!sameStatus(DeploymentStatuses.current(d), status)) {
            d.setStatus(status);
            d = updateStatus(d);
        }
    }

    private static boolean sameStatus(DeploymentStatus a, DeploymentStatus b) {
        DeploymentStatus x = new io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder(a).build();
        DeploymentStatus y = new io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder(b).build();
        for (DeploymentStatus s : List.of(x, y)) {
            if (s.getConditions() == null) {
                s.setConditions(new ArrayList<>());
            }
        }
        return x.equals(y);
    }

    /** The Deployment's status (and, as the apiserver lets a status write do, its revision annotation). */
    private Deployment updateStatus(Deployment deployment) {
        return kernel.resources(Deployment.class).inNamespace(namespace()).updateStatus(deployment);
    }

    private String namespace() {
        return d.getMetadata().getNamespace();
    }
}
