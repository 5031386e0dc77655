package io.keelson.scheduler.plugins.nodeaffinity;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.AffinityBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirement;
import io.fabric8.kubernetes.api.model.NodeSelectorTerm;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PreferredSchedulingTerm;
import io.keelson.kernel.scheduler.framework.CycleState;
import io.keelson.kernel.scheduler.framework.NodeInfo;
import io.keelson.kernel.scheduler.framework.NodeScore;
import io.keelson.kernel.scheduler.framework.PluginArgs;
import io.keelson.kernel.scheduler.framework.PreFilterResult;
import io.keelson.kernel.scheduler.framework.Status;
import io.keelson.scheduler.plugins.Fixtures;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** kube-scheduler's TestNodeAffinity and TestNodeAffinityPriority cases. */
class NodeAffinityTest {
    private static final String POD = "node(s) didn't match Pod's node affinity/selector";

    static NodeSelectorRequirement expr(String key, String op, String... values) {
        return new NodeSelectorRequirement(key, op, Arrays.asList(values));
    }

    static NodeSelectorTerm term(NodeSelectorRequirement... expressions) {
        return new NodeSelectorTerm(List.of(expressions), List.of());
    }

    static NodeSelectorTerm fields(NodeSelectorRequirement... fields) {
        return new NodeSelectorTerm(List.of(), List.of(fields));
    }

    static Affinity required(NodeSelectorTerm... terms) {
        return new AffinityBuilder().withNewNodeAffinity().withNewRequiredDuringSchedulingIgnoredDuringExecution()
                .withNodeSelectorTerms(terms).endRequiredDuringSchedulingIgnoredDuringExecution().endNodeAffinity()
                .build();
    }

    static Pod pod(Map<String, String> selector, Affinity affinity) {
        return Fixtures.pod("p").editSpec().withNodeSelector(selector).withAffinity(affinity).endSpec().build();
    }

    static Node node(String name, String... labels) {
        Map<String, String> l = new LinkedHashMap<>();
        for (int i = 0; i < labels.length; i += 2) {
            l.put(labels[i], labels[i + 1]);
        }
        return new NodeBuilder(Fixtures.node(name)).editMetadata().withLabels(l).endMetadata().build();
    }

