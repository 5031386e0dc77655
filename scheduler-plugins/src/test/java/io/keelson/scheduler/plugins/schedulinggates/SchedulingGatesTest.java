package io.keelson.scheduler.plugins.schedulinggates;

import static org.assertj.core.api.Assertions.assertThat;

import io.keelson.kernel.scheduler.framework.Status;
import io.keelson.scheduler.plugins.Fixtures;
import org.junit.jupiter.api.Test;

/** kube-scheduler's TestPreEnqueue cases for SchedulingGates. */
class SchedulingGatesTest {
    private final SchedulingGates gates = new SchedulingGates();

    @Test
    void aPodWithoutGates_mayBeQueued() {
        assertThat(gates.preEnqueue(Fixtures.pod())).isEqualTo(Status.success());
    }

    @Test
    void aPodWithGates_waits_namingThemAsGoPrintsASlice() {
        Status s = gates.preEnqueue(Fixtures.pod("p").editSpec().addNewSchedulingGate("foo")
                .addNewSchedulingGate("bar").endSpec().build());
        assertThat(s.code()).isEqualTo(Status.Code.UNSCHEDULABLE_AND_UNRESOLVABLE);
        assertThat(s.message()).isEqualTo("waiting for scheduling gates: [foo bar]");
    }
}
