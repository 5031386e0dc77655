package io.keelson.scheduler.plugins.interpodaffinity;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.AffinityBuilder;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodAffinityTerm;
import io.fabric8.kubernetes.api.model.PodAffinityTermBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.WeightedPodAffinityTerm;
import io.keelson.kernel.scheduler.framework.CycleState;
import io.keelson.kernel.scheduler.framework.NodeInfo;
import io.keelson.kernel.scheduler.framework.NodeScore;
import io.keelson.kernel.scheduler.framework.PluginArgs;
import io.keelson.kernel.scheduler.framework.PodInfo;
import io.keelson.kernel.scheduler.framework.PreFilterResult;
import io.keelson.kernel.scheduler.framework.Status;
import io.keelson.scheduler.plugins.Fixtures;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** kube-scheduler's InterPodAffinity filtering_test and scoring_test cases. */
class InterPodAffinityTest {
    static final Status AFFINITY = Status.unresolvable(InterPodAffinity.REASON_AFFINITY);
    static final Status ANTI = Status.unschedulable(InterPodAffinity.REASON_ANTI_AFFINITY);
    static final Status EXISTING = Status.unschedulable(InterPodAffinity.REASON_EXISTING_ANTI_AFFINITY);
    static final Status OK = Status.success();

    /** A term selecting pods whose {@code key} is {@code op} {@code values}, over {@code topologyKey}. */
    static PodAffinityTerm term(String key, String op, String topologyKey, String... values) {
        return new PodAffinityTermBuilder().withLabelSelector(new LabelSelectorBuilder().addNewMatchExpression()
                .withKey(key).withOperator(op).withValues(Arrays.asList(values)).endMatchExpression().build())
                .withTopologyKey(topologyKey).build();
    }

    static Affinity required(List<PodAffinityTerm> affinity, List<PodAffinityTerm> anti) {
        AffinityBuilder b = new AffinityBuilder();
        if (affinity != null) {
            b.withNewPodAffinity().withRequiredDuringSchedulingIgnoredDuringExecution(affinity).endPodAffinity();
        }
        if (anti != null) {
            b.withNewPodAntiAffinity().withRequiredDuringSchedulingIgnoredDuringExecution(anti).endPodAntiAffinity();
        }
        return b.build();
    }

    static Pod pod(String name, Map<String, String> labels, Affinity affinity) {
        return new PodBuilder(Fixtures.pod(name).build()).editMetadata().withLabels(labels).endMetadata()
                .editSpec().withAffinity(affinity).endSpec().build();
    }

    static Node node(String name, String... labels) {
        Map<String, String> l = new LinkedHashMap<>();
        for (int i = 0; i < labels.length; i += 2) {
            l.put(labels[i], labels[i + 1]);
        }
        return new NodeBuilder(Fixtures.node(name)).editMetadata().withLabels(l).endMetadata().build();
    }

    static final Node NODE1 = node("node1", "region", "r1", "zone", "z11");
    static final Pod SECURITY_SCAN = pod("existing", Map.of("service", "securityscan"), null);

    static List<Status> filter(Pod pod, List<NodeInfo> nodes) {
        InterPodAffinity plugin = new InterPodAffinity(PluginArgs.none(), Fixtures.handle(nodes));
        CycleState state = new CycleState();
        PreFilterResult r = plugin.preFilter(state, pod, nodes);
        if (r.status().isSkip()) {
            return List.of(Status.skip());
        }
        assertThat(r.status().isSuccess()).as(r.status().toString()).isTrue();
        List<Status> statuses = new ArrayList<>();
        for (NodeInfo n : nodes) {
            statuses.add(plugin.filter(state, pod, n));
        }
        return statuses;
    }

    static List<NodeInfo> single(Pod... existing) {
        return List.of(Fixtures.nodeInfo(NODE1, existing));
    }

