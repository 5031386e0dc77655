package io.keelson.scheduler.plugins.queuesort;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.PodBuilder;
import io.keelson.kernel.scheduler.framework.QueuedPodInfo;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** kube-scheduler's TestLess cases. */
class PrioritySortTest {
    private static final Instant T1 = Instant.parse("2026-01-01T00:00:00Z");
    private static final Instant T2 = T1.plusSeconds(1);
    private final PrioritySort sort = new PrioritySort();

    private static QueuedPodInfo queued(int priority, Instant t) {
        return new QueuedPodInfo(new PodBuilder().withNewSpec().withPriority(priority).endSpec().build(), t, 0, t);
    }

    @Test
    void higherPriorityFirst_thenEarlierTimestamp() {
        assertThat(sort.less(queued(10, T1), queued(100, T2))).as("p1 priority less than p2").isFalse();
        assertThat(sort.less(queued(100, T1), queued(10, T2))).as("p1 priority greater than p2").isTrue();
        assertThat(sort.less(queued(100, T1), queued(100, T2))).as("equal priority, p1 added earlier").isTrue();
        assertThat(sort.less(queued(100, T2), queued(100, T1))).as("equal priority, p2 added earlier").isFalse();
        assertThat(sort.less(queued(100, T1), queued(100, T1))).as("equal in both").isFalse();
        assertThat(sort.less(new QueuedPodInfo(new PodBuilder().withNewSpec().endSpec().build(), T1, 0, T1),
                queued(-1, T2))).as("no priority counts as 0").isTrue();
    }
}
