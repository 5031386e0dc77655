package io.keelson.scheduler.plugins;

import static io.keelson.scheduler.plugins.Fixtures.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.keelson.kernel.Kernel;
import io.keelson.kernel.ListRequest;
import io.keelson.kernel.Resources;
import io.keelson.kernel.TestKernels;
import io.keelson.kernel.scheduler.Scheduler;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The scheduler with kube-scheduler's in-tree plugins, against the kernel: pods created through the API get bound. */
class SchedulerEndToEndTest {
    @TempDir
    Path dir;
    private TestKernels.Fixture fixture;
    private Kernel kernel;
    private Scheduler scheduler;
    private Resources<Pod> pods;
    private Resources<Node> nodes;

    @BeforeEach
    void start() throws Exception {
        fixture = TestKernels.open(dir);
        kernel = fixture.kernel();
        pods = kernel.resources(Pod.class).inNamespace("default");
        nodes = kernel.resources(Node.class);
        scheduler = Scheduler.builder(kernel).clock(Clock.systemUTC()).random(new SplittableRandom(7)).build();
        scheduler.start().get(30, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() {
        scheduler.close();
        fixture.close();
    }

    @Test
    void podsCreatedThroughTheApi_areBound_withAScheduledEvent() throws Exception {
        nodes.create(Objects.node("node-1", "2", "4Gi").build());
        nodes.create(Objects.node("node-2", "2", "4Gi").build());
        for (int i = 0; i < 6; i++) {
            pods.create(Objects.pod("web-" + i, "500m", "256Mi").build());
        }

        await(() -> pods.list(ListRequest.all()).items().stream().allMatch(p -> p.getSpec().getNodeName() != null));

        List<Pod> bound = pods.list(ListRequest.all()).items();
        assertThat(bound).allSatisfy(p -> assertThat(p.getStatus().getConditions()).anySatisfy(c -> {
            assertThat(c.getType()).isEqualTo("PodScheduled");
            assertThat(c.getStatus()).isEqualTo("True");
        }));
        assertThat(bound.stream().filter(p -> p.getSpec().getNodeName().equals("node-1")).count())
                .as("LeastAllocated and BalancedAllocation spread equal pods evenly").isEqualTo(3);
        await(() -> events("Scheduled").size() == 6);
        assertThat(events("Scheduled")).extracting(Event::getMessage)
                .contains("Successfully assigned default/web-0 to " + pods.get("web-0").getSpec().getNodeName());
    }

    @Test
    void aPodThatFitsNowhere_getsFailedScheduling_andIsBoundWhenANodeWithRoomArrives() throws Exception {
        nodes.create(Objects.node("small-1", "1", "4Gi").build());
        nodes.create(Objects.node("small-2", "1", "4Gi").editSpec()
                .addNewTaint().withKey("dedicated").withValue("gpu").withEffect("NoSchedule").endTaint().endSpec()
                .build());
        pods.create(Objects.pod("big", "2", "1Gi").build());

        await(() -> condition(pods.get("big")) != null);
        PodCondition c = condition(pods.get("big"));
        assertThat(c.getStatus()).isEqualTo("False");
        assertThat(c.getReason()).isEqualTo("Unschedulable");
        assertThat(c.getMessage()).isEqualTo("0/2 nodes are available: 1 Insufficient cpu, 1 node(s) had untolerated"
                + " taint {dedicated: gpu}. preemption: 0/2 nodes are available: 2 Preemption is not helpful for"
                + " scheduling.");
        await(() -> !events("FailedScheduling").isEmpty());
        assertThat(events("FailedScheduling").get(0).getType()).isEqualTo("Warning");

        nodes.create(Objects.node("large", "4", "8Gi").build());

        await(() -> "large".equals(pods.get("big").getSpec().getNodeName()));
    }

    @Test
    void aGatedPod_waitsWithoutAttempts_andIsScheduledOnceItsGatesGo() throws Exception {
        nodes.create(Objects.node("node-1", "2", "4Gi").build());
        pods.create(Objects.pod("gated", "100m", null).editSpec().addNewSchedulingGate("example.com/quota")
                .endSpec().build());
        pods.create(Objects.pod("free", "100m", null).build());
        await(() -> pods.get("free").getSpec().getNodeName() != null);
        assertThat(pods.get("gated").getSpec().getNodeName()).isNull();
        assertThat(condition(pods.get("gated")).getReason()).as("the apiserver's, not the scheduler's")
                .isEqualTo("SchedulingGated");
        assertThat(events("FailedScheduling")).isEmpty();

        Pod gated = pods.get("gated");
        pods.update(new PodBuilder(gated).editSpec().withSchedulingGates(List.of()).endSpec().build());

        await(() -> pods.get("gated").getSpec().getNodeName() != null);
        assertThat(condition(pods.get("gated")).getStatus()).isEqualTo("True");
    }

    @Test
    void podsForAnotherScheduler_areLeftAlone() throws Exception {
        nodes.create(Objects.node("node-1", "2", "4Gi").build());
        pods.create(Objects.pod("theirs", "100m", null).editSpec().withSchedulerName("my-scheduler").endSpec().build());
        pods.create(Objects.pod("ours", "100m", null).build());

        await(() -> pods.get("ours").getSpec().getNodeName() != null);
        Thread.sleep(200);
        assertThat(pods.get("theirs").getSpec().getNodeName()).isNull();
        assertThat(condition(pods.get("theirs"))).isNull();
    }

    @Test
    void aHigherPriorityPod_preemptsALowerOne_andTakesItsPlace() throws Exception {
        kernel.resources(io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClass.class).create(
                new io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClassBuilder().withNewMetadata()
                        .withName("high").endMetadata().withValue(1000).build());
        nodes.create(Objects.node("node-1", "1", "4Gi").build());
        pods.create(Objects.pod("low", "800m", null).build());
        await(() -> pods.get("low").getSpec().getNodeName() != null);
        // what the node's kubelet would do: finish a graceful deletion
        Thread kubelet = new Thread(() -> {
            try {
                await(() -> pods.get("low").getMetadata().getDeletionTimestamp() != null);
                pods.delete("low", new io.fabric8.kubernetes.api.model.DeleteOptionsBuilder().withGracePeriodSeconds(0L)
                        .build());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        kubelet.start();
        Pod lowBefore = pods.get("low");

        pods.create(Objects.pod("high", "800m", null).editSpec().withPriorityClassName("high").endSpec().build());

        kubelet.join(20_000);
        await(() -> "node-1".equals(pods.get("high").getSpec().getNodeName()));
        assertThat(pods.list(ListRequest.all()).items()).extracting(p -> p.getMetadata().getName())
                .containsExactly("high");
        await(() -> !events("Preempted").isEmpty());
        assertThat(events("Preempted").get(0).getMessage()).isEqualTo("Preempted by pod "
                + pods.get("high").getMetadata().getUid() + " on node node-1");
        assertThat(events("Preempted").get(0).getInvolvedObject().getUid()).isEqualTo(lowBefore.getMetadata().getUid());
        assertThat(events("FailedScheduling")).extracting(Event::getMessage)
                .contains("0/1 nodes are available: 1 Insufficient cpu.");
    }

    private List<Event> events(String reason) {
        return kernel.resources(Event.class).inNamespace("default").list(ListRequest.all()).items().stream()
                .filter(e -> reason.equals(e.getReason())).toList();
    }

    private static PodCondition condition(Pod pod) {
        return pod.getStatus() == null || pod.getStatus().getConditions() == null ? null
                : pod.getStatus().getConditions().stream().filter(c -> "PodScheduled".equals(c.getType()))
                .findFirst().orElse(null);
    }
}