    @Test
    void requiredAffinity_onASingleNode() {
        assertThat(filter(pod("p", Map.of(), null), single())).as("no affinity, nothing to check")
                .containsExactly(Status.skip());
        assertThat(filter(pod("p", Map.of(), required(List.of(term("service", "In", "region", "securityscan",
                "value2")), null)), single(SECURITY_SCAN))).containsExactly(OK);
        assertThat(filter(pod("p", Map.of(), required(List.of(term("service", "NotIn", "region", "securityscan3",
                "value3")), null)), single(SECURITY_SCAN))).containsExactly(OK);
        PodAffinityTerm otherNamespace = new PodAffinityTermBuilder(term("service", "In", "region", "securityscan",
                "value2")).withNamespaces("DiffNameSpace").build();
        assertThat(filter(pod("p", Map.of(), required(List.of(otherNamespace), null)), single(SECURITY_SCAN)))
                .as("a term looking in another namespace").containsExactly(AFFINITY);
        assertThat(filter(pod("p", Map.of(), required(List.of(term("service", "In", "region", "antivirusscan",
                "value2")), null)), single(SECURITY_SCAN))).as("unmatching selector").containsExactly(AFFINITY);
        PodAffinityTerm anded = new PodAffinityTermBuilder().withLabelSelector(new LabelSelectorBuilder()
                .addNewMatchExpression().withKey("service").withOperator("Exists").endMatchExpression()
                .addNewMatchExpression().withKey("wrongkey").withOperator("DoesNotExist").endMatchExpression()
                .addNewMatchExpression().withKey("service").withOperator("In").withValues("WrongValue")
                .endMatchExpression().build()).withTopologyKey("region").build();
        assertThat(filter(pod("p", Map.of(), required(List.of(anded), null)), single(SECURITY_SCAN)))
                .as("expressions are ANDed").containsExactly(AFFINITY);
    }

    @Test
    void requiredAntiAffinity_ofTheIncomingPod_andOfExistingPods() {
        assertThat(filter(pod("p", Map.of(), required(List.of(term("service", "In", "region", "securityscan")),
                List.of(term("service", "In", "zone", "securityscan")))), single(SECURITY_SCAN)))
                .as("affinity holds, anti-affinity on the zone does not").containsExactly(ANTI);
        Pod existingWithAnti = pod("existing", Map.of("service", "securityscan"),
                required(null, List.of(term("security", "In", "zone", "S1"))));
        assertThat(filter(pod("p", Map.of("security", "S1"), null), single(existingWithAnti)))
                .as("an existing pod's anti-affinity is respected without the incoming pod's own")
                .containsExactly(EXISTING);
        assertThat(filter(pod("p", Map.of("security", "S2"), null), single(existingWithAnti)))
                .as("an existing pod's anti-affinity not selecting the pod: nothing to check")
                .containsExactly(Status.skip());
    }

    @Test
    void aMalformedTerm_isRefusedInPreFilter() {
        Pod bad = pod("p", Map.of(), required(List.of(term("service", "In", "region", "{{.bad-value.}}")), null));
        PreFilterResult r = new InterPodAffinity(PluginArgs.none(), null).preFilter(new CycleState(), bad, single());
        assertThat(r.status().code()).isEqualTo(Status.Code.UNSCHEDULABLE_AND_UNRESOLVABLE);
        assertThat(r.status().message()).startsWith("parsing pod: requiredAffinityTerms: ")
                .contains("Invalid value: \"{{.bad-value.}}\"");
    }

