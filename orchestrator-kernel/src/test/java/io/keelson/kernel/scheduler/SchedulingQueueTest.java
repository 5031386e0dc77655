package io.keelson.kernel.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.keelson.kernel.FakeClock;
import io.keelson.kernel.scheduler.framework.ClusterEvent;
import io.keelson.kernel.scheduler.framework.ClusterEvent.Action;
import io.keelson.kernel.scheduler.framework.ClusterEvent.Kind;
import io.keelson.kernel.scheduler.framework.QueuedPodInfo;
import io.keelson.kernel.scheduler.framework.Status;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The scheduling queue's contract, as kube-scheduler's scheduling_queue_test covers it, on the fake clock. */
class SchedulingQueueTest {
    private final FakeClock clock = new FakeClock();
    /** PrioritySort's order, written out: higher priority first, then earlier. */
    private final Comparator<QueuedPodInfo> order = Comparator.comparingInt(QueuedPodInfo::priority).reversed()
            .thenComparing(QueuedPodInfo::timestamp);
    /** NodeResourcesFit-like plugin "Fit" registers node adds; "Ports" registers assigned-pod deletes. */
    private final Map<String, List<ClusterEvent>> registered = Map.of(
            "Fit", List.of(new ClusterEvent(Kind.NODE, Action.ADD)),
            "Ports", List.of(new ClusterEvent(Kind.ASSIGNED_POD, Action.DELETE)));
    private final SchedulingQueue queue = new SchedulingQueue(clock, Duration.ofSeconds(1), Duration.ofSeconds(10),
            order, SchedulingQueueTest::gate, (rejectors, event) -> registered.entrySet().stream()
                    .anyMatch(e -> (rejectors == null || rejectors.contains(e.getKey()))
                            && e.getValue().stream().anyMatch(r -> r.covers(event))));

    private static Status gate(Pod pod) {
        return pod.getSpec().getSchedulingGates().isEmpty() ? Status.success()
                : Status.unresolvable("waiting for scheduling gates").withPlugin("SchedulingGates");
    }

    private static Pod pod(String name, int priority) {
        return new PodBuilder().withNewMetadata().withName(name).withNamespace("ns").withUid("uid-" + name)
                .endMetadata().withNewSpec().withPriority(priority).endSpec().build();
    }

    private String popName() {
        SchedulingQueue.Popped p = queue.poll();
        return p == null ? null : p.pod().getMetadata().getName();
    }

    @Test
    void pop_takesHigherPriorityFirst_thenTheEarlierPod() {
        queue.add(pod("low", 1));
        clock.advance(Duration.ofMillis(1));
        queue.add(pod("high", 100));
        clock.advance(Duration.ofMillis(1));
        queue.add(pod("low-later", 1));
        clock.advance(Duration.ofMillis(1));
        queue.add(pod("high-later", 100));

        assertThat(List.of(popName(), popName(), popName(), popName()))
                .containsExactly("high", "high-later", "low", "low-later");
        assertThat(popName()).isNull();
    }

    @Test
    void anUnschedulablePod_waitsForAnEventItsRejectorRegistered() {
        queue.add(pod("p", 0));
        SchedulingQueue.Popped p = queue.poll();
        queue.requeue(p.info(), p.pod(), Set.of("Fit"), p.cycle());
        assertThat(queue.sizes()).containsEntry("unschedulable", 1);

        queue.moveAllToActiveOrBackoff(new ClusterEvent(Kind.ASSIGNED_POD, Action.DELETE)); // not Fit's
        assertThat(queue.sizes()).containsEntry("unschedulable", 1);

        queue.moveAllToActiveOrBackoff(new ClusterEvent(Kind.NODE, Action.ADD)); // still backing off (1 s)
        assertThat(queue.sizes()).containsEntry("backoff", 1);
        assertThat(popName()).isNull();

        clock.advance(Duration.ofSeconds(1));
        queue.flushBackoffCompleted();
        assertThat(popName()).isEqualTo("p");
    }

    @Test
    void anEventAfterTheBackoff_movesThePodStraightToActive() {
        queue.add(pod("p", 0));
        SchedulingQueue.Popped p = queue.poll();
        queue.requeue(p.info(), p.pod(), Set.of("Ports"), p.cycle());
        clock.advance(Duration.ofSeconds(2));

        queue.moveAllToActiveOrBackoff(new ClusterEvent(Kind.ASSIGNED_POD, Action.DELETE));

        assertThat(popName()).isEqualTo("p");
    }

