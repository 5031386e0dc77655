package io.keelson.scheduler.plugins.noderesources;

import static io.keelson.scheduler.plugins.Fixtures.container;
import static io.keelson.scheduler.plugins.Fixtures.resources;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.keelson.kernel.scheduler.framework.CycleState;
import io.keelson.kernel.scheduler.framework.NodeInfo;
import io.keelson.kernel.scheduler.framework.PluginArgs;
import io.keelson.kernel.scheduler.framework.Status;
import io.keelson.scheduler.plugins.Fixtures;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** kube-scheduler's fit_test, least_allocated_test and most_allocated_test cases for NodeResourcesFit. */
class FitTest {
    /** TestEnoughRequests' node: cpu 10m, memory 20, 32 pods, 5 example.com/aaa, 20 ephemeral, 5 hugepages-2Mi. */
    static final Node NODE = Fixtures.node("n", resources("cpu", "10m", "memory", "20", "pods", "32",
            "example.com/aaa", "5", "ephemeral-storage", "20", "hugepages-2Mi", "5"));

    static Pod withInit(Pod pod, Container... init) {
        return new PodBuilder(pod).editSpec().withInitContainers(init).endSpec().build();
    }

    /** A pod already on the node using cpu/memory (and more). */
    static Pod using(String... requests) {
        return Fixtures.requesting(requests);
    }