    @Test
    void requiredAffinity_acrossNodes() {
        Node a = node("nodeA", "region", "China", "hostname", "nodeA");
        Node b = node("nodeB", "region", "China", "hostname", "nodeB");
        Node c = node("nodeC", "region", "India", "hostname", "nodeC");
        Pod incoming = pod("p", Map.of(), required(List.of(term("foo", "In", "region", "bar")), null));
        Pod bar = pod("existing", Map.of("foo", "bar"), null);
        assertThat(filter(incoming, List.of(Fixtures.nodeInfo(a, bar), Fixtures.nodeInfo(b), Fixtures.nodeInfo(c))))
                .as("every node in the matching pod's region").containsExactly(OK, OK, AFFINITY);

        Pod first = pod("p", Map.of("foo", "bar", "service", "securityscan"), required(List.of(
                term("foo", "In", "zone", "bar"), term("service", "In", "zone", "securityscan")), null));
        Node za = node("nodeA", "zone", "az1", "hostname", "nodeA");
        Node zb = node("nodeB", "zone", "az2", "hostname", "nodeB");
        assertThat(filter(first, List.of(Fixtures.nodeInfo(za, pod("e", Map.of("foo", "bar"), null)),
                Fixtures.nodeInfo(zb)))).as("the first pod of a self-affine group goes anywhere")
                .containsExactly(OK, OK);
        Node noKeyA = node("nodeA", "zoneLabel", "az1");
        Node noKeyB = node("nodeB", "zoneLabel", "az2");
        assertThat(filter(first, List.of(Fixtures.nodeInfo(noKeyA), Fixtures.nodeInfo(noKeyB))))
                .as("...but only where its topology keys exist").containsExactly(AFFINITY, AFFINITY);

        Pod anti = pod("p", Map.of(), required(null, List.of(term("foo", "In", "region", "abc"))));
        assertThat(filter(anti, List.of(Fixtures.nodeInfo(a, pod("e", Map.of("foo", "abc"), null)),
                Fixtures.nodeInfo(b), Fixtures.nodeInfo(c)))).as("anti-affinity covers the whole region")
                .containsExactly(ANTI, ANTI, OK);
        Pod fooAndBar = pod("p", Map.of(), required(List.of(term("foo", "Exists", "region"),
                term("bar", "Exists", "region")), null));
        assertThat(filter(fooAndBar, List.of(Fixtures.nodeInfo(a, pod("e1", Map.of("foo", ""), null)),
                Fixtures.nodeInfo(b, pod("e2", Map.of("bar", ""), null)))))
                .as("all terms must match the same pod").containsExactly(AFFINITY, AFFINITY);
    }

    @Test
    void preemptionsWhatIf_removingTheOffendingPodLetsThePodIn() {
        Node a = node("nodeA", "region", "China");
        Pod offending = pod("e", Map.of("foo", "abc"), null);
        List<NodeInfo> nodes = List.of(Fixtures.nodeInfo(a, offending));
        Pod anti = pod("p", Map.of(), required(null, List.of(term("foo", "In", "region", "abc"))));
        InterPodAffinity plugin = new InterPodAffinity(PluginArgs.none(), Fixtures.handle(nodes));
        CycleState state = new CycleState();
        plugin.preFilter(state, anti, nodes);
        assertThat(plugin.filter(state, anti, nodes.get(0))).isEqualTo(ANTI);
        CycleState whatIf = state.copy();
        PodInfo victim = nodes.get(0).pods().get(0);
        plugin.extensions().removePod(whatIf, anti, victim, nodes.get(0));
        assertThat(plugin.filter(whatIf, anti, nodes.get(0))).isEqualTo(OK);
        assertThat(plugin.filter(state, anti, nodes.get(0))).isEqualTo(ANTI);
    }

    // --- scoring

    static WeightedPodAffinityTerm weighted(int weight, PodAffinityTerm term) {
        return new WeightedPodAffinityTerm(term, weight);
    }

    static Affinity preferred(List<WeightedPodAffinityTerm> affinity, List<WeightedPodAffinityTerm> anti) {
        AffinityBuilder b = new AffinityBuilder();
        if (affinity != null) {
            b.withNewPodAffinity().withPreferredDuringSchedulingIgnoredDuringExecution(affinity).endPodAffinity();
        }
        if (anti != null) {
            b.withNewPodAntiAffinity().withPreferredDuringSchedulingIgnoredDuringExecution(anti)
                    .endPodAntiAffinity();
        }
        return b.build();
    }

    static long[] scores(Pod pod, List<NodeInfo> nodes) {
        InterPodAffinity plugin = new InterPodAffinity(PluginArgs.none(), Fixtures.handle(nodes));
        CycleState state = new CycleState();
        Status pre = plugin.preScore(state, pod, nodes);
        if (pre.isSkip()) {
            return null;
        }
        NodeScore[] scores = new NodeScore[nodes.size()];
        for (int i = 0; i < scores.length; i++) {
            scores[i] = new NodeScore(nodes.get(i).name(), plugin.score(state, pod, nodes.get(i)));
        }
        plugin.normalizeScores(state, pod, scores);
        return Fixtures.values(scores);
    }

