package io.keelson.kernel.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import io.keelson.kernel.scheduler.framework.Status;
import org.junit.jupiter.api.Test;

/** FailedScheduling messages, as kube-scheduler's FitError formats them. */
class DiagnosisTest {
    @Test
    void message_countsEachReasonPerNode_sortedAsStrings() {
        Diagnosis d = new Diagnosis(5);
        d.reject("n1", Status.unschedulable("Insufficient cpu"));
        d.reject("n2", Status.unschedulable("Insufficient cpu", "Insufficient memory"));
        d.reject("n3", Status.unresolvable("node(s) had untolerated taint {dedicated: gpu}"));
        d.reject("n4", Status.unresolvable("node(s) had untolerated taint {dedicated: gpu}"));
        d.reject("n5", Status.unresolvable("node(s) had untolerated taint {dedicated: gpu}"));
        d.postFilterMessage = "preemption: 0/5 nodes are available: 5 Preemption is not helpful for scheduling.";

        assertThat(d.message()).isEqualTo("0/5 nodes are available: 1 Insufficient memory, 2 Insufficient cpu, 3"
                + " node(s) had untolerated taint {dedicated: gpu}. preemption: 0/5 nodes are available: 5 Preemption"
                + " is not helpful for scheduling.");
    }

    @Test
    void aPreFilterRejection_replacesTheHistogram() {
        Diagnosis d = new Diagnosis(3);
        d.absentNodesStatus = Status.unresolvable("pod affinity terms conflict");
        d.preFilterMessage = "pod affinity terms conflict";

        assertThat(d.message()).isEqualTo("0/3 nodes are available: pod affinity terms conflict.");
    }

    @Test
    void nodesLeftOutByPreFilterNarrowing_countWithTheNarrowingReason() {
        Diagnosis d = new Diagnosis(4);
        d.absentNodesStatus = Status.unresolvable("node(s) didn't satisfy plugin(s) [NodeAffinity]");
        d.reject("n1", Status.unschedulable("Insufficient cpu"));

        assertThat(d.message()).isEqualTo("0/4 nodes are available: 1 Insufficient cpu, 3 node(s) didn't satisfy"
                + " plugin(s) [NodeAffinity].");
    }

    @Test
    void eventNotes_areCutAt1024Bytes() {
        String longMessage = "x".repeat(2000);
        assertThat(SchedulingCycle.truncate(longMessage)).hasSize(1024).endsWith(" ...");
        assertThat(SchedulingCycle.truncate("short")).isEqualTo("short");
    }

    @Test
    void numFeasibleNodesToFind_followsKubeSchedulersAdaptiveRule() {
        assertThat(SchedulingAlgorithm.numFeasibleNodesToFind(null, 0, 99)).isEqualTo(99);
        assertThat(SchedulingAlgorithm.numFeasibleNodesToFind(null, 0, 100)).isEqualTo(100);
        assertThat(SchedulingAlgorithm.numFeasibleNodesToFind(null, 0, 1000)).isEqualTo(420);
        assertThat(SchedulingAlgorithm.numFeasibleNodesToFind(null, 0, 5000)).isEqualTo(500);
        assertThat(SchedulingAlgorithm.numFeasibleNodesToFind(null, 0, 6000)).isEqualTo(300);
        assertThat(SchedulingAlgorithm.numFeasibleNodesToFind(null, 0, 15000)).isEqualTo(750);
        assertThat(SchedulingAlgorithm.numFeasibleNodesToFind(null, 50, 5000)).isEqualTo(2500);
        assertThat(SchedulingAlgorithm.numFeasibleNodesToFind(100, 50, 5000)).as("the profile's wins").isEqualTo(5000);
        assertThat(SchedulingAlgorithm.numFeasibleNodesToFind(null, 1, 1000)).isEqualTo(100);
    }
}
