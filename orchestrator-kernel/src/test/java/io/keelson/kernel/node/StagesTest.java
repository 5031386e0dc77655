package io.keelson.kernel.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.keelson.kernel.TestObjects;
import java.time.Duration;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Stage rules: what matching pods' containers do when their annotations do not say. */
class StagesTest extends SimulatedNodesTestBase {

    @Override
    protected SimulatedNodes.Builder configure(SimulatedNodes.Builder builder) {
        return builder.random(new SplittableRandom(7))
                .stage(SimulatedNodes.Stage.forPods("app=batch").delay(Duration.ofSeconds(30)).exit(0))
                .stage(SimulatedNodes.Stage.forPods("chaos=crash").delay(Duration.ofSeconds(5))
                        .jitter(Duration.ofSeconds(5)).exit(1))
                .stage(SimulatedNodes.Stage.forPods("probe=flaky").delay(Duration.ofSeconds(20)).failReadiness())
                .stage(SimulatedNodes.Stage.forPods("app").inNamespace("elsewhere").exit(2));
    }

    private Pod pod(String name, Map<String, String> labels, String restartPolicy) {
        Pod pod = TestObjects.pod(name, labels);
        pod.getSpec().setNodeName(prefix + "a");
        pod.getSpec().setRestartPolicy(restartPolicy);
        return pod;
    }

    private ContainerStatus container(String name) {
        return pods.get(name).getStatus().getContainerStatuses().get(0);
    }

    @Test
    void matchingPods_followTheFirstMatchingStage_andOwnAnnotationsWin() throws Exception {
        add("a", Map.of());
        pods.create(pod("job", Map.of("app", "batch"), "OnFailure"));
        Pod annotated = pod("annotated", Map.of("app", "batch"), "OnFailure");
        annotated.getMetadata().setAnnotations(Map.of(ContainerBehaviour.EXIT_AFTER, "1h"));
        pods.create(annotated);
        pods.create(pod("server", Map.of("app", "web"), "Always"));
        settle();
        advance(Duration.ofSeconds(2));
        assertThat(pods.get("job").getStatus().getPhase()).isEqualTo("Running");

        advance(Duration.ofSeconds(30));
        assertThat(pods.get("job").getStatus().getPhase()).isEqualTo("Succeeded");
        assertThat(container("job").getState().getTerminated().getReason()).isEqualTo("Completed");
        assertThat(pods.get("annotated").getStatus().getPhase()).as("its annotation says 1h").isEqualTo("Running");
        assertThat(pods.get("server").getStatus().getPhase()).as("no stage: runs for ever").isEqualTo("Running");
        assertThat(container("server").getRestartCount()).as("the namespaced stage is not its").isZero();
    }

    @Test
    void aNonZeroExit_crashLoops_afterTheDelayAndItsJitter() throws Exception {
        add("a", Map.of());
        pods.create(pod("crashy", Map.of("chaos", "crash"), "Always"));
        settle();
        advance(Duration.ofSeconds(2));
        advance(Duration.ofSeconds(4));
        assertThat(container("crashy").getState().getRunning()).as("the delay is at least 5 s").isNotNull();

        advance(Duration.ofSeconds(6));
        ContainerStatus crashed = container("crashy");
        assertThat(crashed.getRestartCount()).as("exited within delay + jitter").isEqualTo(1);
        assertThat(crashed.getLastState().getTerminated().getExitCode()).isEqualTo(1);
        assertThat(crashed.getState().getWaiting().getReason()).isEqualTo("CrashLoopBackOff");
    }

    @Test
    void failReadiness_turnsAProbedPodNotReady() throws Exception {
        add("a", Map.of());
        Pod flaky = pod("flaky", Map.of("probe", "flaky"), "Always");
        flaky.getSpec().getContainers().get(0).setReadinessProbe(new ProbeBuilder().withNewHttpGet()
                .withPort(new IntOrString(8080)).endHttpGet().withPeriodSeconds(10).withFailureThreshold(1).build());
        pods.create(flaky);
        settle();
        advance(Duration.ofSeconds(2));
        assertThat(container("flaky").getReady()).isTrue();

        advance(Duration.ofSeconds(20));
        assertThat(container("flaky").getReady()).isFalse();
        assertThat(pods.get("flaky").getStatus().getPhase()).isEqualTo("Running");
    }

    @Test
    void stagesRefuseWhatCannotHappen() {
        assertThatThrownBy(() -> SimulatedNodes.Stage.forPods("").exit(256))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0..255");
        assertThatThrownBy(() -> SimulatedNodes.Stage.forPods("").delay(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must not be negative");
        assertThatThrownBy(() -> SimulatedNodes.Stage.forPods("a in (b")).isInstanceOf(RuntimeException.class);
    }
}
