package io.keelson.scheduler.plugins.podtopologyspread;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraint;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraintBuilder;
import io.keelson.kernel.scheduler.framework.CycleState;
import io.keelson.kernel.scheduler.framework.NodeInfo;
import io.keelson.kernel.scheduler.framework.NodeScore;
import io.keelson.kernel.scheduler.framework.PluginArgs;
import io.keelson.kernel.scheduler.framework.PodInfo;
import io.keelson.kernel.scheduler.framework.Status;
import io.keelson.scheduler.plugins.Fixtures;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** kube-scheduler's PodTopologySpread filtering_test and scoring_test cases. */
class PodTopologySpreadTest {
    static final LabelSelector FOO = new LabelSelectorBuilder().addNewMatchExpression().withKey("foo")
            .withOperator("Exists").endMatchExpression().build();
    static final String S = "S";
    static final String U = "U";
    static final String UU = "UU";

    static TopologySpreadConstraint spread(int maxSkew, String key, String when, LabelSelector selector) {
        return new TopologySpreadConstraintBuilder().withMaxSkew(maxSkew).withTopologyKey(key)
                .withWhenUnsatisfiable(when).withLabelSelector(selector).build();
    }

    static Pod incoming(String namespace, Map<String, String> labels, TopologySpreadConstraint... constraints) {
        return new PodBuilder(Fixtures.pod("p").build()).editMetadata().withNamespace(namespace).withLabels(labels)
                .endMetadata().editSpec().withTopologySpreadConstraints(constraints).endSpec().build();
    }

    static Pod incoming(TopologySpreadConstraint... constraints) {
        return incoming("default", Map.of("foo", ""), constraints);
    }

    static Pod existing(String namespace, String label) {
        return new PodBuilder(Fixtures.pod("e").build()).editMetadata().withNamespace(namespace)
                .withLabels(Map.of(label, "")).endMetadata().build();
    }

    /** A node with labels zone and node (or only the given labels). */
    static Node node(String name, String... labels) {
        Map<String, String> l = new LinkedHashMap<>();
        for (int i = 0; i < labels.length; i += 2) {
            l.put(labels[i], labels[i + 1]);
        }
        return new NodeBuilder(Fixtures.node(name)).editMetadata().withLabels(l).endMetadata().build();
    }

    /** The four nodes of upstream's fixture: a, b in zone1; x, y in zone2; each pod count a list of foo pods. */
    static List<NodeInfo> cluster(int a, int b, int x, int y) {
        return List.of(withPods(node("node-a", "zone", "zone1", "node", "node-a"), a),
                withPods(node("node-b", "zone", "zone1", "node", "node-b"), b),
                withPods(node("node-x", "zone", "zone2", "node", "node-x"), x),
                withPods(node("node-y", "zone", "zone2", "node", "node-y"), y));
    }

    static NodeInfo withPods(Node node, int fooPods) {
        Pod[] pods = new Pod[fooPods];
        for (int i = 0; i < fooPods; i++) {
            pods[i] = existing("default", "foo");
        }
        return Fixtures.nodeInfo(node, pods);
    }

    static List<String> filter(Pod pod, List<NodeInfo> nodes) {
        PodTopologySpread plugin = new PodTopologySpread(PluginArgs.none(), null);
        CycleState state = new CycleState();
        assertThat(plugin.preFilter(state, pod, nodes).status().isSuccess()).isTrue();
        List<String> codes = new ArrayList<>();
        for (NodeInfo n : nodes) {
            Status s = plugin.filter(state, pod, n);
            codes.add(switch (s.code()) {
                case SUCCESS -> S;
                case UNSCHEDULABLE -> U;
                case UNSCHEDULABLE_AND_UNRESOLVABLE -> UU;
                default -> s.toString();
            });
        }
        return codes;
    }

