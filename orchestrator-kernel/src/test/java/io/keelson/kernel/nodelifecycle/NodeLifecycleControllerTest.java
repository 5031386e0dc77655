package io.keelson.kernel.nodelifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.keelson.kernel.KernelTestBase;
import io.keelson.kernel.Resources;
import io.keelson.kernel.TestObjects;
import io.keelson.kernel.informer.InformerFactory;
import io.keelson.kernel.informer.Informers;
import io.keelson.kernel.node.SimulatedNodes;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/** Node failure on the fake clock: Unknown after the grace period, taints, evictions, recovery. */
class NodeLifecycleControllerTest extends KernelTestBase {
    private InformerFactory informers;
    private SimulatedNodes nodes;
    private NodeLifecycleController controller;
    private Resources<Pod> pods;
    private String prefix;

    @BeforeEach
    void open(TestInfo test) throws Exception {
        prefix = "l" + Math.abs(test.getDisplayName().hashCode() % 100000) + "-";
        String ns = "ns-" + prefix.substring(0, prefix.length() - 1);
        kernel.resources(Namespace.class).create(TestObjects.namespace(ns));
        pods = kernel.resources(Pod.class).inNamespace(ns);
        informers = InformerFactory.builder(kernel).build();
        nodes = SimulatedNodes.builder(kernel, informers).clock(fixture.clock()).startDelay(Duration.ZERO).build();
        controller = NodeLifecycleController.create(kernel, informers, fixture.clock());
        informers.startAll().get(30, TimeUnit.SECONDS);
    }

    @AfterEach
    void close() {
        nodes.nodes().forEach(nodes::remove); // the kernel is the class's: leave no silent nodes to the next test
        controller.close();
        nodes.close();
        informers.close();
    }

    /** Advances the clock in monitor periods, letting the nodes and the controller act at each step. */
    private void advance(Duration d) throws Exception {
        for (Duration left = d; !left.isNegative() && !left.isZero(); left = left.minusSeconds(5)) {
            fixture.clock().advance(left.compareTo(Duration.ofSeconds(5)) < 0 ? left : Duration.ofSeconds(5));
            settle();
            controller.monitor();
            settle();
        }
    }

    private void settle() throws Exception {
        for (int quiet = 0; quiet < 2; ) {
            Informers.caughtUp(kernel, informers.forType(Pod.class), Pod.class);
            Informers.caughtUp(kernel, informers.forType(Node.class), Node.class);
            Informers.caughtUp(kernel, informers.forType(Lease.class), Lease.class);
            Thread.sleep(5);
            quiet = nodes.runDue() == 0 ? quiet + 1 : 0;
        }
    }

    private Node node(String name) {
        return kernel.resources(Node.class).get(prefix + name);
    }

    private static NodeCondition ready(Node node) {
        return node.getStatus().getConditions().stream().filter(c -> c.getType().equals("Ready")).findFirst()
                .orElseThrow();
    }

    private Pod bound(String name, String node, boolean toleratesForEver) {
        Pod pod = TestObjects.pod(name);
        pod.getSpec().setNodeName(prefix + node);
        if (toleratesForEver) {
            pod.getSpec().setTolerations(List.of(new TolerationBuilder().withKey(NodeLifecycleController.UNREACHABLE)
                    .withOperator("Exists").withEffect("NoExecute").build()));
        }
        return pods.create(pod);
    }

    @Test
    void aSilentNode_becomesUnknownAfterTheGracePeriod_isTainted_andItsPodsAreEvictedWhenTheirTolerationEnds()
            throws Exception {
        nodes.add(new NodeBuilder().withNewMetadata().withName(prefix + "a").endMetadata().build());
        bound("web", "a", false);
        bound("agent", "a", true);
        advance(Duration.ofSeconds(5));
        assertThat(pods.get("web").getStatus().getPhase()).isEqualTo("Running");
        assertThat(pods.get("web").getSpec().getTolerations()).as("DefaultTolerationSeconds")
                .anySatisfy(t -> assertThat(t.getTolerationSeconds()).isEqualTo(300L));

        nodes.stopHeartbeats(prefix + "a");
        advance(Duration.ofSeconds(45));
        assertThat(ready(node("a")).getStatus()).as("within the grace period").isEqualTo("True");

        advance(Duration.ofSeconds(10));
        NodeCondition unknown = ready(node("a"));
        assertThat(unknown.getStatus()).isEqualTo("Unknown");
        assertThat(unknown.getReason()).isEqualTo("NodeStatusUnknown");
        assertThat(unknown.getMessage()).isEqualTo("Kubelet stopped posting node status.");
        assertThat(node("a").getSpec().getTaints()).extracting(Taint::getKey, Taint::getEffect).containsExactlyInAnyOrder(
                org.assertj.core.groups.Tuple.tuple(NodeLifecycleController.UNREACHABLE, "NoSchedule"),
                org.assertj.core.groups.Tuple.tuple(NodeLifecycleController.UNREACHABLE, "NoExecute"));
        assertThat(pods.get("web").getStatus().getConditions()).filteredOn(c -> c.getType().equals("Ready"))
                .singleElement().satisfies(c -> assertThat(c.getStatus()).isEqualTo("False"));

        advance(Duration.ofSeconds(290));
        assertThat(pods.get("web").getMetadata().getDeletionTimestamp()).as("tolerated for 300 s").isNull();
        advance(Duration.ofSeconds(15));
        assertThat(pods.get("web").getMetadata().getDeletionTimestamp()).isNotNull();
        assertThat(pods.get("agent").getMetadata().getDeletionTimestamp()).as("tolerates for ever").isNull();
    }

    @Test
    void aNodeThatComesBack_isReadyAgain_andLosesTheTaints() throws Exception {
        nodes.add(new NodeBuilder().withNewMetadata().withName(prefix + "b").endMetadata().build());
        nodes.stopHeartbeats(prefix + "b");
        advance(Duration.ofSeconds(60));
        assertThat(ready(node("b")).getStatus()).isEqualTo("Unknown");

        nodes.resumeHeartbeats(prefix + "b");
        advance(Duration.ofSeconds(5));

        assertThat(ready(node("b")).getStatus()).isEqualTo("True");
        assertThat(node("b").getSpec().getTaints()).isNullOrEmpty();
    }

    @Test
    void aCordonedNode_isTaintedUnschedulable_untilUncordoned() throws Exception {
        nodes.add(new NodeBuilder().withNewMetadata().withName(prefix + "c").endMetadata().build());
        Node cordoned = node("c");
        cordoned.getSpec().setUnschedulable(true);
        kernel.resources(Node.class).update(cordoned);
        advance(Duration.ofSeconds(5));
        assertThat(node("c").getSpec().getTaints()).extracting(Taint::getKey, Taint::getEffect)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(NodeLifecycleController.UNSCHEDULABLE,
                        "NoSchedule"));

        Node uncordoned = node("c");
        uncordoned.getSpec().setUnschedulable(false);
        kernel.resources(Node.class).update(uncordoned);
        advance(Duration.ofSeconds(5));
        assertThat(node("c").getSpec().getTaints()).isNullOrEmpty();
    }
}
