package io.keelson.kernel.leaderelection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.keelson.kernel.KernelTestBase;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class LeaderElectorTest extends KernelTestBase {

    private static LeaderElector candidate(String lease, String id, List<String> log) {
        return LeaderElector.builder(kernel, "kube-system", lease, id).clock(Clock.systemUTC())
                .timing(Duration.ofSeconds(2), Duration.ofMillis(1500), Duration.ofMillis(200))
                .onStartedLeading(() -> log.add(id + " started"))
                .onStoppedLeading(() -> log.add(id + " stopped")).build();
    }

    @Test
    void exactlyOneCandidateLeads_andAnotherTakesOverWhenItCloses() throws Exception {
        List<String> log = new CopyOnWriteArrayList<>();
        List<LeaderElector> candidates = new ArrayList<>();
        for (String id : List.of("a", "b", "c")) {
            candidates.add(candidate("handover", id, log));
        }
        candidates.forEach(LeaderElector::start);
        await(() -> candidates.stream().filter(LeaderElector::isLeader).count() == 1);
        Thread.sleep(1000);
        assertThat(candidates.stream().filter(LeaderElector::isLeader).count()).isEqualTo(1);
        LeaderElector leader = candidates.stream().filter(LeaderElector::isLeader).findFirst().orElseThrow();
        Lease lease = kernel.resources(Lease.class).inNamespace("kube-system").get("handover");
        assertThat(lease.getSpec().getHolderIdentity()).isEqualTo(leader.identity());
        assertThat(lease.getSpec().getLeaseDurationSeconds()).isEqualTo(2);

        leader.close();
        candidates.remove(leader);
        await(() -> candidates.stream().filter(LeaderElector::isLeader).count() == 1);
        LeaderElector next = candidates.stream().filter(LeaderElector::isLeader).findFirst().orElseThrow();
        Lease after = kernel.resources(Lease.class).inNamespace("kube-system").get("handover");
        assertThat(after.getSpec().getHolderIdentity()).isEqualTo(next.identity());
        assertThat(after.getSpec().getLeaseTransitions()).isEqualTo(1);
        assertThat(log).startsWith(leader.identity() + " started").contains(leader.identity() + " stopped",
                next.identity() + " started");
        candidates.forEach(LeaderElector::close);
    }

    @Test
    void timing_mustLeaveRoomForRenewals() {
        assertThatThrownBy(() -> LeaderElector.builder(kernel, "kube-system", "x", "a")
                .timing(Duration.ofSeconds(10), Duration.ofSeconds(10), Duration.ofSeconds(2)).build())
                .hasMessage("leaseDuration must be greater than renewDeadline");
        assertThatThrownBy(() -> LeaderElector.builder(kernel, "kube-system", "x", "a")
                .timing(Duration.ofSeconds(15), Duration.ofSeconds(2), Duration.ofSeconds(2)).build())
                .hasMessage("renewDeadline must be greater than retryPeriod*JitterFactor");
    }

    static void await(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met in 20 s");
            }
            Thread.sleep(20);
        }
    }
}
