package io.keelson.kernel.deployment;

import static io.keelson.kernel.deployment.DeploymentFixtures.rs;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Upstream's DeploymentComplete, DeploymentProgressing, DeploymentTimedOut, requeueStuck and syncRolloutStatus. */
class DeploymentStatusesTest {
    private static final Instant TEST_TIME = Instant.parse("2017-02-15T18:49:00Z");

    private static Deployment withStatus(int desired, int current, int updated, int ready, int available) {
        Deployment d = DeploymentFixtures.rolling(desired, 0, 1);
        d.setStatus(new DeploymentStatusBuilder().withReplicas(current).withUpdatedReplicas(updated)
                .withReadyReplicas(ready).withAvailableReplicas(available).withObservedGeneration(1L).build());
        return d;
    }

    private static DeploymentStatus status(int current, int updated, int ready, int available) {
        return new DeploymentStatusBuilder().withReplicas(current).withUpdatedReplicas(updated)
                .withReadyReplicas(ready).withAvailableReplicas(available).withObservedGeneration(1L).build();
    }

    @Test
    void complete_needsEveryReplicaUpdatedAndAvailable_andNoOldPods() {
        assertThat(complete(5, 5, 5, 4)).isFalse();
        assertThat(complete(5, 5, 5, 3)).isFalse();
        assertThat(complete(5, 5, 5, 5)).isTrue();
        assertThat(complete(5, 5, 4, 5)).isFalse();
        assertThat(complete(1, 2, 1, 1)).as("old pods still running").isFalse();
        assertThat(complete(1, 1, 1, 0)).isFalse();
        Deployment newer = DeploymentFixtures.rolling(5, 0, 1);
        newer.getMetadata().setGeneration(2L);
        assertThat(DeploymentStatuses.isComplete(newer, status(5, 5, 5, 5))).as("generation not observed").isFalse();
    }

    private static boolean complete(int desired, int current, int updated, int available) {
        return DeploymentStatuses.isComplete(DeploymentFixtures.rolling(desired, 0, 1),
                status(current, updated, available, available));
    }

    @Test
    void progressing_isMoreUpdatedFewerOldMoreReadyOrMoreAvailable() {
        assertThat(progressing(status(10, 4, 4, 4), status(10, 6, 4, 4))).isTrue();
        assertThat(progressing(status(10, 4, 4, 4), status(10, 4, 4, 4))).isFalse();
        assertThat(progressing(status(10, 4, 6, 6), status(8, 4, 6, 6))).isTrue();
        assertThat(progressing(status(10, 7, 3, 3), status(10, 6, 3, 3))).isFalse();
        assertThat(progressing(status(10, 4, 7, 7), status(8, 8, 5, 5))).isTrue();
        assertThat(progressing(status(10, 10, 9, 8), status(10, 10, 10, 8))).isTrue();
        assertThat(progressing(status(10, 10, 10, 9), status(10, 10, 10, 10))).isTrue();
    }

    private static boolean progressing(DeploymentStatus old, DeploymentStatus now) {
        Deployment d = DeploymentFixtures.rolling(10, 0, 1);
        d.setStatus(old);
        return DeploymentStatuses.isProgressing(d, now);
    }

    @Test
    void timedOut_afterProgressDeadlineSecondsWithoutProgress() {
        Instant now = Instant.parse("2026-01-01T00:01:20Z");
        assertThat(timedOut(null, "ReplicaSetUpdated", "2026-01-01T00:01:09Z", now)).isFalse();
        assertThat(timedOut(Integer.MAX_VALUE, "ReplicaSetUpdated", "2026-01-01T00:01:09Z", now)).isFalse();
        assertThat(timedOut(10, "ReplicaSetUpdated", "2026-01-01T00:01:09Z", now)).isTrue();
        assertThat(timedOut(10, "ReplicaSetUpdated", "2026-01-01T00:01:11Z", now)).isFalse();
        assertThat(timedOut(10, "NewReplicaSetAvailable", "2026-01-01T00:01:09Z", now)).isFalse();
    }

    private static boolean timedOut(Integer deadline, String reason, String from, Instant now) {
        Deployment d = DeploymentFixtures.rolling(1, 0, 1);
        d.getSpec().setProgressDeadlineSeconds(deadline);
        DeploymentStatus s = new DeploymentStatus();
        DeploymentCondition c = DeploymentStatuses.condition("Progressing", "True", reason, "", now);
        c.setLastUpdateTime(from);
        DeploymentStatuses.set(s, c);
        return DeploymentStatuses.timedOut(d, s, now);
    }

    @Test
    void recheckAfter_isWhenTheDeadlineWillHavePassed() {
        assertThat(recheck(null, TEST_TIME.plusSeconds(30), "ReplicaSetUpdated", 2)).isNull();
        assertThat(recheck(Integer.MAX_VALUE, TEST_TIME.plusSeconds(30), "ReplicaSetUpdated", 2)).isNull();
        assertThat(recheck(60, TEST_TIME.plusSeconds(30), "ProgressDeadlineExceeded", 2)).isNull();
        assertThat(recheck(60, TEST_TIME.plusSeconds(30), "ReplicaSetUpdated", 3)).as("complete").isNull();
        assertThat(recheck(60, TEST_TIME.plusSeconds(30), "ReplicaSetUpdated", 2)).as("30 s left, and a second against"
                + " skew").isEqualTo(Duration.ofSeconds(31));
        assertThat(recheck(60, TEST_TIME.plusSeconds(59), "ReplicaSetUpdated", 2)).as("a second left, plus one")
                .isEqualTo(Duration.ofSeconds(2));
        assertThat(recheck(60, TEST_TIME.plusMillis(59_500), "ReplicaSetUpdated", 2)).as("under a second: now")
                .isEqualTo(Duration.ZERO);
        assertThat(recheck(60, TEST_TIME.plusSeconds(61), "ReplicaSetUpdated", 2)).isEqualTo(Duration.ZERO);
    }

