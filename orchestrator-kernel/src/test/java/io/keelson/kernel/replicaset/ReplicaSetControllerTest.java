package io.keelson.kernel.replicaset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.keelson.kernel.AdmissionPlugin;
import io.keelson.kernel.AdmissionRequest;
import io.keelson.kernel.ApiException;
import io.keelson.kernel.KernelTestBase;
import io.keelson.kernel.TestKernels;
import io.keelson.kernel.ListRequest;
import io.keelson.kernel.Resources;
import io.keelson.kernel.TestObjects;
import io.keelson.kernel.informer.InformerFactory;
import io.keelson.kernel.informer.Informers;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.io.TempDir;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * kube's replica_set_test cases against the kernel: the test calls the sync itself (no workers run), after the
 * informers have seen every write, as upstream's tests call syncReplicaSet on fake informers.
 */
class ReplicaSetControllerTest extends KernelTestBase {
    private InformerFactory informers;
    private ReplicaSetController controller;
    private Resources<Pod> pods;
    private Resources<ReplicaSet> sets;
    private String ns;

    @BeforeEach
    void open(TestInfo test) throws Exception {
        ns = "rs-" + Math.abs(test.getDisplayName().hashCode() % 100000);
        kernel.resources(Namespace.class).create(TestObjects.namespace(ns));
        pods = kernel.resources(Pod.class).inNamespace(ns);
        sets = kernel.resources(ReplicaSet.class).inNamespace(ns);
        // the controller hands parts of its cached ReplicaSet (the template) to creates: nothing may change them
        informers = InformerFactory.builder(kernel).detectMutations(true).build();
        controller = ReplicaSetController.create(kernel, informers, fixture.clock());
        informers.startAll().get(30, TimeUnit.SECONDS);
    }

    @AfterEach
    void close() {
        controller.close();
        try {
            informers.checkMutations();
        } finally {
            informers.close();
        }
    }

    private ReplicaSet replicaSet(String name, int replicas) {
        return sets.create(replicaSetObject(name, replicas));
    }

    private static ReplicaSet replicaSetObject(String name, int replicas) {
        return new ReplicaSetBuilder().withNewMetadata().withName(name).endMetadata().withNewSpec()
                .withReplicas(replicas).withNewSelector().addToMatchLabels("app", name).endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", name).addToLabels("tier", "web")
                .addToAnnotations("note", "from-template").endMetadata().withNewSpec().addNewContainer()
                .withName("c").withImage("nginx").endContainer().endSpec().endTemplate().endSpec().build();
    }

    private void settle() throws InterruptedException {
        Informers.caughtUp(kernel, informers.forType(Pod.class), Pod.class);
        Informers.caughtUp(kernel, informers.forType(ReplicaSet.class), ReplicaSet.class);
    }

    private void sync(String name) throws InterruptedException {
        settle();
        try {
            controller.sync(ns + "/" + name);
        } catch (ReplicaSetPods.ManageFailure e) {
            // a failed create or delete: the worker would retry; the test looks at the outcome
        }
        settle();
    }

    private List<Pod> active() {
        return pods.list(ListRequest.all()).items().stream().filter(Pods::isActive).toList();
    }

    private List<Event> events(String reason) {
        return kernel.resources(Event.class).inNamespace(ns).list(ListRequest.all()).items().stream()
                .filter(e -> reason.equals(e.getReason())).toList();
    }

