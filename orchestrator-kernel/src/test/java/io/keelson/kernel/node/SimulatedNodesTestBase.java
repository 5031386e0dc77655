package io.keelson.kernel.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.Quantity;
import io.keelson.kernel.KernelTestBase;
import io.keelson.kernel.Resources;
import io.keelson.kernel.TestObjects;
import io.keelson.kernel.informer.InformerFactory;
import io.keelson.kernel.informer.Informers;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInfo;

/**
 * Simulated kubelets on the kernel's fake clock, each test in a namespace of its own and with nodes named after it;
 * {@link #configure} shapes the nodes.
 */
abstract class SimulatedNodesTestBase extends KernelTestBase {
    protected InformerFactory informers;
    protected SimulatedNodes nodes;
    protected Resources<Pod> pods;
    protected String ns;
    protected String prefix;

    @BeforeEach
    void open(TestInfo test) throws Exception {
        prefix = "n" + Math.abs(test.getDisplayName().hashCode() % 100000) + "-";
        ns = "ns-" + prefix.substring(0, prefix.length() - 1);
        kernel.resources(Namespace.class).create(TestObjects.namespace(ns));
        pods = kernel.resources(Pod.class).inNamespace(ns);
        informers = InformerFactory.builder(kernel).build();
        nodes = configure(SimulatedNodes.builder(kernel, informers).clock(fixture.clock())
                .startDelay(Duration.ofSeconds(2))).build();
        informers.startAll().get(30, TimeUnit.SECONDS);
    }

    @AfterEach
    void close() {
        nodes.nodes().forEach(nodes::remove); // the kernel is the class's: leave no silent nodes to the next test
        nodes.close();
        informers.close();
    }

    protected Node add(String name, Map<String, String> capacity) {
        NodeBuilder b = new NodeBuilder().withNewMetadata().withName(prefix + name)
                .addToLabels("topology.kubernetes.io/zone", "z1").endMetadata();
        if (!capacity.isEmpty()) {
            b.withNewStatus().withCapacity(capacity.entrySet().stream().collect(Collectors.toMap(
                    Map.Entry::getKey, e -> new Quantity(e.getValue())))).endStatus();
        }
        return nodes.add(b.build());
    }

    /** Lets the informer deliver every change and runs what is due, until nothing more happens. */
    protected void settle() throws Exception {
        for (int quiet = 0; quiet < 3; ) {
            Informers.caughtUp(kernel, informers.forType(Pod.class), Pod.class);
            Thread.sleep(5);
            quiet = nodes.runDue() == 0 ? quiet + 1 : 0;
        }
    }

    protected void advance(Duration d) throws Exception {
        fixture.clock().advance(d);
        settle();
    }

    protected Pod bound(String name, String node) {
        Pod pod = TestObjects.pod(name);
        pod.getSpec().setNodeName(prefix + node);
        return pods.create(pod);
    }

    protected static PodCondition condition(Pod pod, String type) {
        return pod.getStatus().getConditions().stream().filter(c -> c.getType().equals(type)).findFirst()
                .orElseThrow();
    }

    /** The Event with {@code reason} about the pod {@code name}, once the kubelets' recorder has written it. */
    protected Event awaitEvent(String name, String reason) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            Optional<Event> found = kernel.resources(Event.class).inNamespace(ns).list(io.keelson.kernel.ListRequest.all()).items().stream()
                    .filter(e -> e.getInvolvedObject().getName().equals(name) && e.getReason().equals(reason))
                    .findFirst();
            if (found.isPresent()) {
                return found.get();
            }
            assertThat(System.nanoTime()).as("no %s event about %s", reason, name).isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    /** The nodes' shape beyond the fixture's clock and 2 s start delay. */
    protected SimulatedNodes.Builder configure(SimulatedNodes.Builder builder) {
        return builder;
    }
}
