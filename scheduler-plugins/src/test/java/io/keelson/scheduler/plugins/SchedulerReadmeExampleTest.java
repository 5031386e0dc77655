package io.keelson.scheduler.plugins;

import static io.keelson.scheduler.plugins.Fixtures.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.keelson.kernel.Kernel;
import io.keelson.kernel.Resources;
import io.keelson.kernel.TestKernels;
import io.keelson.kernel.scheduler.Scheduler;
import io.keelson.kernel.scheduler.framework.CycleState;
import io.keelson.kernel.scheduler.framework.FilterPlugin;
import io.keelson.kernel.scheduler.framework.NodeInfo;
import io.keelson.kernel.scheduler.framework.SchedulerConfiguration;
import io.keelson.kernel.scheduler.framework.Status;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's scheduler example, compiled and run: an application's own plugin, enabled by configuration. */
class SchedulerReadmeExampleTest {
    @TempDir
    Path dir;

    /** Keeps pods off nodes labelled maintenance=true. */
    record AvoidMaintenance(String name) implements FilterPlugin {
        @Override
        public Status filter(CycleState state, Pod pod, NodeInfo node) {
            return "true".equals(node.labels().get("maintenance"))
                    ? Status.unresolvable("node(s) are under maintenance") : Status.success();
        }
    }

    @Test
    void anApplicationsPlugin_joinsTheDefaultProfile() throws Exception {
        try (TestKernels.Fixture fixture = TestKernels.open(dir)) {
            Kernel kernel = fixture.kernel();
            Scheduler scheduler = Scheduler.builder(kernel)
                    .plugin("AvoidMaintenance", (args, handle) -> new AvoidMaintenance("AvoidMaintenance"))
                    .configuration(SchedulerConfiguration.fromYaml("""
                            apiVersion: kubescheduler.config.k8s.io/v1
                            kind: KubeSchedulerConfiguration
                            profiles:
                            - schedulerName: default-scheduler
                              plugins:
                                filter:
                                  enabled:
                                  - name: AvoidMaintenance
                            """))
                    .clock(Clock.systemUTC())
                    .build();
            try (scheduler) {
                scheduler.start().get(30, TimeUnit.SECONDS);
                Resources<Node> nodes = kernel.resources(Node.class);
                Resources<Pod> pods = kernel.resources(Pod.class).inNamespace("default");
                nodes.create(Objects.node("busy", "4", "8Gi").editMetadata().addToLabels("maintenance", "true")
                        .endMetadata().build());
                nodes.create(Objects.node("free", "4", "8Gi").build());
                for (int i = 0; i < 3; i++) {
                    pods.create(Objects.pod("web-" + i, "100m", null).build());
                }
                pods.create(Objects.pod("pinned", "100m", null).editSpec()
                        .addToNodeSelector("kubernetes.io/hostname", "busy").endSpec().build());

                await(() -> pods.list("").stream().filter(p -> p.getMetadata().getName().startsWith("web-"))
                        .allMatch(p -> "free".equals(p.getSpec().getNodeName())));
                await(() -> pods.get("pinned").getStatus().getConditions().stream()
                        .anyMatch(c -> "Unschedulable".equals(c.getReason())));
                assertThat(pods.get("pinned").getStatus().getConditions().stream()
                        .filter(c -> "PodScheduled".equals(c.getType())).findFirst().orElseThrow().getMessage())
                        .isEqualTo("0/2 nodes are available: 1 node(s) are under maintenance, 1 node(s) didn't"
                                + " match Pod's node affinity/selector. preemption: 0/2 nodes are available: 2"
                                + " Preemption is not helpful for scheduling.");
            }
        }
    }
}
