package io.keelson.kernel.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.keelson.kernel.KernelTestBase;
import io.keelson.kernel.ListRequest;
import io.keelson.kernel.Resources;
import io.keelson.kernel.TestObjects;
import io.keelson.kernel.controller.Result;
import io.keelson.kernel.informer.InformerFactory;
import io.keelson.kernel.informer.Informers;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * kube's deployment controller cases against the kernel: the test calls the sync itself, after the informers have
 * seen every write, and plays the ReplicaSet controller by writing ReplicaSet statuses (as upstream's tests use fake
 * ReplicaSets).
 */
class DeploymentControllerTest extends KernelTestBase {
    private InformerFactory informers;
    private DeploymentController controller;
    private Resources<Deployment> deployments;
    private Resources<ReplicaSet> sets;
    private String ns;

    @BeforeEach
    void open(TestInfo test) throws Exception {
        ns = "dp-" + Math.abs(test.getDisplayName().hashCode() % 100000);
        kernel.resources(Namespace.class).create(TestObjects.namespace(ns));
        deployments = kernel.resources(Deployment.class).inNamespace(ns);
        sets = kernel.resources(ReplicaSet.class).inNamespace(ns);
        informers = InformerFactory.builder(kernel).build();
        controller = DeploymentController.create(kernel, informers, fixture.clock());
        informers.startAll().get(30, TimeUnit.SECONDS);
    }

    @AfterEach
    void close() {
        controller.close();
        informers.close();
    }

    private Deployment deployment(String name, int replicas, String surge, String unavailable) {
        Deployment d = TestObjects.deployment(name, replicas);
        d.getSpec().setStrategy(new io.fabric8.kubernetes.api.model.apps.DeploymentStrategyBuilder()
                .withType("RollingUpdate").withNewRollingUpdate().withMaxSurge(intOrPercent(surge))
                .withMaxUnavailable(intOrPercent(unavailable)).endRollingUpdate().build());
        return deployments.create(d);
    }

    private static IntOrString intOrPercent(String v) {
        return v.endsWith("%") ? new IntOrString(v) : new IntOrString(Integer.parseInt(v));
    }

    private Result sync(String name) throws InterruptedException {
        settle();
        Result r = controller.sync(ns + "/" + name);
        settle();
        return r;
    }

    private void settle() throws InterruptedException {
        Informers.caughtUp(kernel, informers.forType(Deployment.class), Deployment.class);
        Informers.caughtUp(kernel, informers.forType(ReplicaSet.class), ReplicaSet.class);
        Informers.caughtUp(kernel, informers.forType(Pod.class), Pod.class);
    }

    /** Plays the ReplicaSet controller: every pod of each ReplicaSet exists and is available. */
    private void allAvailable() {
        for (ReplicaSet rs : sets.list(ListRequest.all()).items()) {
            int n = rs.getSpec().getReplicas();
            setStatus(rs.getMetadata().getName(), n, n);
        }
    }

    private void setStatus(String name, int replicas, int available) {
        ReplicaSet rs = sets.get(name);
        sets.updateStatus(new ReplicaSetBuilder(rs).withNewStatus().withReplicas(replicas)
                .withFullyLabeledReplicas(replicas).withReadyReplicas(available).withAvailableReplicas(available)
                .withObservedGeneration(rs.getMetadata().getGeneration()).endStatus().build());
    }

    private List<ReplicaSet> replicaSets() {
        return sets.list(ListRequest.all()).items().stream()
                .sorted(Comparator.comparingLong(Revisions::revision)).toList();
    }

    private Map<String, Integer> sizes() {
        Map<String, Integer> m = new java.util.TreeMap<>();
        for (ReplicaSet rs : replicaSets()) {
            m.put("rev" + Revisions.revision(rs), rs.getSpec().getReplicas());
        }
        return m;
    }

    private void changeImage(String name, String image) {
        Deployment d = deployments.get(name);
        d.getSpec().getTemplate().getSpec().getContainers().get(0).setImage(image);
        deployments.update(d);
    }

    private DeploymentCondition condition(String name, String type) {
        return deployments.get(name).getStatus().getConditions().stream().filter(c -> type.equals(c.getType()))
                .findFirst().orElse(null);
    }

    private List<String> events(String reason) {
        return kernel.resources(Event.class).inNamespace(ns).list(ListRequest.all()).items().stream()
                .filter(e -> reason.equals(e.getReason())).map(Event::getMessage).toList();
    }

