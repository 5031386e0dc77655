package io.keelson.scheduler.plugins.noderesources;

import static io.keelson.scheduler.plugins.Fixtures.container;
import static io.keelson.scheduler.plugins.Fixtures.resources;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.keelson.kernel.scheduler.framework.CycleState;
import io.keelson.kernel.scheduler.framework.NodeInfo;
import io.keelson.kernel.scheduler.framework.PluginArgs;
import io.keelson.scheduler.plugins.Fixtures;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** kube-scheduler's TestNodeResourcesBalancedAllocation cases. */
class BalancedAllocationTest {
    static final Pod CPU_AND_MEMORY = Fixtures.pod(container("cpu", "1", "memory", "2000"),
            container("cpu", "2", "memory", "3000"));
    static final Pod CPU_ONLY = Fixtures.pod(container("cpu", "1", "memory", "0"), container("cpu", "2", "memory", "0"));

    static NodeInfo node(String name, String cpu, String memory, Pod... pods) {
        return Fixtures.nodeInfo(Fixtures.node(name, resources("cpu", cpu, "memory", memory, "pods", "110",
                "nvidia.com/gpu", "8")), pods);
    }

    static long[] scores(BalancedAllocation plugin, Pod pod, boolean preScore, NodeInfo... nodes) {
        CycleState state = new CycleState();
        if (preScore) {
            assertThat(plugin.preScore(state, pod, List.of(nodes)).isSuccess()).isTrue();
        }
        long[] s = new long[nodes.length];
        for (int i = 0; i < nodes.length; i++) {
            s[i] = plugin.score(state, pod, nodes[i]);
        }
        return s;
    }

    @Test
    void scoresByTheSpreadOfTheFractions() {
        BalancedAllocation plugin = new BalancedAllocation(PluginArgs.none());
        assertThat(plugin.preScore(new CycleState(), Fixtures.pod(), List.of()).isSkip())
                .as("nothing requested: skipped").isTrue();
        assertThat(scores(plugin, CPU_AND_MEMORY, true, node("a", "4", "10000"), node("b", "6", "10000")))
                .containsExactly(87, 100);
        for (boolean preScore : new boolean[] {true, false}) {
            assertThat(scores(plugin, CPU_AND_MEMORY, preScore, node("a", "10", "20000", CPU_ONLY),
                    node("b", "10", "20000", CPU_AND_MEMORY))).containsExactly(82, 95);
        }
        assertThat(scores(plugin, CPU_AND_MEMORY, true, node("a", "10", "20000", CPU_ONLY),
                node("b", "10", "50000", CPU_AND_MEMORY))).containsExactly(82, 80);
        assertThat(scores(plugin, CPU_ONLY, true, node("a", "6", "10000", CPU_ONLY),
                node("b", "6", "10000", CPU_AND_MEMORY)))
                .as("requested resources at node capacity").containsExactly(50, 75);
    }

    @Test
    void aScalarResource_countsWhereTheNodeHasIt() {
        BalancedAllocation plugin = new BalancedAllocation(PluginArgs.of(Map.of("resources", List.of(
                Map.of("name", "cpu", "weight", 1), Map.of("name", "memory", "weight", 1),
                Map.of("name", "nvidia.com/gpu", "weight", 1)))));
        Pod gpuPod = Fixtures.requesting("memory", "0", "nvidia.com/gpu", "1");
        Pod cpuMemGpu = Fixtures.pod(container("cpu", "1", "memory", "2000"), container("cpu", "2", "memory", "3000",
                "nvidia.com/gpu", "3"));
        assertThat(scores(plugin, gpuPod, true, node("a", "3500m", "40000", cpuMemGpu),
                node("b", "3500m", "40000", CPU_AND_MEMORY))).containsExactly(70, 65);
        NodeInfo withoutGpu = Fixtures.nodeInfo(Fixtures.node("c", resources("cpu", "3500m", "memory", "40000",
                "pods", "110")));
        assertThat(scores(plugin, CPU_AND_MEMORY, true, node("a", "3500m", "40000"), withoutGpu))
                .containsExactly(63, 63);
    }
}
