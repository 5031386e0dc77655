package io.keelson.scheduler.plugins.defaultpreemption;

import static io.keelson.scheduler.plugins.Fixtures.resources;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import io.keelson.kernel.scheduler.framework.CycleState;
import io.keelson.kernel.scheduler.framework.Handle;
import io.keelson.kernel.scheduler.framework.NodeInfo;
import io.keelson.kernel.scheduler.framework.PluginArgs;
import io.keelson.kernel.scheduler.framework.PostFilterResult;
import io.keelson.kernel.scheduler.framework.Status;
import io.keelson.scheduler.plugins.Fixtures;
import io.keelson.scheduler.plugins.noderesources.Fit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** kube-scheduler's default_preemption_test cases: PostFilter messages, victim selection and the candidate pick. */
class DefaultPreemptionTest {
    static final int LOW = 0;
    static final int MID = 100;
    static final int HIGH = 1000;

    static Pod pod(String name, int priority, String cpu) {
        return new PodBuilder(Fixtures.requesting("cpu", cpu, "memory", "100")).editMetadata().withName(name)
                .withUid("uid-" + name).addToLabels("app", name).endMetadata().editSpec().withPriority(priority)
                .endSpec().build();
    }

    static Pod started(Pod pod, String startTime) {
        return new PodBuilder(pod).editOrNewStatus().withStartTime(startTime).endStatus().build();
    }

    static Node node(String name) {
        return Fixtures.node(name, resources("cpu", "500m", "memory", "500", "pods", "32"));
    }

    /** Filters every node with NodeResourcesFit, then runs PostFilter with the statuses Filter gave. */
    static PostFilterResult preempt(Pod preemptor, List<NodeInfo> nodes, Map<String, Status> overrides) {
        Fit fit = new Fit(PluginArgs.none());
        Handle handle = Fixtures.handle(nodes, fit);
        CycleState state = new CycleState();
        fit.preFilter(state, preemptor, nodes);
        Map<String, Status> statuses = new java.util.HashMap<>();
        for (NodeInfo n : nodes) {
            Status s = fit.filter(state, preemptor, n);
            if (!s.isSuccess()) {
                statuses.put(n.name(), s);
            }
        }
        statuses.putAll(overrides);
        return new DefaultPreemption(PluginArgs.none(), handle, new SplittableRandom(1))
                .postFilter(state, preemptor, statuses);
    }

    @Test
    void aPodOfTiedPriority_findsNoVictims() {
        PostFilterResult r = preempt(pod("p", LOW, "300m"), List.of(Fixtures.nodeInfo(node("node1"),
                pod("v", LOW, "300m"))), Map.of());
        assertThat(r.nominatedNodeName()).isEmpty();
        assertThat(r.status()).isEqualTo(Status.unschedulable("preemption: 0/1 nodes are available: 1 No preemption"
                + " victims found for incoming pod."));
    }

    @Test
    void unresolvableNodes_areNotTried() {
        PostFilterResult r = preempt(pod("p", HIGH, "300m"), List.of(Fixtures.nodeInfo(node("node1"),
                pod("v", LOW, "300m"))), Map.of("node1", Status.unresolvable("node(s) didn't match Pod's node"
                + " affinity/selector")));
        assertThat(r.status().message()).isEqualTo("preemption: 0/1 nodes are available: 1 Preemption is not helpful"
                + " for scheduling.");
    }

    @Test
    void removingEveryLowerPriorityPodIsNotEnough_reportsTheFilterReason() {
        PostFilterResult r = preempt(pod("p", HIGH, "300m"), List.of(
                Fixtures.nodeInfo(node("node1"), pod("h1", HIGH, "300m"), pod("l1", LOW, "100m")),
                Fixtures.nodeInfo(node("node2"), pod("h2", HIGH, "300m"), pod("l2", LOW, "100m"))), Map.of());
        assertThat(r.status().message()).isEqualTo("preemption: 0/2 nodes are available: 2 Insufficient cpu.");
    }

    @Test
    void mixedReasons_areCountedPerNode() {
        List<NodeInfo> nodes = List.of(Fixtures.nodeInfo(node("node1"), pod("v1", HIGH, "300m")),
                Fixtures.nodeInfo(node("node2"), pod("v2", HIGH, "300m")),
                Fixtures.nodeInfo(node("node3"), pod("h3", HIGH, "300m"), pod("l3", LOW, "100m")));
        PostFilterResult r = preempt(pod("p", MID, "300m"), nodes, Map.of());
        assertThat(r.status().message()).isEqualTo("preemption: 0/3 nodes are available: 1 Insufficient cpu, 2 No"
                + " preemption victims found for incoming pod.");
    }

    @Test
    void preemptionPolicyNever_isNotEligible() {
        Pod never = new PodBuilder(pod("p", HIGH, "300m")).editSpec().withPreemptionPolicy("Never").endSpec().build();
        PostFilterResult r = preempt(never, List.of(Fixtures.nodeInfo(node("node1"), pod("v", LOW, "300m"))),
                Map.of());
        assertThat(r.status().message()).isEqualTo("preemption: not eligible due to preemptionPolicy=Never.");
    }