    @Test
    void aNewDeployment_getsOneReplicaSetNamedByItsTemplateHash_atRevision1_scaledToReplicas() throws Exception {
        Deployment d = deployment("web", 3, "25%", "25%");
        sync("web");

        ReplicaSet rs = sets.list(ListRequest.all()).items().get(0);
        String hash = rs.getMetadata().getLabels().get("pod-template-hash");
        assertThat(hash).isNotEmpty().matches("[bcdfghjklmnpqrstvwxz2456789]+");
        assertThat(rs.getMetadata().getName()).isEqualTo("web-" + hash);
        assertThat(rs.getSpec().getReplicas()).isEqualTo(3);
        assertThat(rs.getSpec().getSelector().getMatchLabels()).containsEntry("app", "web")
                .containsEntry("pod-template-hash", hash);
        assertThat(rs.getSpec().getTemplate().getMetadata().getLabels()).containsEntry("pod-template-hash", hash);
        assertThat(rs.getMetadata().getAnnotations()).containsEntry("deployment.kubernetes.io/revision", "1")
                .containsEntry("deployment.kubernetes.io/desired-replicas", "3")
                .containsEntry("deployment.kubernetes.io/max-replicas", "4");
        assertThat(rs.getMetadata().getOwnerReferences()).singleElement().satisfies(r -> {
            assertThat(r.getKind()).isEqualTo("Deployment");
            assertThat(r.getUid()).isEqualTo(d.getMetadata().getUid());
            assertThat(r.getController()).isTrue();
        });
        Deployment after = deployments.get("web");
        assertThat(after.getMetadata().getAnnotations()).containsEntry("deployment.kubernetes.io/revision", "1");
        assertThat(after.getMetadata().getGeneration()).as("a status write does not bump generation").isEqualTo(1L);
        assertThat(condition("web", "Progressing").getReason()).isEqualTo("NewReplicaSetCreated");
        assertThat(condition("web", "Progressing").getMessage()).isEqualTo("Created new replica set \"web-" + hash
                + "\"");
        assertThat(events("ScalingReplicaSet")).containsExactly("Scaled up replica set web-" + hash + " to 3");
        assertThat(TemplateHash.compute(d.getSpec().getTemplate(), null)).as("stable for one template")
                .isEqualTo(hash);
    }

    @Test
    void aRollingUpdate_movesInStepsBoundedByMaxSurgeAndMaxUnavailable() throws Exception {
        deployment("web", 4, "1", "1");
        sync("web");
        allAvailable();
        sync("web");
        assertThat(condition("web", "Available").getStatus()).isEqualTo("True");
        assertThat(condition("web", "Progressing").getReason()).isEqualTo("NewReplicaSetAvailable");

        changeImage("web", "nginx:2");
        sync("web");
        // the new ReplicaSet is created at 1 (4 + 1 surge - 4); the old may lose 1 (3 must stay available)
        assertThat(sizes()).containsExactly(Map.entry("rev1", 3), Map.entry("rev2", 1));
        sync("web");
        assertThat(sizes()).as("the old ReplicaSet still reports 4 pods: no room yet").containsExactly(
                Map.entry("rev1", 3), Map.entry("rev2", 1));
        setStatus(replicaSets().get(0).getMetadata().getName(), 3, 3);
        sync("web");
        assertThat(sizes()).as("its pod went: room for one more surge pod").containsExactly(Map.entry("rev1", 3),
                Map.entry("rev2", 2));
        sync("web");
        assertThat(sizes()).as("nothing more until new pods are available").containsExactly(Map.entry("rev1", 3),
                Map.entry("rev2", 2));
        for (int round = 0; round < 10 && sizes().get("rev1") > 0; round++) {
            allAvailable();
            sync("web");
            Map<String, Integer> s = sizes();
            assertThat(s.get("rev1") + s.get("rev2")).as("at most replicas + maxSurge").isLessThanOrEqualTo(5);
        }
        allAvailable();
        sync("web");
        assertThat(sizes()).containsExactly(Map.entry("rev1", 0), Map.entry("rev2", 4));
        allAvailable();
        sync("web");
        Deployment done = deployments.get("web");
        assertThat(done.getMetadata().getAnnotations()).containsEntry("deployment.kubernetes.io/revision", "2");
        assertThat(done.getStatus().getUpdatedReplicas()).isEqualTo(4);
        assertThat(done.getStatus().getAvailableReplicas()).isEqualTo(4);
        assertThat(done.getStatus().getObservedGeneration()).isEqualTo(done.getMetadata().getGeneration());
        assertThat(condition("web", "Progressing").getReason()).isEqualTo("NewReplicaSetAvailable");
        assertThat(events("ScalingReplicaSet")).anyMatch(m -> m.matches("Scaled down replica set web-\\w+ to 3 from 4"));
    }