    @Test
    void missingReplicas_areCreatedFromTheTemplate_ownedByTheReplicaSet_andCountedInItsStatus() throws Exception {
        ReplicaSet rs = replicaSet("web", 3);
        sync("web");

        assertThat(active()).hasSize(3).allSatisfy(p -> {
            assertThat(p.getMetadata().getName()).startsWith("web-");
            assertThat(p.getMetadata().getLabels()).containsEntry("app", "web").containsEntry("tier", "web");
            assertThat(p.getMetadata().getAnnotations()).containsEntry("note", "from-template");
            assertThat(p.getMetadata().getOwnerReferences()).singleElement().satisfies(r -> {
                assertThat(r.getUid()).isEqualTo(rs.getMetadata().getUid());
                assertThat(r.getController()).isTrue();
                assertThat(r.getBlockOwnerDeletion()).isTrue();
            });
        });
        sync("web");
        assertThat(active()).as("no second round of creations").hasSize(3);
        ReplicaSet status = sets.get("web");
        assertThat(status.getStatus().getReplicas()).isEqualTo(3);
        assertThat(status.getStatus().getFullyLabeledReplicas()).isEqualTo(3);
        assertThat(status.getStatus().getReadyReplicas()).isZero();
        assertThat(status.getStatus().getObservedGeneration()).isEqualTo(1L);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (events("SuccessfulCreate").size() < 3 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(events("SuccessfulCreate")).extracting(Event::getMessage).containsExactlyInAnyOrderElementsOf(
                active().stream().map(p -> "Created pod: " + p.getMetadata().getName()).toList());
    }

    @Test
    void whileItsCreationsAreUnseen_theReplicaSetDoesNotCreateAgain_untilTheExpectationsExpire() throws Exception {
        replicaSet("web", 2);
        // a controller whose pod informer never starts: its cache never shows the pods it creates
        try (InformerFactory blind = InformerFactory.builder(kernel).build();
             ReplicaSetController stale = ReplicaSetController.create(kernel, blind, fixture.clock())) {
            blind.forType(ReplicaSet.class).start().get(30, TimeUnit.SECONDS);
            Informers.caughtUp(kernel, blind.forType(ReplicaSet.class), ReplicaSet.class);
            stale.sync(ns + "/web");
            stale.sync(ns + "/web");
            assertThat(active()).hasSize(2);

            fixture.clock().advance(Expectations.TTL);
            stale.sync(ns + "/web");
            assertThat(active()).as("given up on after five minutes").hasSize(4);
        }
    }

    @Test
    void surplusPods_areDeletedInTheUpstreamOrder() throws Exception {
        replicaSet("web", 3);
        sync("web");
        List<Pod> three = active();
        // one of them scheduled, running and ready; one scheduled and pending; one unscheduled
        setStatus(bound(three.get(0), "node-1"), "Running", true);
        setStatus(bound(three.get(1), "node-1"), "Pending", false);
        ReplicaSet scaled = sets.get("web");
        scaled.getSpec().setReplicas(1);
        sets.update(scaled);
        sync("web");

        assertThat(active()).extracting(p -> p.getMetadata().getName())
                .containsExactly(three.get(0).getMetadata().getName());
    }

    private Pod bound(Pod pod, String node) {
        return kernel.bind(ns, new io.fabric8.kubernetes.api.model.BindingBuilder().withNewMetadata()
                .withName(pod.getMetadata().getName()).endMetadata().withNewTarget().withKind("Node").withName(node)
                .endTarget().build());
    }

    private void setStatus(Pod pod, String phase, boolean ready) {
        Pod p = new PodBuilder(pod).editOrNewStatus().withPhase(phase).addNewCondition().withType("Ready")
                .withStatus(ready ? "True" : "False").withLastTransitionTime("2026-11-30T00:00:00Z").endCondition()
                .endStatus().build();
        pods.updateStatus(p);
    }

    @Test
    void matchingOrphans_areAdopted_andPodsThatStopMatching_areReleasedAndReplaced() throws Exception {
        Pod orphan = pods.create(new PodBuilder(TestObjects.pod("orphan", Map.of("app", "web"))).build());
        Pod other = pods.create(new PodBuilder(TestObjects.pod("other", Map.of("app", "db"))).build());
        ReplicaSet rs = replicaSet("web", 2);
        sync("web");

        assertThat(pods.get("orphan").getMetadata().getOwnerReferences()).singleElement()
                .satisfies(r -> assertThat(r.getUid()).isEqualTo(rs.getMetadata().getUid()));
        assertThat(pods.get("other").getMetadata().getOwnerReferences()).isNullOrEmpty();
        assertThat(active()).hasSize(3).as("the orphan counts: one created");

        Pod relabelled = pods.get("orphan");
        relabelled.getMetadata().setLabels(Map.of("app", "moved"));
        pods.update(relabelled);
        sync("web");
        assertThat(pods.get("orphan").getMetadata().getOwnerReferences()).isNullOrEmpty();
        assertThat(active().stream().filter(p -> p.getMetadata().getOwnerReferences() != null
                && !p.getMetadata().getOwnerReferences().isEmpty())).hasSize(2);
        assertThat(orphan.getMetadata().getUid()).isNotEqualTo(other.getMetadata().getUid());
    }

    @Test
    void podsOfAnotherController_andPodsBeingDeleted_areNotAdopted() throws Exception {
        Pod owned = TestObjects.pod("owned", Map.of("app", "web"));
        owned.getMetadata().setOwnerReferences(List.of(new io.fabric8.kubernetes.api.model.OwnerReferenceBuilder()
                .withApiVersion("apps/v1").withKind("ReplicaSet").withName("someone-else").withUid("other-uid")
                .withController(true).build()));
        pods.create(owned);
        replicaSet("web", 1);
        sync("web");
        assertThat(pods.get("owned").getMetadata().getOwnerReferences()).extracting(r -> r.getUid())
                .containsExactly("other-uid");
        assertThat(active()).hasSize(2).as("its own replica was created beside it");
    }

    @Test
    void readyAndAvailableReplicas_followMinReadySeconds() throws Exception {
        ReplicaSet rs = replicaSet("web", 2);
        rs = sets.get("web");
        rs.getSpec().setMinReadySeconds(10);
        sets.update(rs);
        sync("web");
        for (Pod p : active()) {
            Pod ready = new PodBuilder(p).editOrNewStatus().withPhase("Running").addNewCondition().withType("Ready")
                    .withStatus("True").withLastTransitionTime(fixture.clock().instant().toString()).endCondition()
                    .endStatus().build();
            pods.updateStatus(ready);
        }
        sync("web");
        assertThat(sets.get("web").getStatus().getReadyReplicas()).isEqualTo(2);
        assertThat(sets.get("web").getStatus().getAvailableReplicas()).isZero();
        assertThat(controller.sync(ns + "/web").delay()).isEqualTo(Duration.ofSeconds(10));

        fixture.clock().advance(Duration.ofSeconds(10));
        sync("web");
        assertThat(sets.get("web").getStatus().getAvailableReplicas()).isEqualTo(2);
        assertThat(sets.get("web").getStatus().getObservedGeneration()).isEqualTo(2L);
    }

    @Test
    void aFailedCreate_stopsTheSlowStart_andIsReportedInAnEventAndTheReplicaFailureCondition(@TempDir Path own)
            throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        AdmissionPlugin refusePods = new AdmissionPlugin() {
            @Override
            public String name() {
                return "RefusePods";
            }

            @Override
            public void validate(AdmissionRequest request) {
                if (request.object() instanceof Pod && request.operation() == AdmissionRequest.Operation.CREATE) {
                    attempts.incrementAndGet();
                    throw new ApiException(new StatusBuilder().withStatus("Failure").withCode(403)
                            .withReason("Forbidden").withMessage("pods are not welcome here").build());
                }
            }
        };
        try (TestKernels.Fixture f = TestKernels.open(own, b -> b.admission(refusePods));
             InformerFactory factory = InformerFactory.builder(f.kernel()).build();
             ReplicaSetController c = ReplicaSetController.create(f.kernel(), factory, f.clock())) {
            Resources<ReplicaSet> rss = f.kernel().resources(ReplicaSet.class).inNamespace("default");
            rss.create(new ReplicaSetBuilder(replicaSetObject("web", 5)).build());
            factory.startAll().get(30, TimeUnit.SECONDS);
            Informers.caughtUp(f.kernel(), factory.forType(ReplicaSet.class), ReplicaSet.class);
            assertThatThrownBy(() -> c.sync("default/web")).isInstanceOf(ReplicaSetPods.ManageFailure.class);

            assertThat(attempts).as("the first batch of one failed: no more batches").hasValue(1);
            assertThat(rss.get("web").getStatus().getConditions()).singleElement().satisfies(cond -> {
                assertThat(cond.getType()).isEqualTo("ReplicaFailure");
                assertThat(cond.getReason()).isEqualTo("FailedCreate");
                assertThat(cond.getMessage()).isEqualTo("pods are not welcome here");
            });
            Informers.caughtUp(f.kernel(), factory.forType(ReplicaSet.class), ReplicaSet.class);
            assertThatThrownBy(() -> c.sync("default/web")).as("the expectations were lowered for the skipped")
                    .isInstanceOf(ReplicaSetPods.ManageFailure.class);
            assertThat(attempts).hasValue(2);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            List<Event> failed;
            do {
                Thread.sleep(20);
                failed = f.kernel().resources(Event.class).inNamespace("default").list(ListRequest.all()).items()
                        .stream().filter(e -> "FailedCreate".equals(e.getReason())).toList();
            } while (failed.isEmpty() && System.nanoTime() < deadline);
            assertThat(failed).first().satisfies(e -> {
                assertThat(e.getType()).isEqualTo("Warning");
                assertThat(e.getMessage()).isEqualTo("Error creating: pods are not welcome here");
                assertThat(e.getSource().getComponent()).isEqualTo("replicaset-controller");
            });
        }
    }

    @Test
    void inATerminatingNamespace_failedCreatesAreNotFailures() throws Exception {
        replicaSet("web", 3);
        settle();
        kernel.resources(Namespace.class).delete(ns); // a terminating namespace refuses new content
        sync("web");
        assertThat(active()).isEmpty();
        assertThat(sets.get("web").getStatus().getConditions()).isNullOrEmpty();
    }
}