    @Test
    void victims_areTheLowerPriorityPodsThatMustGo_mostImportantKept() {
        Fit fit = new Fit(PluginArgs.none());
        Pod preemptor = pod("p", HIGH, "300m");
        NodeInfo node = Fixtures.nodeInfo(node("node1"), started(pod("small-low", LOW, "100m"), "2026-01-01T00:00:00Z"),
                started(pod("medium-mid", MID, "200m"), "2026-01-01T00:00:01Z"),
                started(pod("small-mid", MID, "100m"), "2026-01-01T00:00:02Z"));
        CycleState state = new CycleState();
        fit.preFilter(state, preemptor, List.of(node));
        Victims.Selection s = Victims.select(Fixtures.handle(List.of(node), fit), state, preemptor, node.copy(),
                List.of());
        assertThat(s.status().isSuccess()).isTrue();
        // all three go (400m freed); given back most important first: medium-mid (mid, started first) fits again,
        // then small-mid and small-low do not
        assertThat(s.victims()).extracting(p -> p.getMetadata().getName()).containsExactly("small-mid", "small-low");
        assertThat(s.pdbViolations()).isZero();
    }

    @Test
    void budgets_protectPodsWhereTheyCan() {
        PodDisruptionBudget pdb = new PodDisruptionBudgetBuilder().withNewMetadata().withName("pdb")
                .withNamespace("default").endMetadata().withNewSpec().withNewSelector().addToMatchLabels("app", "a")
                .endSelector().endSpec().withNewStatus().withDisruptionsAllowed(1).endStatus().build();
        Pod a1 = new PodBuilder(pod("a1", LOW, "100m")).editMetadata().withLabels(Map.of("app", "a")).endMetadata()
                .build();
        Pod a2 = new PodBuilder(pod("a2", LOW, "100m")).editMetadata().withLabels(Map.of("app", "a")).endMetadata()
                .build();
        List<Pod> violating = new ArrayList<>();
        List<Pod> others = new ArrayList<>();
        Victims.splitByBudget(List.of(a1, a2, pod("b", LOW, "100m")), List.of(pdb), violating, others);
        assertThat(violating).containsExactly(a2);
        assertThat(others).extracting(p -> p.getMetadata().getName()).containsExactly("a1", "b");

        PodDisruptionBudget disrupted = new PodDisruptionBudgetBuilder(pdb).editStatus()
                .addToDisruptedPods("a2", "2026-01-01T00:00:00Z").endStatus().build();
        violating.clear();
        others.clear();
        Victims.splitByBudget(List.of(a1, a2), List.of(disrupted), violating, others);
        assertThat(violating).as("a pod already being disrupted is not counted again").isEmpty();
    }

    static Victims.Candidate candidate(String node, int pdbViolations, Pod... victims) {
        return new Victims.Candidate(node, List.of(victims), pdbViolations);
    }

    @Test
    void theCandidate_isPickedByKubeSchedulersCriteriaInOrder() {
        assertThat(Victims.pickOne(List.of(candidate("n1", 1, pod("a", LOW, "1m")),
                candidate("n2", 0, pod("b", MID, "1m"))))).extracting(Victims.Candidate::node).isEqualTo("n2");
        assertThat(Victims.pickOne(List.of(candidate("n1", 0, pod("a", MID, "1m")),
                candidate("n2", 0, pod("b", MID, "1m")), candidate("n3", 0, pod("c", LOW, "1m"), pod("d", LOW, "1m")))))
                .as("the lowest highest-priority victim").extracting(Victims.Candidate::node).isEqualTo("n3");
        assertThat(Victims.pickOne(List.of(candidate("n1", 0, pod("a", MID, "1m"), pod("b", MID, "1m")),
                candidate("n2", 0, pod("c", MID, "1m"), pod("d", LOW, "1m")))))
                .as("the smallest sum of priorities").extracting(Victims.Candidate::node).isEqualTo("n2");
        assertThat(Victims.pickOne(List.of(candidate("n1", 0, pod("a", MID, "1m"), pod("b", -100, "1m"),
                        pod("c", -100, "1m")), candidate("n2", 0, pod("d", MID, "1m"), pod("e", -50, "1m")))))
                .as("negative priorities do not make more victims cheaper").extracting(Victims.Candidate::node)
                .isEqualTo("n2");
        assertThat(Victims.pickOne(List.of(
                candidate("n1", 0, started(pod("a", MID, "1m"), "2026-01-01T00:00:01Z")),
                candidate("n2", 0, started(pod("b", MID, "1m"), "2026-01-01T00:00:05Z")))))
                .as("the latest start").extracting(Victims.Candidate::node).isEqualTo("n2");
        assertThat(Victims.pickOne(List.of(
                candidate("n1", 0, started(pod("a", MID, "1m"), "2026-01-01T00:00:01Z")),
                candidate("n2", 0, pod("b", MID, "1m")))))
                .as("a victim that never started counts as starting last").extracting(Victims.Candidate::node)
                .isEqualTo("n2");
    }

    @Test
    void podsThatNeverStarted_sortConsistently() {
        List<Pod> pods = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            pods.add(pod("p" + i, i % 3, "1m"));
        }
        pods.sort(Victims.MORE_IMPORTANT); // TimSort would throw on an inconsistent order
        for (int i = 1; i < pods.size(); i++) {
            assertThat(Victims.priority(pods.get(i - 1))).isGreaterThanOrEqualTo(Victims.priority(pods.get(i)));
        }
    }
}
