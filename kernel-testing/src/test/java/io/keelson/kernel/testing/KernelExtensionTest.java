package io.keelson.kernel.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.keelson.kernel.Kernel;
import io.keelson.kernel.ListRequest;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The extension as an application's test uses it: parameters, the manual clock, pods that start on nodes. */
@ExtendWith(KernelExtension.class)
class KernelExtensionTest {

    @Test
    void threeReadyNodes_andAPodThatIsScheduledAndStarts_whenTheClockMoves(Kernel kernel, SimulatedCluster cluster)
            throws Exception {
        assertThat(kernel.resources(Node.class).list(ListRequest.all()).items()).hasSize(3)
                .allSatisfy(n -> assertThat(n.getStatus().getConditions()).anySatisfy(c -> {
                    assertThat(c.getType()).isEqualTo("Ready");
                    assertThat(c.getStatus()).isEqualTo("True");
                }));
        kernel.resources(Pod.class).inNamespace("default").create(new PodBuilder().withNewMetadata()
                .withName("hello").endMetadata().withNewSpec().addNewContainer().withName("c").withImage("busybox")
                .endContainer().endSpec().build());
        assertThat(cluster.awaitTrue(() -> RolloutLoopTest.ready(kernel.resources(Pod.class).inNamespace("default")
                .get("hello")), Duration.ofSeconds(30))).as("%s", kernel.resources(Pod.class).inNamespace("default")
                .get("hello")).isTrue();
        Pod pod = kernel.resources(Pod.class).inNamespace("default").get("hello");
        assertThat(pod.getSpec().getNodeName()).startsWith("node-");
        assertThat(pod.getStatus().getPodIP()).isNotEmpty();
    }

    @Test
    void timeMovesOnlyWhenTheTestMovesIt(ManualClock clock, SimulatedCluster cluster, Kernel kernel)
            throws Exception {
        Instant before = clock.instant();
        Thread.sleep(50);
        assertThat(clock.instant()).isEqualTo(before);
        cluster.advance(Duration.ofSeconds(20));
        assertThat(clock.instant()).isEqualTo(before.plusSeconds(20));
        Lease lease = kernel.resources(Lease.class).inNamespace("kube-node-lease").get("node-1");
        assertThat(lease.getSpec().getRenewTime().toInstant())
                .as("the node renewed its lease as the clock moved").isAfter(before.plusSeconds(5));
    }
}