    @Test
    void singleConstraint() {
        TopologySpreadConstraint zone = spread(1, "zone", "DoNotSchedule", FOO);
        TopologySpreadConstraint node = spread(1, "node", "DoNotSchedule", FOO);
        assertThat(filter(incoming(zone), cluster(0, 0, 0, 0))).as("no existing pods").containsExactly(S, S, S, S);
        assertThat(filter(incoming("default", Map.of("bar", ""), spread(1, "zone", "DoNotSchedule",
                new LabelSelectorBuilder().addNewMatchExpression().withKey("bar").withOperator("Exists")
                        .endMatchExpression().build())), cluster(0, 0, 0, 0)))
                .as("no existing pods, incoming pod doesn't match itself").containsExactly(S, S, S, S);
        List<NodeInfo> mixedNamespaces = List.of(
                Fixtures.nodeInfo(node("node-a", "zone", "zone1", "node", "node-a"), existing("ns1", "foo")),
                Fixtures.nodeInfo(node("node-b", "zone", "zone1", "node", "node-b"), existing("ns2", "foo")),
                withPods(node("node-x", "zone", "zone2", "node", "node-x"), 1),
                withPods(node("node-y", "zone", "zone2", "node", "node-y"), 1));
        assertThat(filter(incoming(zone), mixedNamespaces)).as("pods in another namespace do not count")
                .containsExactly(S, S, U, U);
        assertThat(filter(incoming(spread(1, "zone", "DoNotSchedule", null)), cluster(2, 1, 0, 3)))
                .as("existing pods do not match a null selector").containsExactly(S, S, S, S);
        assertThat(filter(incoming(zone), cluster(2, 1, 3, 0))).as("3/3 across zones").containsExactly(S, S, S, S);
        List<NodeInfo> missingZone = List.of(withPods(node("node-a", "zone", "zone1", "node", "node-a"), 1),
                withPods(node("node-b", "zon", "zone1", "node", "node-b"), 1),
                withPods(node("node-x", "zone", "zone2", "node", "node-x"), 1),
                withPods(node("node-y", "zone", "zone2", "node", "node-y"), 1));
        assertThat(filter(incoming(zone), missingZone)).as("1/2 because node-b lacks the zone label")
                .containsExactly(S, UU, U, U);
        assertThat(filter(incoming(spread(1, "rack", "DoNotSchedule", FOO)), cluster(0, 0, 0, 0)))
                .as("no node has the rack label").containsExactly(UU, UU, UU, UU);
        assertThat(filter(incoming(node), cluster(2, 1, 0, 3))).as("2/1/0/3: only node-x")
                .containsExactly(U, U, S, U);
        assertThat(filter(incoming(spread(2, "node", "DoNotSchedule", FOO)), cluster(2, 1, 0, 3)))
                .as("2/1/0/3 with maxSkew 2").containsExactly(U, S, S, U);
        assertThat(filter(incoming("default", Map.of("bar", ""), node), cluster(2, 1, 0, 3)))
                .as("2/1/0/3, the pod not matching itself").containsExactly(U, S, S, U);
        Pod terminating = new PodBuilder(existing("default", "foo")).editMetadata()
                .withDeletionTimestamp("2026-01-01T00:00:00Z").endMetadata().build();
        assertThat(filter(incoming(node), List.of(
                Fixtures.nodeInfo(node("node-a", "node", "node-a"), terminating),
                withPods(node("node-b", "node", "node-b"), 1)))).as("terminating pods do not count")
                .containsExactly(S, U);
    }

    @Test
    void minDomains_countMissingDomainsAsEmpty() {
        List<NodeInfo> three = List.of(withPods(node("node-a", "node", "node-a"), 2),
                withPods(node("node-b", "node", "node-b"), 2), withPods(node("node-c", "node", "node-c"), 1));
        TopologySpreadConstraint four = new TopologySpreadConstraintBuilder(spread(2, "node", "DoNotSchedule", FOO))
                .withMinDomains(4).build();
        TopologySpreadConstraint two = new TopologySpreadConstraintBuilder(spread(2, "node", "DoNotSchedule", FOO))
                .withMinDomains(2).build();
        assertThat(filter(incoming(four), three)).containsExactly(U, U, S);
        assertThat(filter(incoming(two), three)).containsExactly(S, S, S);
    }

    @Test
    void multipleConstraints() {
        TopologySpreadConstraint zone = spread(1, "zone", "DoNotSchedule", FOO);
        TopologySpreadConstraint node = spread(1, "node", "DoNotSchedule", FOO);
        assertThat(filter(incoming(zone, node), cluster(2, 1, 0, 3))).as("[3/3, 2/1/0/3]")
                .containsExactly(U, U, S, U);
        assertThat(filter(incoming(zone, node), cluster(2, 1, 0, 4))).as("[3/4, 2/1/0/4]")
                .containsExactly(U, U, U, U);
        List<NodeInfo> xWithoutNode = List.of(withPods(node("node-a", "zone", "zone1", "node", "node-a"), 1),
                withPods(node("node-b", "zone", "zone1", "node", "node-b"), 0),
                withPods(node("node-x", "zone", "zone2"), 0),
                withPods(node("node-y", "zone", "zone2", "node", "node-y"), 1));
        assertThat(filter(incoming(zone, node), xWithoutNode)).as("node-x lacks the node label")
                .containsExactly(U, S, UU, U);
    }

    @Test
    void nodeInclusionPolicies_decideWhichDomainsCount() {
        Pod selective = new PodBuilder(incoming(spread(1, "node", "DoNotSchedule", FOO))).editSpec()
                .addToNodeSelector("pool", "a").endSpec().build();
        List<NodeInfo> nodes = List.of(withPods(node("node-a", "node", "node-a", "pool", "a"), 1),
                withPods(node("node-b", "node", "node-b", "pool", "a"), 1),
                withPods(node("node-c", "node", "node-c"), 0));
        assertThat(filter(selective, nodes)).as("Honor (default): node-c's empty domain does not count")
                .containsExactly(S, S, S);
        Pod ignoring = new PodBuilder(selective).editSpec().editFirstTopologySpreadConstraint()
                .withNodeAffinityPolicy("Ignore").endTopologySpreadConstraint().endSpec().build();
        assertThat(filter(ignoring, nodes)).as("Ignore: node-c's empty domain is the minimum")
                .containsExactly(U, U, S);
    }