    @Test
    void recreate_scalesTheOldReplicaSetToZero_andCreatesTheNewOneOnlyWhenItsPodsAreGone() throws Exception {
        Deployment d = TestObjects.deployment("web", 2);
        d.getSpec().setStrategy(new io.fabric8.kubernetes.api.model.apps.DeploymentStrategyBuilder()
                .withType("Recreate").build());
        deployments.create(d);
        sync("web");
        allAvailable();
        sync("web");
        changeImage("web", "nginx:2");
        sync("web");
        assertThat(sizes()).containsExactly(Map.entry("rev1", 0));
        sync("web");
        assertThat(sizes()).as("the old ReplicaSet still reports pods").containsExactly(Map.entry("rev1", 0));
        setStatus(replicaSets().get(0).getMetadata().getName(), 0, 0);
        sync("web");
        assertThat(sizes()).containsExactly(Map.entry("rev1", 0), Map.entry("rev2", 2));
    }

    @Test
    void scalingDuringARollout_isSpreadInProportionToEachReplicaSetsSize() throws Exception {
        deployment("web", 10, "3", "2");
        sync("web");
        allAvailable();
        sync("web");
        changeImage("web", "nginx:2");
        sync("web");
        setStatus(replicaSets().get(0).getMetadata().getName(), 8, 8);
        sync("web");
        assertThat(sizes()).containsExactly(Map.entry("rev1", 8), Map.entry("rev2", 5));
        Deployment d = deployments.get("web");
        d.getSpec().setReplicas(20);
        deployments.update(d);
        sync("web");
        // 13 pods for 10 + 3 surge; now 20 + 3: 10 more, each its share of 23 by its share of 13 (8 → 14, 5 → 9)
        assertThat(sizes()).containsExactly(Map.entry("rev1", 14), Map.entry("rev2", 9));
        assertThat(replicaSets()).allSatisfy(rs -> assertThat(rs.getMetadata().getAnnotations())
                .containsEntry("deployment.kubernetes.io/desired-replicas", "20")
                .containsEntry("deployment.kubernetes.io/max-replicas", "23"));
    }

    @Test
    void aPausedDeployment_doesNotRollOut_butScales_andReportsPausedThenResumed() throws Exception {
        deployment("web", 2, "25%", "25%");
        sync("web");
        allAvailable();
        sync("web");
        Deployment d = deployments.get("web");
        d.getSpec().setPaused(true);
        d.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("nginx:2");
        deployments.update(d);
        sync("web");
        assertThat(sizes()).containsExactly(Map.entry("rev1", 2));
        assertThat(condition("web", "Progressing").getReason()).isEqualTo("DeploymentPaused");
        assertThat(condition("web", "Progressing").getStatus()).isEqualTo("Unknown");
        assertThat(condition("web", "Progressing").getMessage()).isEqualTo("Deployment is paused");

        d = deployments.get("web");
        d.getSpec().setReplicas(3);
        deployments.update(d);
        sync("web");
        assertThat(sizes()).containsExactly(Map.entry("rev1", 3));

        d = deployments.get("web");
        d.getSpec().setPaused(false);
        deployments.update(d);
        sync("web");
        assertThat(replicaSets()).hasSize(2);
        assertThat(condition("web", "Progressing").getReason()).isIn("DeploymentResumed", "NewReplicaSetCreated",
                "ReplicaSetUpdated");
    }

