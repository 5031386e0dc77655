package io.keelson.kernel.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.keelson.kernel.Kernel;
import io.keelson.kernel.Resources;
import io.keelson.kernel.node.SimulatedNodes;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A cluster whose nodes follow a stage rule: batch pods finish on their own after their delay. */
class StageRulesTest {
    @RegisterExtension
    static final KernelExtension CLUSTER = KernelExtension.with(b -> b.nodes(1)
            .stage(SimulatedNodes.Stage.forPods("app=batch").delay(Duration.ofSeconds(30)).exit(0)));

    @Test
    void aMatchingPod_runsForTheStagesDelay_thenSucceeds(Kernel kernel, SimulatedCluster cluster) throws Exception {
        Resources<Pod> pods = kernel.resources(Pod.class).inNamespace("default");
        pods.create(new PodBuilder().withNewMetadata().withName("report").addToLabels("app", "batch").endMetadata()
                .withNewSpec().withRestartPolicy("Never").addNewContainer().withName("c").withImage("busybox")
                .endContainer().endSpec().build());
        assertThat(cluster.awaitTrue(() -> "Running".equals(phase(pods.get("report"))), Duration.ofSeconds(10)))
                .isTrue();
        Instant running = cluster.clock().instant();

        assertThat(cluster.awaitTrue(() -> "Succeeded".equals(phase(pods.get("report"))), Duration.ofMinutes(2)))
                .isTrue();
        assertThat(Duration.between(running, cluster.clock().instant())).isBetween(Duration.ofSeconds(29),
                Duration.ofSeconds(32));
    }

    private static String phase(Pod pod) {
        return pod.getStatus() == null ? null : pod.getStatus().getPhase();
    }
}
