package io.keelson.scheduler.plugins.tainttoleration;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.Toleration;
import io.keelson.kernel.scheduler.framework.CycleState;
import io.keelson.kernel.scheduler.framework.NodeInfo;
import io.keelson.kernel.scheduler.framework.NodeScore;
import io.keelson.kernel.scheduler.framework.Status;
import io.keelson.scheduler.plugins.Fixtures;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** kube-scheduler's TestTaintTolerationFilter and TestTaintTolerationScore cases. */
class TaintTolerationTest {
    private final TaintToleration plugin = new TaintToleration();

    static Taint taint(String key, String value, String effect) {
        return new Taint(effect, key, null, value);
    }

    static Toleration toleration(String key, String operator, String value, String effect) {
        return new Toleration(effect, key, operator, null, value);
    }

    static Node node(String name, Taint... taints) {
        return new NodeBuilder(Fixtures.node(name)).editSpec().withTaints(taints).endSpec().build();
    }

    static Pod pod(Toleration... tolerations) {
        return Fixtures.pod("p").editSpec().withTolerations(tolerations).endSpec().build();
    }

    static Stream<Arguments> filterCases() {
        return Stream.of(
                Arguments.of("no tolerations, a NoSchedule taint", pod(),
                        node("n", taint("dedicated", "user1", "NoSchedule")), "{dedicated: user1}"),
                Arguments.of("tolerated by key, value and effect",
                        pod(toleration("dedicated", "", "user1", "NoSchedule")),
                        node("n", taint("dedicated", "user1", "NoSchedule")), null),
                Arguments.of("a toleration of another value", pod(toleration("dedicated", "Equal", "user2",
                        "NoSchedule")), node("n", taint("dedicated", "user1", "NoSchedule")), "{dedicated: user1}"),
                Arguments.of("operator Exists", pod(toleration("foo", "Exists", null, "NoSchedule")),
                        node("n", taint("foo", "bar", "NoSchedule")), null),
                Arguments.of("several tolerations for several taints", pod(
                        toleration("dedicated", "Equal", "user2", "NoSchedule"),
                        toleration("foo", "Exists", null, "NoSchedule")), node("n",
                        taint("dedicated", "user2", "NoSchedule"), taint("foo", "bar", "NoSchedule")), null),
                Arguments.of("the toleration's effect differs", pod(toleration("foo", "Equal", "bar",
                        "PreferNoSchedule")), node("n", taint("foo", "bar", "NoSchedule")), "{foo: bar}"),
                Arguments.of("an empty toleration effect matches NoSchedule", pod(toleration("foo", "Equal", "bar",
                        null)), node("n", taint("foo", "bar", "NoSchedule")), null),
                Arguments.of("PreferNoSchedule taints do not filter", pod(toleration("dedicated", "Equal", "user2",
                        "NoSchedule")), node("n", taint("dedicated", "user1", "PreferNoSchedule")), null),
                Arguments.of("no toleration, a PreferNoSchedule taint", pod(),
                        node("n", taint("dedicated", "user1", "PreferNoSchedule")), null),
                Arguments.of("a NoExecute taint filters too, and an empty value renders as such", pod(),
                        node("n", taint("node.kubernetes.io/unreachable", null, "NoExecute")),
                        "{node.kubernetes.io/unreachable: }"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("filterCases")
    void filter(String name, Pod pod, Node node, String untolerated) {
        Status s = plugin.filter(new CycleState(), pod, Fixtures.nodeInfo(node));
        assertThat(s).isEqualTo(untolerated == null ? Status.success()
                : Status.unresolvable("node(s) had untolerated taint " + untolerated));
    }

    static Stream<Arguments> scoreCases() {
        Taint pnsFooBar = taint("foo", "bar", "PreferNoSchedule");
        return Stream.of(
                Arguments.of("tolerated taints score higher", pod(toleration("foo", "Equal", "bar",
                        "PreferNoSchedule")), List.of(node("a", pnsFooBar), node("b", taint("foo", "blah",
                        "PreferNoSchedule"))), new long[] {100, 0}),
                Arguments.of("all taints tolerated: the same score", pod(
                        toleration("cpu-type", "Equal", "arm64", "PreferNoSchedule"),
                        toleration("disk-type", "Equal", "ssd", "PreferNoSchedule")), List.of(node("a"),
                        node("b", taint("cpu-type", "arm64", "PreferNoSchedule")), node("c",
                                taint("cpu-type", "arm64", "PreferNoSchedule"),
                                taint("disk-type", "ssd", "PreferNoSchedule"))), new long[] {100, 100, 100}),
                Arguments.of("more intolerable taints, lower score", pod(toleration("foo", "Equal", "bar",
                        "PreferNoSchedule")), List.of(node("a"), node("b", taint("cpu-type", "arm64",
                        "PreferNoSchedule")), node("c", taint("cpu-type", "arm64", "PreferNoSchedule"),
                        taint("disk-type", "ssd", "PreferNoSchedule"))), new long[] {100, 50, 0}),
                Arguments.of("only PreferNoSchedule counts", pod(
                        toleration("cpu-type", "Equal", "arm64", "NoSchedule"),
                        toleration("disk-type", "Equal", "ssd", "NoSchedule")), List.of(node("a"),
                        node("b", taint("cpu-type", "arm64", "NoSchedule")), node("c",
                                taint("cpu-type", "arm64", "PreferNoSchedule"),
                                taint("disk-type", "ssd", "PreferNoSchedule"))), new long[] {100, 100, 0}),
                Arguments.of("no tolerations: the untainted node wins", pod(), List.of(node("a"),
                        node("b", taint("cpu-type", "arm64", "PreferNoSchedule"))), new long[] {100, 0}));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scoreCases")
    void score(String name, Pod pod, List<Node> nodes, long[] expected) {
        CycleState state = new CycleState();
        List<NodeInfo> infos = nodes.stream().map(Fixtures::nodeInfo).toList();
        assertThat(plugin.preScore(state, pod, infos).isSuccess()).isTrue();
        List<NodeScore> scores = new ArrayList<>();
        for (NodeInfo n : infos) {
            scores.add(new NodeScore(n.name(), plugin.score(state, pod, n)));
        }
        NodeScore[] array = scores.toArray(NodeScore[]::new);
        plugin.normalizeScores(state, pod, array);
        assertThat(Fixtures.values(array)).containsExactly(expected);
    }
}