    static final Node CHINA = node("node1", "region", "China");
    static final Node INDIA = node("node2", "region", "India");
    static final Node AZ1 = node("node3", "az", "az1");
    static final Node CHINA_AZ1 = node("node4", "region", "China", "az", "az1");
    static final Pod S1 = pod("s1", Map.of("security", "S1"), null);
    static final Pod S2 = pod("s2", Map.of("security", "S2"), null);

    @Test
    void preferredAffinity_scoresDomainsWithMatchingPods() {
        Affinity stayWithS1 = preferred(List.of(weighted(5, term("security", "In", "region", "S1"))), null);
        assertThat(scores(pod("p", Map.of(), null), List.of(Fixtures.nodeInfo(CHINA)))).as("no affinity: skipped")
                .isNull();
        assertThat(scores(pod("p", Map.of(), stayWithS1), List.of(Fixtures.nodeInfo(CHINA, S1),
                Fixtures.nodeInfo(INDIA), Fixtures.nodeInfo(AZ1)))).containsExactly(100, 0, 0);
        assertThat(scores(pod("p", Map.of(), stayWithS1), List.of(Fixtures.nodeInfo(CHINA, S1),
                Fixtures.nodeInfo(CHINA_AZ1), Fixtures.nodeInfo(INDIA)))).as("the whole region scores")
                .containsExactly(100, 100, 0);
        PodAffinityTerm notS1InS2 = new PodAffinityTermBuilder().withLabelSelector(new LabelSelectorBuilder()
                .addNewMatchExpression().withKey("security").withOperator("NotIn").withValues("S1")
                .endMatchExpression().addNewMatchExpression().withKey("security").withOperator("In")
                .withValues("S2").endMatchExpression().build()).withTopologyKey("region").build();
        PodAffinityTerm existsNoWrongKey = new PodAffinityTermBuilder().withLabelSelector(new LabelSelectorBuilder()
                .addNewMatchExpression().withKey("security").withOperator("Exists").endMatchExpression()
                .addNewMatchExpression().withKey("wrongkey").withOperator("DoesNotExist").endMatchExpression()
                .build()).withTopologyKey("region").build();
        Affinity affinity3 = preferred(List.of(weighted(8, notS1InS2), weighted(2, existsNoWrongKey)), null);
        assertThat(scores(pod("p", Map.of(), affinity3), List.of(Fixtures.nodeInfo(CHINA, S1),
                Fixtures.nodeInfo(INDIA, S2), Fixtures.nodeInfo(AZ1, S1)))).as("different operators")
                .containsExactly(20, 100, 0);
    }

    @Test
    void preferredAntiAffinity_andExistingPodsTerms() {
        Node az1 = node("node1", "az", "az1");
        Node az2 = node("node2", "az", "az2");
        Affinity awayFromS1 = preferred(null, List.of(weighted(5, term("security", "In", "az", "S1"))));
        assertThat(scores(pod("p", Map.of(), awayFromS1), List.of(Fixtures.nodeInfo(az1, S1),
                Fixtures.nodeInfo(az2)))).containsExactly(0, 100);
        Pod hardAffine = pod("e", Map.of(), required(List.of(term("security", "In", "region", "S1")), null));
        assertThat(scores(pod("p", Map.of("security", "S1"), null), List.of(Fixtures.nodeInfo(CHINA, hardAffine),
                Fixtures.nodeInfo(CHINA_AZ1), Fixtures.nodeInfo(INDIA))))
                .as("an existing pod's required affinity, times hardPodAffinityWeight").containsExactly(100, 100, 0);
        Pod preferringAway = pod("e", Map.of(), preferred(null, List.of(weighted(5, term("security", "In", "az",
                "S1")))));
        assertThat(scores(pod("p", Map.of("security", "S1"), null), List.of(Fixtures.nodeInfo(az1, preferringAway),
                Fixtures.nodeInfo(az2)))).as("an existing pod's preferred anti-affinity").containsExactly(0, 100);
    }
}