    @Test
    void anEventDuringTheAttempt_sendsTheFailedPodToBackoffNotToTheUnschedulablePool() {
        queue.add(pod("p", 0));
        SchedulingQueue.Popped p = queue.poll();
        queue.moveAllToActiveOrBackoff(new ClusterEvent(Kind.NODE, Action.ADD)); // arrives while p is in flight

        queue.requeue(p.info(), p.pod(), Set.of("Fit"), p.cycle());

        assertThat(queue.sizes()).containsEntry("backoff", 1).containsEntry("unschedulable", 0);
    }

    @Test
    void anEventNoPluginWaitsFor_doesNotSendAFailedAttemptToBackoff() {
        queue.add(pod("p", 0));
        SchedulingQueue.Popped p = queue.poll();
        queue.moveAllToActiveOrBackoff(new ClusterEvent(Kind.ASSIGNED_POD, Action.ADD)); // no plugin registered it

        queue.requeue(p.info(), p.pod(), Set.of("Fit"), p.cycle());

        assertThat(queue.sizes()).containsEntry("unschedulable", 1);
    }

    @Test
    void anError_backsOff_doublingPerAttempt_upToTenSeconds() {
        assertThat(List.of(1, 2, 3, 4, 5, 9).stream().map(queue::backoffDuration).toList()).containsExactly(
                Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4), Duration.ofSeconds(8),
                Duration.ofSeconds(10), Duration.ofSeconds(10));
        queue.add(pod("p", 0));
        for (int attempt = 1; attempt <= 3; attempt++) {
            SchedulingQueue.Popped p = queue.poll();
            assertThat(p.info().attempts()).isEqualTo(attempt);
            queue.requeue(p.info(), p.pod(), Set.of(), p.cycle()); // an error: no rejecting plugin
            Duration backoff = queue.backoffDuration(attempt);
            clock.advance(backoff.minusMillis(1));
            queue.flushBackoffCompleted();
            assertThat(popName()).as("still backing off after attempt %d", attempt).isNull();
            clock.advance(Duration.ofMillis(1));
            queue.flushBackoffCompleted();
        }
        assertThat(popName()).isEqualTo("p");
    }

    @Test
    void unschedulablePods_areRetriedAfterFiveMinutesWithoutAnEvent() {
        queue.add(pod("p", 0));
        SchedulingQueue.Popped p = queue.poll();
        queue.requeue(p.info(), p.pod(), Set.of("Fit"), p.cycle());

        clock.advance(Duration.ofMinutes(5));
        queue.flushUnschedulableLeftover();
        assertThat(popName()).isNull();
        clock.advance(Duration.ofSeconds(1));
        queue.flushUnschedulableLeftover();
        assertThat(popName()).isEqualTo("p");
    }

    @Test
    void aGatedPod_waitsWithoutAttempts_untilItsGatesAreRemoved() {
        Pod gated = new PodBuilder(pod("g", 0)).editSpec().addNewSchedulingGate("example.com/quota").endSpec().build();
        queue.add(gated);
        assertThat(popName()).isNull();
        queue.moveAllToActiveOrBackoff(new ClusterEvent(Kind.NODE, Action.ADD));
        queue.flushUnschedulableLeftover();
        clock.advance(Duration.ofMinutes(6));
        queue.flushUnschedulableLeftover();
        assertThat(popName()).isNull();

        queue.update(pod("g", 0)); // gates removed

        SchedulingQueue.Popped p = queue.poll();
        assertThat(p.pod().getMetadata().getName()).isEqualTo("g");
        assertThat(p.info().attempts()).isEqualTo(1);
    }

    @Test
    void updates_ofAnUnschedulablePod_retryItOnlyWhenItsSpecOrLabelsChange() {
        queue.add(pod("p", 0));
        SchedulingQueue.Popped p = queue.poll();
        queue.requeue(p.info(), p.pod(), Set.of("Fit"), p.cycle());
        clock.advance(Duration.ofSeconds(5));

        Pod statusOnly = new PodBuilder(pod("p", 0)).withNewStatus().withPhase("Pending").endStatus().build();
        queue.update(statusOnly);
        assertThat(popName()).isNull();

        queue.update(new PodBuilder(pod("p", 0)).editMetadata().addToLabels("tier", "web").endMetadata().build());
        assertThat(popName()).isEqualTo("p");
    }

    @Test
    void deletedPods_leaveTheQueue_andAFailedAttemptOfADeletedPodIsNotRequeued() {
        queue.add(pod("a", 0));
        queue.add(pod("b", 0));
        queue.delete(pod("a", 0));
        SchedulingQueue.Popped b = queue.poll();
        assertThat(b.pod().getMetadata().getName()).isEqualTo("b");
        queue.done("uid-b");
        assertThat(queue.contains("uid-b")).isFalse();
        assertThat(popName()).isNull();
    }
}
