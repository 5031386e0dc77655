package io.keelson.kernel.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.keelson.kernel.ListRequest;
import io.keelson.kernel.ResourceWatch;
import io.keelson.kernel.TestObjects;
import io.keelson.kernel.WatchRequest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Nodes whose containers start at once report a bound pod Running in one status write, as kwok does. */
class ZeroStartDelayTest extends SimulatedNodesTestBase {
    @Override
    protected SimulatedNodes.Builder configure(SimulatedNodes.Builder builder) {
        return builder.startDelay(Duration.ZERO);
    }

    @Test
    void aPodStartsRunningAndReady_inOneStatusWrite() throws Exception {
        add("a", Map.of());
        List<String> phases = new CopyOnWriteArrayList<>();
        String rv = pods.list(ListRequest.all()).resourceVersion();
        try (ResourceWatch w = pods.watch(WatchRequest.fromResourceVersion(rv), e -> {
            if (e.object() != null) {
                phases.add(e.object().getStatus() == null ? "none" : String.valueOf(e.object().getStatus()
                        .getPhase()));
            }
        })) {
            bound("quick", "a");
            settle();
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (phases.size() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
        }
        Pod pod = pods.get("quick");
        assertThat(pod.getStatus().getPhase()).isEqualTo("Running");
        assertThat(condition(pod, "Ready").getStatus()).isEqualTo("True");
        assertThat(phases).as("created, then Running: no ContainerCreating write").containsExactly("Pending",
                "Running");
    }

    @Test
    void initContainers_stillReportEachStep() throws Exception {
        add("a", Map.of());
        Pod pod = TestObjects.pod("init");
        pod.getSpec().setNodeName(prefix + "a");
        pod.getSpec().setInitContainers(List.of(new io.fabric8.kubernetes.api.model.ContainerBuilder()
                .withName("setup").withImage("busybox").build()));
        pods.create(pod);
        settle();
        assertThat(pods.get("init").getStatus().getPhase()).isEqualTo("Running");
        assertThat(pods.get("init").getStatus().getInitContainerStatuses()).singleElement()
                .satisfies(s -> assertThat(s.getState().getTerminated().getReason()).isEqualTo("Completed"));
    }
}