    static Stream<Arguments> enoughRequests() {
        return Stream.of(
                Arguments.of("no resources requested always fits", Fixtures.pod(), using("cpu", "10m", "memory", "20"),
                        List.of(), false),
                Arguments.of("too many resources fails", using("cpu", "1m", "memory", "1"),
                        using("cpu", "10m", "memory", "20"), List.of("Insufficient cpu", "Insufficient memory"), false),
                Arguments.of("too many resources fails due to init container cpu", withInit(using("cpu", "1m",
                        "memory", "1"), container("cpu", "3m", "memory", "1")), using("cpu", "8m", "memory", "19"),
                        List.of("Insufficient cpu"), false),
                Arguments.of("too many resources fails due to highest init container cpu", withInit(using("cpu", "1m",
                        "memory", "1"), container("cpu", "3m", "memory", "1"), container("cpu", "2m", "memory", "1")),
                        using("cpu", "8m", "memory", "19"), List.of("Insufficient cpu"), false),
                Arguments.of("too many resources fails due to init container memory", withInit(using("cpu", "1m",
                        "memory", "1"), container("cpu", "1m", "memory", "3")), using("cpu", "9m", "memory", "19"),
                        List.of("Insufficient memory"), false),
                Arguments.of("init container fits because it's the max, not sum, of containers and init containers",
                        withInit(using("cpu", "1m", "memory", "1"), container("cpu", "1m", "memory", "1"),
                                container("cpu", "1m", "memory", "1")), using("cpu", "9m", "memory", "19"), List.of(),
                        false),
                Arguments.of("both resources fit", using("cpu", "1m", "memory", "1"), using("cpu", "5m", "memory", "5"),
                        List.of(), false),
                Arguments.of("one resource memory fits", using("cpu", "2m", "memory", "1"),
                        using("cpu", "9m", "memory", "5"), List.of("Insufficient cpu"), false),
                Arguments.of("one resource cpu fits", using("cpu", "1m", "memory", "2"),
                        using("cpu", "5m", "memory", "19"), List.of("Insufficient memory"), false),
                Arguments.of("equal edge case", using("cpu", "5m", "memory", "1"), using("cpu", "5m", "memory", "19"),
                        List.of(), false),
                Arguments.of("equal edge case for init container", withInit(using("cpu", "4m", "memory", "1"),
                        container("cpu", "5m", "memory", "1")), using("cpu", "5m", "memory", "19"), List.of(), false),
                Arguments.of("extended resource fits", using("example.com/aaa", "1"), using(), List.of(), false),
                Arguments.of("extended resource capacity enforced", using("example.com/aaa", "10"), using(),
                        List.of("Insufficient example.com/aaa"), true),
                Arguments.of("extended resource allocatable enforced", using("example.com/aaa", "1"),
                        using("example.com/aaa", "5"), List.of("Insufficient example.com/aaa"), false),
                Arguments.of("extended resource allocatable enforced for multiple containers", Fixtures.pod(
                        container("example.com/aaa", "3"), container("example.com/aaa", "3")),
                        using("example.com/aaa", "2"), List.of("Insufficient example.com/aaa"), true),
                Arguments.of("extended resource allocatable admits multiple init containers", withInit(Fixtures.pod(),
                        container("example.com/aaa", "3"), container("example.com/aaa", "3")),
                        using("example.com/aaa", "2"), List.of(), false),
                Arguments.of("extended resource allocatable enforced for unknown resource",
                        using("example.com/bbb", "1"), using(), List.of("Insufficient example.com/bbb"), true),
                Arguments.of("kubernetes.io resource capacity enforced", using("kubernetes.io/something", "10"),
                        using(), List.of("Insufficient kubernetes.io/something"), true),
                Arguments.of("hugepages resource capacity enforced", using("hugepages-2Mi", "10"), using(),
                        List.of("Insufficient hugepages-2Mi"), true),
                Arguments.of("hugepages resource allocatable enforced for multiple containers", Fixtures.pod(
                        container("hugepages-2Mi", "3"), container("hugepages-2Mi", "3")), using("hugepages-2Mi", "2"),
                        List.of("Insufficient hugepages-2Mi"), true),
                Arguments.of("resources + pod overhead fits", new PodBuilder(using("cpu", "1m", "memory", "1"))
                        .editSpec().withOverhead(resources("cpu", "3m", "memory", "13")).endSpec().build(),
                        using("cpu", "5m", "memory", "5"), List.of(), false),
                Arguments.of("requests + overhead does not fit for memory", new PodBuilder(using("cpu", "1m",
                        "memory", "1")).editSpec().withOverhead(resources("cpu", "1m", "memory", "15")).endSpec()
                        .build(), using("cpu", "5m", "memory", "5"), List.of("Insufficient memory"), false),
                Arguments.of("skip checking extended resource request with quantity zero",
                        using("example.com/aaa", "0"), using("example.com/aaa", "6"), List.of(), false),
                Arguments.of("storage ephemeral local storage request exceeds allocatable",
                        using("cpu", "1m", "memory", "1", "ephemeral-storage", "25"), using("cpu", "2m", "memory", "2"),
                        List.of("Insufficient ephemeral-storage"), true),
                Arguments.of("ephemeral local storage is sufficient", using("ephemeral-storage", "10"),
                        using("ephemeral-storage", "10"), List.of(), false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("enoughRequests")
    void filter(String name, Pod pod, Pod existing, List<String> reasons, boolean unresolvable) {
        Status s = filter(new Fit(PluginArgs.none()), pod, Fixtures.nodeInfo(NODE, existing));
        if (reasons.isEmpty()) {
            assertThat(s).isEqualTo(Status.success());
        } else {
            String[] r = reasons.toArray(String[]::new);
            assertThat(s).isEqualTo(unresolvable ? Status.unresolvable(r) : Status.unschedulable(r));
        }
    }

    static Status filter(Fit fit, Pod pod, NodeInfo node) {
        CycleState state = new CycleState();
        assertThat(fit.preFilter(state, pod, List.of()).status().isSuccess()).isTrue();
        return fit.filter(state, pod, node);
    }

    @Test
    void ignoredResources_andResourceGroups_areNotChecked() {
        Fit ignoring = new Fit(PluginArgs.of(Map.of("ignoredResources", List.of("example.com/bbb"))));
        assertThat(filter(ignoring, using("example.com/bbb", "1"), Fixtures.nodeInfo(NODE)).isSuccess()).isTrue();

        Fit ignoringGroup = new Fit(PluginArgs.of(Map.of("ignoredResourceGroups", List.of("example.com"))));
        assertThat(filter(ignoringGroup, using("example.com/bbb", "1", "kubernetes.io/something", "1"),
                Fixtures.nodeInfo(NODE))).isEqualTo(Status.unresolvable("Insufficient kubernetes.io/something"));
    }

    @Test
    void aFullNode_isTooManyPods_whateverThePodRequests() {
        Node onePod = Fixtures.node("n", resources("cpu", "10m", "memory", "20", "pods", "1"));
        for (Pod pod : List.of(Fixtures.pod(), using("cpu", "1m", "memory", "1"), using("cpu", "5m", "memory", "1"),
                withInit(using("cpu", "5m", "memory", "1"), container("cpu", "5m", "memory", "1")))) {
            assertThat(filter(new Fit(PluginArgs.none()), pod, Fixtures.nodeInfo(onePod, using("cpu", "5m",
                    "memory", "19")))).isEqualTo(Status.unschedulable("Too many pods"));
        }
    }

    @Test
    void sidecarInitContainers_addToThePodsRequests() {
        Node node = Fixtures.node("n", resources("cpu", "2m", "pods", "1"));
        Container sidecar1m = new ContainerBuilder(container("cpu", "1m")).withRestartPolicy("Always").build();
        Container sidecar2m = new ContainerBuilder(container("cpu", "2m")).withRestartPolicy("Always").build();
        assertThat(filter(new Fit(PluginArgs.none()), withInit(using("cpu", "1m"), sidecar1m), Fixtures.nodeInfo(node))
                .isSuccess()).isTrue();
        assertThat(filter(new Fit(PluginArgs.none()), withInit(using("cpu", "1m"), sidecar2m), Fixtures.nodeInfo(node)))
                .isEqualTo(Status.unresolvable("Insufficient cpu"));
    }

    @Test
    void filterWithoutPreFilter_isAnError() {
        assertThat(new Fit(PluginArgs.none()).filter(new CycleState(), Fixtures.pod(), Fixtures.nodeInfo(NODE)).code())
                .isEqualTo(Status.Code.ERROR);
    }

    // --- scoring (TestFitScore, TestLeastAllocatedScoringStrategy, TestMostAllocatedScoringStrategy)

    static long[] scores(Map<String, Object> args, Pod pod, NodeInfo... nodes) {
        Fit fit = new Fit(PluginArgs.of(args));
        CycleState state = new CycleState();
        fit.preScore(state, pod, List.of(nodes));
        long[] s = new long[nodes.length];
        for (int i = 0; i < nodes.length; i++) {
            s[i] = fit.score(state, pod, nodes[i]);
        }
        return s;
    }

    static Map<String, Object> strategy(String type, Object... more) {
        Map<String, Object> s = new java.util.LinkedHashMap<>();
        s.put("type", type);
        for (int i = 0; i < more.length; i += 2) {
            s.put((String) more[i], more[i + 1]);
        }
        return Map.of("scoringStrategy", s);
    }

    static NodeInfo sized(String name, String cpu, String memory, Pod... pods) {
        return Fixtures.nodeInfo(Fixtures.node(name, resources("cpu", cpu, "memory", memory, "pods", "110")), pods);
    }

    static final Pod CPU_AND_MEMORY = Fixtures.pod(container("cpu", "1", "memory", "2000"),
            container("cpu", "2", "memory", "3000"));

    @Test
    void fitScore_withEachStrategy() {
        NodeInfo node1 = sized("node1", "4", "10000", using("cpu", "2", "memory", "4000"));
        NodeInfo node2 = sized("node2", "6", "10000", using("cpu", "1", "memory", "2000"));
        Pod big = using("cpu", "3", "memory", "5000");
        Pod small = using("cpu", "1", "memory", "2000");
        assertThat(scores(strategy("RequestedToCapacityRatio", "requestedToCapacityRatio", Map.of("shape", List.of(
                Map.of("utilization", 0, "score", 10), Map.of("utilization", 100, "score", 0)))), big, node1, node2))
                .containsExactly(10, 32);
        assertThat(scores(strategy("RequestedToCapacityRatio", "requestedToCapacityRatio", Map.of("shape", List.of(
                Map.of("utilization", 0, "score", 0), Map.of("utilization", 100, "score", 10)))), big, node1, node2))
                .containsExactly(95, 68);
        assertThat(scores(strategy("MostAllocated"), small, node1, node2)).containsExactly(67, 36);
        assertThat(scores(strategy("LeastAllocated"), small, node1, node2)).containsExactly(32, 63);
    }

    @Test
    void leastAllocated() {
        Map<String, Object> least = strategy("LeastAllocated");
        assertThat(scores(least, Fixtures.pod(), sized("a", "4", "10000"), sized("b", "4", "10000")))
                .as("nothing scheduled, nothing requested").containsExactly(100, 100);
        assertThat(scores(least, CPU_AND_MEMORY, sized("a", "4", "10000"), sized("b", "6", "10000")))
                .as("differently sized nodes").containsExactly(37, 50);
        Pod cpu3 = using("cpu", "3", "memory", "0");
        Pod cpu3mem5 = using("cpu", "3", "memory", "5000");
        assertThat(scores(least, Fixtures.pod(), sized("a", "10", "20000", cpu3, cpu3), sized("b", "10", "20000", cpu3,
                cpu3mem5))).as("no resources requested, pods scheduled with resources").containsExactly(70, 57);
        assertThat(scores(least, cpu3mem5, sized("a", "10", "20000", cpu3), sized("b", "10", "20000", cpu3mem5)))
                .as("resources requested, pods scheduled with resources").containsExactly(57, 45);
        assertThat(scores(least, cpu3mem5, sized("a", "10", "20000", cpu3), sized("b", "10", "50000", cpu3mem5)))
                .as("differently sized nodes").containsExactly(57, 60);
        assertThat(scores(least, cpu3, sized("a", "4", "10000", cpu3), sized("b", "4", "10000", cpu3mem5)))
                .as("requested resources exceed node capacity").containsExactly(50, 25);
        assertThat(scores(least, cpu3mem5, Fixtures.nodeInfo(Fixtures.node("a")), Fixtures.nodeInfo(Fixtures.node("b"))))
                .as("zero node resources").containsExactly(0, 0);
        assertThat(scores(strategy("LeastAllocated", "resources", List.of(Map.of("name", "memory", "weight", 2),
                Map.of("name", "cpu", "weight", 1))), cpu3mem5, sized("a", "10", "20000", cpu3),
                sized("b", "10", "20000", cpu3mem5))).as("weights: (40 + 2·75) / 3 and (40 + 2·50) / 3")
                .containsExactly(63, 46);
    }

    @Test
    void mostAllocated() {
        Map<String, Object> most = strategy("MostAllocated");
        assertThat(scores(most, Fixtures.pod(), sized("a", "4", "10000"), sized("b", "4", "10000")))
                .containsExactly(0, 0);
        assertThat(scores(most, CPU_AND_MEMORY, sized("a", "4", "10000"), sized("b", "6", "10000")))
                .containsExactly(62, 50);
        Pod cpu3 = using("cpu", "3", "memory", "0");
        Pod cpu3mem5 = using("cpu", "3", "memory", "5000");
        assertThat(scores(most, Fixtures.pod(), sized("a", "10", "20000", cpu3, cpu3), sized("b", "10", "20000", cpu3,
                cpu3mem5))).containsExactly(30, 42);
        assertThat(scores(most, cpu3mem5, sized("a", "10", "20000", cpu3), sized("b", "10", "20000", cpu3mem5)))
                .containsExactly(42, 55);
        Pod atCapacity = Fixtures.pod(container("cpu", "2", "memory", "4000"), container("cpu", "3", "memory", "5000"));
        assertThat(scores(most, atCapacity, sized("a", "5", "10000"), sized("b", "10", "9000")))
                .as("requested equal to capacity").containsExactly(95, 75);
        Pod noRequests = Fixtures.pod(container());
        assertThat(scores(most, noRequests, sized("a", "250m", "1000Mi", noRequests, noRequests),
                sized("b", "250m", "1000Mi"))).as("containers without requests count 100m and 200Mi")
                .containsExactly(80, 30);
    }

    @Test
    void invalidWeights_andStrategies_areRefused() {
        for (int weight : new int[] {-1, 101}) {
            assertThatThrownBy(() -> new Fit(PluginArgs.of(strategy("LeastAllocated", "resources", List.of(
                    Map.of("name", "cpu", "weight", weight))))))
                    .hasMessageContaining("scoringStrategy.resources[0].weight: Invalid value: " + weight);
        }
        assertThatThrownBy(() -> new Fit(PluginArgs.of(strategy("Random"))))
                .hasMessageContaining("scoringStrategy.type: Unsupported value: \"Random\"");
        assertThatThrownBy(() -> new Fit(PluginArgs.of(Map.of("unknownField", 1))))
                .hasMessageContaining("invalid plugin args");
    }
}
