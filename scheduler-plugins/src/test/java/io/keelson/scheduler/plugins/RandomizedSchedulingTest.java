package io.keelson.scheduler.plugins;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.Taint;
import io.keelson.kernel.Kernel;
import io.keelson.kernel.ListRequest;
import io.keelson.kernel.Resources;
import io.keelson.kernel.TestKernels;
import io.keelson.kernel.scheduler.Scheduler;
import io.keelson.kernel.scheduler.framework.HostPorts;
import io.keelson.kernel.scheduler.framework.PodInfo;
import io.keelson.kernel.scheduler.framework.Resource;
import io.keelson.kernel.scheduler.framework.NodeSelectors;
import io.keelson.kernel.scheduler.framework.Taints;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Random clusters and workloads (fixed seeds): node capacities, taints, labels, cordons; pods with requests,
 * tolerations, node selectors, node affinity and host ports. After the scheduler settles, no node holds more than
 * its allocatable, every bound pod satisfies its required constraints, and every pod left pending carries a
 * FailedScheduling message whose per-node counts add up to the number of nodes.
 */
class RandomizedSchedulingTest {
    private static final int NODES = 12;
    private static final int PODS = 70;

    @TempDir
    Path dir;

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3})
    void theSchedulerKeepsEveryRequiredConstraint(long seed) throws Exception {
        SplittableRandom random = new SplittableRandom(seed);
        try (TestKernels.Fixture fixture = TestKernels.open(dir.resolve("s" + seed))) {
            Kernel kernel = fixture.kernel();
            try (Scheduler scheduler = Scheduler.builder(kernel).clock(Clock.systemUTC())
                    .random(new SplittableRandom(seed)).build()) {
                scheduler.start().get(30, TimeUnit.SECONDS);
                Resources<Node> nodes = kernel.resources(Node.class);
                Resources<Pod> pods = kernel.resources(Pod.class).inNamespace("default");
                for (int i = 0; i < NODES; i++) {
                    nodes.create(randomNode(random, "node-" + i));
                }
                for (int i = 0; i < PODS; i++) {
                    pods.create(randomPod(random, "pod-" + i));
                }
                awaitSettled(scheduler, pods);
                check(nodes.list(ListRequest.all()).items(), pods.list(ListRequest.all()).items());
            }
        }
    }

    private static Node randomNode(SplittableRandom random, String name) {
        NodeBuilder b = Objects.node(name, (1 + random.nextInt(8)) + "", (16 + random.nextInt(48)) + "Gi")
                .editMetadata().addToLabels("topology.kubernetes.io/zone", "zone-" + "abc".charAt(random.nextInt(3)))
                .addToLabels("disk", random.nextBoolean() ? "ssd" : "hdd").endMetadata();
        if (random.nextInt(10) < 3) {
            b.editSpec().addNewTaint().withKey("dedicated").withValue("gpu").withEffect("NoSchedule").endTaint()
                    .endSpec();
        }
        if (random.nextInt(10) < 2) {
            b.editSpec().addNewTaint().withKey("spot").withEffect("PreferNoSchedule").endTaint().endSpec();
        }
        if (random.nextInt(12) == 0) {
            b.editSpec().withUnschedulable(true).endSpec();
        }
        return b.build();
    }

    private static Pod randomPod(SplittableRandom random, String name) {
        PodBuilder b = Objects.pod(name, (100 + random.nextInt(12) * 100) + "m", (64 + random.nextInt(4) * 64) + "Mi");
        if (random.nextInt(10) < 3) {
            b.editSpec().addNewToleration().withKey("dedicated").withOperator("Equal").withValue("gpu")
                    .withEffect("NoSchedule").endToleration().endSpec();
        }
        if (random.nextInt(10) < 3) {
            b.editSpec().addToNodeSelector("disk", "ssd").endSpec();
        }
        if (random.nextInt(10) < 2) {
            b.editSpec().withNewAffinity().withNewNodeAffinity().withNewRequiredDuringSchedulingIgnoredDuringExecution()
                    .addNewNodeSelectorTerm().addNewMatchExpression().withKey("topology.kubernetes.io/zone")
                    .withOperator("In").withValues("zone-a", "zone-b").endMatchExpression().endNodeSelectorTerm()
                    .endRequiredDuringSchedulingIgnoredDuringExecution().endNodeAffinity().endAffinity().endSpec();
        }
        if (random.nextInt(10) == 0) {
            b.editSpec().editFirstContainer().addNewPort().withContainerPort(80).withHostPort(8080).endPort()
                    .endContainer().endSpec();
        }
        return b.build();
    }

    /** Every pod is bound or marked unschedulable, and the queue has nothing to do for a while. */
    private static void awaitSettled(Scheduler scheduler, Resources<Pod> pods) throws InterruptedException {
        int quiet = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (quiet < 3) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not settled: " + scheduler.queueSizes());
            }
            Thread.sleep(200);
            Map<String, Integer> q = scheduler.queueSizes();
            boolean decided = pods.list(ListRequest.all()).items().stream()
                    .allMatch(p -> p.getSpec().getNodeName() != null || condition(p) != null);
            quiet = decided && q.get("active") == 0 && q.get("in_flight") == 0 && q.get("backoff") == 0 ? quiet + 1 : 0;
        }
    }

    private static void check(List<Node> nodes, List<Pod> pods) {
        Map<String, Node> byName = new HashMap<>();
        nodes.forEach(n -> byName.put(n.getMetadata().getName(), n));
        Map<String, Resource> used = new HashMap<>();
        Map<String, Set<HostPorts.Port>> ports = new HashMap<>();
        int bound = 0;
        for (Pod pod : pods) {
            String nodeName = pod.getSpec().getNodeName();
            if (nodeName == null) {
                PodCondition c = condition(pod);
                assertThat(c.getReason()).isEqualTo("Unschedulable");
                assertThat(c.getMessage()).startsWith("0/" + NODES + " nodes are available: ");
                assertThat(countsIn(c.getMessage())).as(c.getMessage()).isEqualTo(NODES);
                continue;
            }
            bound++;
            Node node = byName.get(nodeName);
            String where = pod.getMetadata().getName() + " on " + nodeName;
            List<Taint> taints = node.getSpec().getTaints() == null ? List.of() : node.getSpec().getTaints();
            assertThat(Taints.firstUntolerated(taints, pod.getSpec().getTolerations(), Taints::doNotSchedule))
                    .as(where + ": untolerated taint").isNull();
            assertThat(Boolean.TRUE.equals(node.getSpec().getUnschedulable())).as(where + ": cordoned").isFalse();
            Map<String, String> selector = pod.getSpec().getNodeSelector();
            if (selector != null) {
                selector.forEach((k, v) -> assertThat(node.getMetadata().getLabels()).as(where).containsEntry(k, v));
            }
            if (pod.getSpec().getAffinity() != null) {
                assertThat(NodeSelectors.of(pod.getSpec().getAffinity().getNodeAffinity()
                        .getRequiredDuringSchedulingIgnoredDuringExecution()).matches(node)).as(where + ": affinity")
                        .isTrue();
            }
            PodInfo info = PodInfo.of(pod);
            used.computeIfAbsent(nodeName, n -> new Resource()).add(info.requests());
            for (HostPorts.Port p : info.hostPorts()) {
                assertThat(ports.computeIfAbsent(nodeName, n -> new HashSet<>()).add(p)).as(where + ": port " + p)
                        .isTrue();
            }
        }
        used.forEach((nodeName, r) -> {
            Resource alloc = Resource.of(byName.get(nodeName).getStatus().getAllocatable());
            assertThat(r.milliCpu()).as(nodeName + " cpu").isLessThanOrEqualTo(alloc.milliCpu());
            assertThat(r.memory()).as(nodeName + " memory").isLessThanOrEqualTo(alloc.memory());
        });
        assertThat(bound).as("the workload is meant to place most pods").isGreaterThan(PODS / 3);
    }

    /** The sum of the counts in "0/N nodes are available: 3 reason, 2 other reason." (before preemption's part) */
    static int countsIn(String message) {
        String histogram = message.substring(message.indexOf(": ") + 2).split("\\. preemption: ")[0];
        int sum = 0;
        Matcher m = Pattern.compile("(?:^|, )(\\d+) ").matcher(histogram);
        while (m.find()) {
            sum += Integer.parseInt(m.group(1));
        }
        return sum;
    }

    private static PodCondition condition(Pod pod) {
        return pod.getStatus() == null || pod.getStatus().getConditions() == null ? null
                : pod.getStatus().getConditions().stream().filter(c -> "PodScheduled".equals(c.getType())
                        && "False".equals(c.getStatus())).findFirst().orElse(null);
    }
}