    private static Duration recheck(Integer deadline, Instant now, String reason, int available) {
        Deployment d = withStatus(3, 3, 3, available, available);
        d.getSpec().setProgressDeadlineSeconds(deadline);
        DeploymentStatuses.set(d.getStatus(), DeploymentStatuses.condition("Progressing", "True", reason, "",
                TEST_TIME));
        return DeploymentStatuses.recheckAfter(d, status(3, 3, available, available), now);
    }

    @Test
    void rollout_progressKeepsTheTransitionTime_completionAndTimeoutReplaceIt() {
        ReplicaSet old = rs("bar", 0, 1, 1, 1);
        ReplicaSet newRs = rs("foo", 3, 2, 2, 2);
        Instant later = TEST_TIME.plusSeconds(10);

        Deployment d = withStatus(3, 2, 2, 2, 2);
        d.getSpec().setProgressDeadlineSeconds(60);
        DeploymentStatuses.set(d.getStatus(), DeploymentStatuses.condition("Progressing", "True",
                "ReplicaSetUpdated", "", TEST_TIME));
        DeploymentCondition c = progressing(DeploymentStatuses.rollout(d, new ArrayList<>(List.of(old, newRs)), newRs,
                later));
        assertThat(c.getReason()).isEqualTo("ReplicaSetUpdated");
        assertThat(c.getMessage()).isEqualTo("ReplicaSet \"foo\" is progressing.");
        assertThat(c.getLastTransitionTime()).isEqualTo("2017-02-15T18:49:00Z");
        assertThat(c.getLastUpdateTime()).isEqualTo("2017-02-15T18:49:10Z");

        ReplicaSet done = rs("foo", 3, 3, 3, 2);
        Deployment almost = withStatus(3, 3, 3, 3, 2);
        almost.getSpec().setProgressDeadlineSeconds(60);
        DeploymentStatuses.set(almost.getStatus(), DeploymentStatuses.condition("Progressing", "True",
                "ReplicaSetUpdated", "", TEST_TIME));
        c = progressing(DeploymentStatuses.rollout(almost, List.of(done), done, later));
        assertThat(c.getReason()).isEqualTo("NewReplicaSetAvailable");
        assertThat(c.getMessage()).isEqualTo("ReplicaSet \"foo\" has successfully progressed.");
        assertThat(c.getLastTransitionTime()).as("still True").isEqualTo("2017-02-15T18:49:00Z");

        Deployment stuck = withStatus(3, 2, 2, 2, 2);
        stuck.getSpec().setProgressDeadlineSeconds(60);
        DeploymentStatuses.set(stuck.getStatus(), DeploymentStatuses.condition("Progressing", "True",
                "ReplicaSetUpdated", "", TEST_TIME));
        c = progressing(DeploymentStatuses.rollout(stuck, List.of(newRs), newRs, TEST_TIME.plusSeconds(61)));
        assertThat(c.getStatus()).isEqualTo("False");
        assertThat(c.getReason()).isEqualTo("ProgressDeadlineExceeded");
        assertThat(c.getMessage()).isEqualTo("ReplicaSet \"foo\" has timed out progressing.");

        Deployment noDeadline = withStatus(3, 2, 2, 2, 2);
        noDeadline.getSpec().setProgressDeadlineSeconds(null);
        DeploymentStatuses.set(noDeadline.getStatus(), DeploymentStatuses.condition("Progressing", "True",
                "ReplicaSetUpdated", "", TEST_TIME));
        assertThat(progressing(DeploymentStatuses.rollout(noDeadline, List.of(old, newRs), newRs, later)))
                .as("removed without a deadline").isNull();
    }

    @Test
    void calculate_countsOverEveryReplicaSet_andSetsAvailableByMaxUnavailable() {
        Deployment d = DeploymentFixtures.rolling(4, 1, 1);
        ReplicaSet old = rs("old", 2, 2, 2, 1);
        ReplicaSet newRs = rs("new", 3, 3, 1, 2);
        DeploymentStatus s = DeploymentStatuses.calculate(d, List.of(old, newRs), newRs, TEST_TIME);
        assertThat(s.getReplicas()).isEqualTo(5);
        assertThat(s.getUpdatedReplicas()).isEqualTo(3);
        assertThat(s.getAvailableReplicas()).isEqualTo(3);
        assertThat(s.getUnavailableReplicas()).isEqualTo(2);
        assertThat(DeploymentStatuses.get(s, "Available").getStatus()).isEqualTo("True");
        assertThat(DeploymentStatuses.get(s, "Available").getMessage()).isEqualTo("Deployment has minimum availability.");
        ReplicaSet none = rs("new", 3, 3, 0, 2);
        s = DeploymentStatuses.calculate(d, List.of(rs("old", 0, 0, 0, 1), none), none, TEST_TIME);
        assertThat(DeploymentStatuses.get(s, "Available").getReason()).isEqualTo("MinimumReplicasUnavailable");
    }

    private static DeploymentCondition progressing(DeploymentStatus s) {
        return DeploymentStatuses.get(s, "Progressing");
    }
}