    /**
     * @param preFilterNodes the PreFilter narrowing expected (null: all nodes), "SKIP" expected as a skip
     * @param reason the Filter's rejection, null for a fit
     */
    static Stream<Arguments> filterCases() {
        Map<String, String> fooBar = Map.of("foo", "bar");
        return Stream.of(
                Arguments.of("missing labels", pod(fooBar, null), node("n"), "all", POD),
                Arguments.of("same labels", pod(fooBar, null), node("n", "foo", "bar"), "all", null),
                Arguments.of("node labels are superset", pod(fooBar, null), node("n", "foo", "bar", "baz", "blah"),
                        "all", null),
                Arguments.of("node labels are subset", pod(Map.of("foo", "bar", "baz", "blah"), null),
                        node("n", "foo", "bar"), "all", POD),
                Arguments.of("In that matches", pod(null, required(term(expr("foo", "In", "bar", "value2")))),
                        node("n", "foo", "bar"), "all", null),
                Arguments.of("Gt that matches", pod(null, required(term(expr("kernel-version", "Gt", "0204")))),
                        node("n", "kernel-version", "0206"), "all", null),
                Arguments.of("NotIn that matches", pod(null, required(term(expr("mem-type", "NotIn", "DDR",
                        "DDR2")))), node("n", "mem-type", "DDR3"), "all", null),
                Arguments.of("Exists that matches", pod(null, required(term(expr("GPU", "Exists")))),
                        node("n", "GPU", "NVIDIA-GRID-K1"), "all", null),
                Arguments.of("affinity that doesn't match", pod(null, required(term(expr("foo", "In", "value1",
                        "value2")))), node("n", "foo", "bar"), "all", POD),
                Arguments.of("empty MatchExpressions match no objects", pod(null, required(term())),
                        node("n", "foo", "bar"), "all", POD),
                Arguments.of("no affinity", pod(null, null), node("n", "foo", "bar"), "SKIP", null),
                Arguments.of("affinity without a required selector", pod(null, new AffinityBuilder()
                        .withNewNodeAffinity().endNodeAffinity().build()), node("n"), "SKIP", null),
                Arguments.of("ANDed expressions that match", pod(null, required(term(expr("GPU", "Exists"),
                        expr("GPU", "NotIn", "AMD", "INTER")))), node("n", "GPU", "NVIDIA-GRID-K1"), "all", null),
                Arguments.of("ANDed expressions that don't match", pod(null, required(term(expr("GPU", "Exists"),
                        expr("GPU", "In", "AMD", "INTER")))), node("n", "GPU", "NVIDIA-GRID-K1"), "all", POD),
                Arguments.of("ORed terms, one matches", pod(null, required(term(expr("foo", "In", "bar", "value2")),
                        term(expr("diffkey", "In", "wrong", "value2")))), node("n", "foo", "bar"), "all", null),
                Arguments.of("affinity and nodeSelector both satisfied", pod(fooBar, required(term(expr("foo",
                        "Exists")))), node("n", "foo", "bar"), "all", null),
                Arguments.of("affinity matches, nodeSelector doesn't", pod(fooBar, required(term(expr("foo",
                        "Exists")))), node("n", "foo", "barrrrrr"), "all", POD),
                Arguments.of("an invalid value never matches", pod(null, required(term(expr("foo", "NotIn",
                        "invalid value: ___@#$%^")))), node("n", "foo", "bar"), "all", POD),
                Arguments.of("matchFields In that matches", pod(null, required(fields(expr("metadata.name", "In",
                        "node1")))), node("node1"), "node1", null),
                Arguments.of("matchFields In that doesn't match", pod(null, required(fields(expr("metadata.name",
                        "In", "node1")))), node("node2"), "node1", POD),
                Arguments.of("two terms: fields don't match, expressions do", pod(null, required(
                        fields(expr("metadata.name", "In", "node1")), term(expr("foo", "In", "bar")))),
                        node("node2", "foo", "bar"), "all", null),
                Arguments.of("one term: fields don't match, expressions do", pod(null, required(
                        new NodeSelectorTerm(List.of(expr("foo", "In", "bar")), List.of(expr("metadata.name", "In",
                                "node1"))))), node("node2", "foo", "bar"), "node1", POD),
                Arguments.of("one term: both match", pod(null, required(new NodeSelectorTerm(List.of(expr("foo", "In",
                        "bar")), List.of(expr("metadata.name", "In", "node1"))))), node("node1", "foo", "bar"),
                        "node1", null),
                Arguments.of("two terms of node names", pod(null, required(fields(expr("metadata.name", "In",
                        "node1")), fields(expr("metadata.name", "In", "node2")))), node("node2"), "node1,node2", null),
                Arguments.of("a Lt on a label that is not a number", pod(null, required(term(expr("rank", "Lt",
                        "5")))), node("n", "rank", "four"), "all", POD));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("filterCases")
    void filter(String name, Pod pod, Node node, String preFilterNodes, String reason) {
        NodeAffinity plugin = new NodeAffinity(PluginArgs.none());
        CycleState state = new CycleState();
        PreFilterResult r = plugin.preFilter(state, pod, List.of());
        switch (preFilterNodes) {
            case "SKIP" -> assertThat(r.status().isSkip()).isTrue();
            case "all" -> assertThat(r).isEqualTo(PreFilterResult.allNodes());
            default -> assertThat(r.nodeNames()).isEqualTo(Set.of(preFilterNodes.split(",")));
        }
        Status s = plugin.filter(state, pod, Fixtures.nodeInfo(node));
        assertThat(s).isEqualTo(reason == null ? Status.success() : Status.unresolvable(reason));
    }

    @Test
    void conflictingNodeNames_areRejectedInPreFilter() {
        Pod pod = pod(null, required(fields(expr("metadata.name", "In", "node1"), expr("metadata.name", "In",
                "node2"))));
        PreFilterResult r = new NodeAffinity(PluginArgs.none()).preFilter(new CycleState(), pod, List.of());
        assertThat(r.status()).isEqualTo(Status.unresolvable("pod affinity terms conflict"));
    }

    @Test
    void addedAffinity_isEnforcedOnEveryPod() {
        PluginArgs args = PluginArgs.of(Map.of("addedAffinity", Map.of("requiredDuringSchedulingIgnoredDuringExecution",
                Map.of("nodeSelectorTerms", List.of(Map.of("matchExpressions", List.of(Map.of("key", "zone",
                        "operator", "In", "values", List.of("bar")))))))));
        NodeAffinity plugin = new NodeAffinity(args);
        Pod pod = pod(null, null);
        CycleState state = new CycleState();
        assertThat(plugin.preFilter(state, pod, List.of()).status().isSkip()).isFalse();
        assertThat(plugin.filter(state, pod, Fixtures.nodeInfo(node("n", "zone", "foo"))))
                .isEqualTo(Status.unresolvable("node(s) didn't match scheduler-enforced node affinity"));
        assertThat(plugin.filter(state, pod, Fixtures.nodeInfo(node("n", "zone", "bar"))).isSuccess()).isTrue();
    }

    static PreferredSchedulingTerm preferred(int weight, NodeSelectorRequirement... expressions) {
        return new PreferredSchedulingTerm(term(expressions), weight);
    }

    static Pod preferring(PreferredSchedulingTerm... terms) {
        return pod(null, new AffinityBuilder().withNewNodeAffinity()
                .withPreferredDuringSchedulingIgnoredDuringExecution(terms).endNodeAffinity().build());
    }

    long[] scores(NodeAffinity plugin, Pod pod, Node... nodes) {
        CycleState state = new CycleState();
        List<NodeInfo> infos = Arrays.stream(nodes).map(Fixtures::nodeInfo).toList();
        Status pre = plugin.preScore(state, pod, infos);
        List<NodeScore> scores = new ArrayList<>();
        for (NodeInfo n : infos) {
            scores.add(new NodeScore(n.name(), pre.isSkip() ? 0 : plugin.score(state, pod, n)));
        }
        NodeScore[] array = scores.toArray(NodeScore[]::new);
        plugin.normalizeScores(state, pod, array);
        return Fixtures.values(array);
    }

    @Test
    void preferredTerms_addTheirWeights_normalizedToTheBest() {
        NodeAffinity plugin = new NodeAffinity(PluginArgs.none());
        Node l1 = node("n1", "foo", "bar");
        Node l2 = node("n2", "key", "value");
        Node l3 = node("n3", "az", "az1");
        Node l4 = node("n4", "abc", "az11", "def", "az22");
        Node l5 = node("n5", "foo", "bar", "key", "value", "az", "az1");
        Pod affinity1 = preferring(preferred(2, expr("foo", "In", "bar")));
        Pod affinity2 = preferring(preferred(2, expr("foo", "In", "bar")), preferred(4, expr("key", "In", "value")),
                preferred(5, expr("foo", "In", "bar"), expr("key", "In", "value"), expr("az", "In", "az1")));

        assertThat(plugin.preScore(new CycleState(), pod(null, null), List.of()).isSkip()).isTrue();
        assertThat(scores(plugin, affinity1, l4, l2, l3)).containsExactly(0, 0, 0);
        assertThat(scores(plugin, affinity1, l1, l2, l3)).containsExactly(100, 0, 0);
        assertThat(scores(plugin, affinity2, l1, l5, l2)).containsExactly(18, 100, 36);
    }

    @Test
    void addedPreferredTerms_countForEveryPod() {
        PluginArgs args = PluginArgs.of(Map.of("addedAffinity", Map.of(
                "preferredDuringSchedulingIgnoredDuringExecution", List.of(Map.of("weight", 3, "preference",
                        Map.of("matchExpressions", List.of(Map.of("key", "key", "operator", "In", "values",
                                List.of("value")))))))));
        NodeAffinity plugin = new NodeAffinity(args);
        Pod affinity1 = preferring(preferred(2, expr("foo", "In", "bar")));

        assertThat(scores(plugin, affinity1, node("n1", "foo", "bar"), node("n2", "key", "value"),
                node("n5", "foo", "bar", "key", "value", "az", "az1"))).containsExactly(40, 60, 100);
    }

    @Test
    void aBrokenPreferredTerm_failsPreScore() {
        Status s = new NodeAffinity(PluginArgs.none()).preScore(new CycleState(),
                preferring(preferred(1, expr("invalid key", "In", "bar"))), List.of());
        assertThat(s.code()).isEqualTo(Status.Code.ERROR);
        assertThat(s.message()).startsWith("[0].matchExpressions[0].key: Invalid value: \"invalid key\": name part"
                + " must consist of alphanumeric characters");
    }
}