    @Test
    void preemptionsWhatIf_addsAndRemovesPodsOnACopy() {
        PodTopologySpread plugin = new PodTopologySpread(PluginArgs.none(), null);
        Pod pod = incoming(spread(1, "node", "DoNotSchedule", FOO));
        List<NodeInfo> nodes = cluster(1, 0, 0, 0);
        CycleState state = new CycleState();
        plugin.preFilter(state, pod, nodes);
        assertThat(plugin.filter(state, pod, nodes.get(0)).isSuccess()).isFalse();
        CycleState whatIf = state.copy();
        PodInfo victim = nodes.get(0).pods().get(0);
        plugin.extensions().removePod(whatIf, pod, victim, nodes.get(0));
        assertThat(plugin.filter(whatIf, pod, nodes.get(0)).isSuccess()).isTrue();
        assertThat(plugin.filter(state, pod, nodes.get(0)).isSuccess()).as("the original state is unchanged")
                .isFalse();
        plugin.extensions().addPod(whatIf, pod, PodInfo.of(existing("default", "foo")), nodes.get(1));
        assertThat(plugin.filter(whatIf, pod, nodes.get(1)).isSuccess()).isFalse();
    }

    static long[] scores(Pod pod, List<NodeInfo> all, List<NodeInfo> filtered) {
        PodTopologySpread plugin = new PodTopologySpread(PluginArgs.none(), Fixtures.handle(all));
        CycleState state = new CycleState();
        Status pre = plugin.preScore(state, pod, filtered);
        assertThat(pre.isSuccess()).as(pre.toString()).isTrue();
        NodeScore[] scores = new NodeScore[filtered.size()];
        for (int i = 0; i < scores.length; i++) {
            scores[i] = new NodeScore(filtered.get(i).name(), plugin.score(state, pod, filtered.get(i)));
        }
        plugin.normalizeScores(state, pod, scores);
        return Fixtures.values(scores);
    }

    static List<NodeInfo> four(int a, int b, int c, int d) {
        return List.of(withPods(node("node-a", "node", "node-a"), a), withPods(node("node-b", "node", "node-b"), b),
                withPods(node("node-c", "node", "node-c"), c), withPods(node("node-d", "node", "node-d"), d));
    }

    @Test
    void score_prefersDomainsWithFewerMatchingPods() {
        List<NodeInfo> nodes = four(2, 1, 0, 3);
        assertThat(scores(incoming(spread(1, "node", "ScheduleAnyway", FOO)), nodes, nodes))
                .containsExactly(20, 60, 100, 0);
        assertThat(scores(incoming(spread(2, "node", "ScheduleAnyway", FOO)), nodes, nodes))
                .containsExactly(33, 66, 100, 16);
        List<NodeInfo> descending = four(4, 3, 2, 1);
        assertThat(scores(incoming(spread(3, "node", "ScheduleAnyway", FOO)), descending, descending))
                .containsExactly(44, 66, 77, 100);
        assertThat(scores(incoming(spread(1, "node", "ScheduleAnyway", null)), nodes, nodes))
                .as("a null selector matches nothing").containsExactly(100, 100, 100, 100);
        List<NodeInfo> zones = cluster(2, 1, 0, 2);
        assertThat(scores(incoming(spread(1, "zone", "ScheduleAnyway", FOO)), zones, zones.subList(0, 3)))
                .as("zone, 3 of 4 nodes candidates").containsExactly(75, 75, 100);
        List<NodeInfo> unlabelled = List.of(withPods(node("node-a", "node", "node-a"), 4),
                withPods(node("node-b", "n", "node-b"), 2), withPods(node("node-x", "node", "node-x"), 1));
        assertThat(scores(incoming(spread(1, "node", "ScheduleAnyway", FOO)), unlabelled, unlabelled))
                .as("a node without the key scores 0").containsExactly(16, 0, 100);
    }

    @Test
    void withoutSoftConstraints_scoringIsSkipped_andWithoutHardOnesFiltering() {
        PodTopologySpread plugin = new PodTopologySpread(PluginArgs.none(), null);
        Pod hardOnly = incoming(spread(1, "zone", "DoNotSchedule", FOO));
        assertThat(plugin.preScore(new CycleState(), hardOnly, cluster(0, 0, 0, 0)).isSkip()).isTrue();
        Pod softOnly = incoming(spread(1, "zone", "ScheduleAnyway", FOO));
        assertThat(plugin.preFilter(new CycleState(), softOnly, cluster(0, 0, 0, 0)).status().isSkip()).isTrue();
        assertThat(plugin.filter(new CycleState(), hardOnly, cluster(0, 0, 0, 0).get(0)).code())
                .as("Filter without PreFilter").isEqualTo(Status.Code.ERROR);
    }
}