    @Test
    void undo_restoresThePreviousTemplate_underANewRevision_andKeepsTheOldReplicaSet() throws Exception {
        deployment("web", 2, "1", "0");
        sync("web");
        allAvailable();
        changeImage("web", "nginx:2");
        for (int i = 0; i < 6; i++) {
            allAvailable();
            sync("web");
        }
        assertThat(sizes()).containsExactly(Map.entry("rev1", 0), Map.entry("rev2", 2));
        String firstHash = replicaSets().get(0).getMetadata().getLabels().get("pod-template-hash");

        Deployment rolledBack = DeploymentController.undo(kernel, ns, "web", 0);
        assertThat(rolledBack.getSpec().getTemplate().getSpec().getContainers().get(0).getImage()).isEqualTo("nginx");
        assertThat(rolledBack.getSpec().getTemplate().getMetadata().getLabels()).doesNotContainKey("pod-template-hash");
        for (int i = 0; i < 6; i++) {
            allAvailable();
            sync("web");
        }
        assertThat(sets.list(ListRequest.all()).items()).hasSize(2);
        ReplicaSet back = sets.get("web-" + firstHash);
        assertThat(back.getSpec().getReplicas()).isEqualTo(2);
        assertThat(back.getMetadata().getAnnotations()).containsEntry("deployment.kubernetes.io/revision", "3")
                .containsEntry("deployment.kubernetes.io/revision-history", "1");
        assertThat(deployments.get("web").getMetadata().getAnnotations())
                .containsEntry("deployment.kubernetes.io/revision", "3");

        assertThatThrownBy(() -> DeploymentController.undo(kernel, ns, "web", 7))
                .hasMessage("unable to find specified revision 7 in history");
        Deployment same = DeploymentController.undo(kernel, ns, "web", 3);
        assertThat(same.getMetadata().getResourceVersion()).as("already at revision 3: nothing written")
                .isEqualTo(deployments.get("web").getMetadata().getResourceVersion());
        Deployment paused = deployments.get("web");
        paused.getSpec().setPaused(true);
        deployments.update(paused);
        assertThatThrownBy(() -> DeploymentController.undo(kernel, ns, "web", 2)).isInstanceOf(
                IllegalStateException.class).hasMessage("you cannot rollback a paused deployment; resume it first with"
                + " 'kubectl rollout resume deployment/web' and try again");
    }

    @Test
    void oldReplicaSetsBeyondTheHistoryLimit_areDeleted_oldestFirst() throws Exception {
        Deployment d = TestObjects.deployment("web", 1);
        d.getSpec().setRevisionHistoryLimit(1);
        deployments.create(d);
        for (String image : List.of("nginx:2", "nginx:3", "nginx:4")) {
            for (int i = 0; i < 6; i++) {
                allAvailable();
                sync("web");
            }
            changeImage("web", image);
        }
        for (int i = 0; i < 6; i++) {
            allAvailable();
            sync("web");
        }
        assertThat(sizes()).containsExactly(Map.entry("rev3", 0), Map.entry("rev4", 1));
    }

    @Test
    void orphanReplicaSetsThatMatch_areAdopted_andOwnedOnesThatStopMatching_released() throws Exception {
        ReplicaSet orphan = sets.create(new ReplicaSetBuilder().withNewMetadata().withName("stray")
                .addToLabels("app", "web").endMetadata().withNewSpec().withReplicas(0).withNewSelector()
                .addToMatchLabels("app", "web").endSelector().withNewTemplate().withNewMetadata()
                .addToLabels("app", "web").endMetadata().withNewSpec().addNewContainer().withName("app")
                .withImage("busybox").endContainer().endSpec().endTemplate().endSpec().build());
        Deployment d = deployments.create(TestObjects.deployment("web", 1));
        sync("web");
        assertThat(sets.get("stray").getMetadata().getOwnerReferences()).singleElement()
                .satisfies(r -> assertThat(r.getUid()).isEqualTo(d.getMetadata().getUid()));

        ReplicaSet relabelled = sets.get("stray");
        relabelled.getMetadata().setLabels(Map.of("app", "other"));
        sets.update(relabelled);
        sync("web");
        assertThat(sets.get("stray").getMetadata().getOwnerReferences()).isEmpty();
        assertThat(orphan.getMetadata().getUid()).isEqualTo(sets.get("stray").getMetadata().getUid());
    }

    @Test
    void aRolloutWithoutProgress_timesOutAfterProgressDeadlineSeconds() throws Exception {
        Deployment d = TestObjects.deployment("web", 1);
        d.getSpec().setProgressDeadlineSeconds(30);
        deployments.create(d);
        sync("web");
        Result r = sync("web");
        assertThat(r.requeued()).as("looked at again when the deadline passes").isTrue();
        assertThat(r.delay()).isBetween(Duration.ofSeconds(29), Duration.ofSeconds(31));
        fixture.clock().advance(Duration.ofSeconds(31));
        sync("web");
        DeploymentCondition c = condition("web", "Progressing");
        assertThat(c.getStatus()).isEqualTo("False");
        assertThat(c.getReason()).isEqualTo("ProgressDeadlineExceeded");
        assertThat(c.getMessage()).matches("ReplicaSet \"web-\\w+\" has timed out progressing.");
        assertThat(condition("web", "Available").getReason()).isEqualTo("MinimumReplicasUnavailable");
        assertThat(condition("web", "Available").getMessage())
                .isEqualTo("Deployment does not have minimum availability.");
    }
}
