package io.keelson.kernel.podgc;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.keelson.kernel.KernelTestBase;
import io.keelson.kernel.ListRequest;
import io.keelson.kernel.Resources;
import io.keelson.kernel.TestObjects;
import io.keelson.kernel.WatchRequest;
import io.keelson.kernel.informer.InformerFactory;
import io.keelson.kernel.informer.Informers;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/** The pod garbage collector on the fake clock: orphaned pods after the quarantine, terminated pods over the cap. */
class PodGCControllerTest extends KernelTestBase {
    private InformerFactory informers;
    private Resources<Pod> pods;
    private String ns;

    @BeforeEach
    void open(TestInfo test) throws Exception {
        ns = "gc-" + Math.abs(test.getDisplayName().hashCode() % 100000);
        kernel.resources(Namespace.class).create(TestObjects.namespace(ns));
        pods = kernel.resources(Pod.class).inNamespace(ns);
        informers = InformerFactory.builder(kernel).build();
        informers.forType(Pod.class);
        informers.forType(Node.class);
        informers.startAll().get(30, TimeUnit.SECONDS);
    }

    @AfterEach
    void close() {
        informers.close();
    }

    private void settle() throws InterruptedException {
        Informers.caughtUp(kernel, informers.forType(Pod.class), Pod.class);
        Informers.caughtUp(kernel, informers.forType(Node.class), Node.class);
    }

    private Pod bound(String name, String node) {
        Pod pod = TestObjects.pod(name);
        pod.getSpec().setNodeName(node);
        return pods.create(pod);
    }

    private List<String> names() {
        return pods.list(ListRequest.all()).items().stream().map(p -> p.getMetadata().getName()).toList();
    }

    @Test
    void podsOnANodeThatIsGone_areMarkedFailedAndDeleted_afterTheQuarantine() throws Exception {
        String live = ns + "-live";
        kernel.resources(Node.class).create(new NodeBuilder().withNewMetadata().withName(live).endMetadata().build());
        bound("orphan", ns + "-gone");
        bound("kept", live);
        PodGCController gc = PodGCController.create(kernel, informers, fixture.clock());
        settle();
        gc.collect();
        fixture.clock().advance(PodGCController.QUARANTINE.minusSeconds(1));
        gc.collect();
        assertThat(names()).as("within the quarantine").contains("orphan", "kept");

        List<Pod> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        String rv = pods.list(ListRequest.all()).resourceVersion();
        try (var watch = pods.watch(WatchRequest.fromResourceVersion(rv), e -> {
            if (e.object() != null) {
                seen.add(e.object());
            }
        })) {
            fixture.clock().advance(Duration.ofSeconds(1));
            gc.collect();
            assertThat(names()).containsExactly("kept");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (seen.stream().noneMatch(p -> p.getStatus() != null && "Failed".equals(p.getStatus().getPhase()))
                    && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
        }
        assertThat(seen).anySatisfy(p -> {
            assertThat(p.getStatus().getPhase()).isEqualTo("Failed");
            assertThat(p.getStatus().getConditions()).anySatisfy(c -> {
                assertThat(c.getType()).isEqualTo("DisruptionTarget");
                assertThat(c.getReason()).isEqualTo("DeletionByPodGC");
                assertThat(c.getMessage()).isEqualTo("PodGC: node no longer exists");
            });
        });
        kernel.resources(Node.class).delete(live);
    }

    @Test
    void terminatedPodsBeyondTheThreshold_areDeletedOldestFirst() throws Exception {
        for (String name : List.of("first", "second", "third", "running")) {
            Pod p = bound(name, ns + "-node");
            if (!name.equals("running")) {
                pods.updateStatus(new PodBuilder(p).editOrNewStatus().withPhase(name.equals("second") ? "Failed"
                        : "Succeeded").endStatus().build());
            }
            fixture.clock().advance(Duration.ofSeconds(5));
        }
        kernel.resources(Node.class).create(new NodeBuilder().withNewMetadata().withName(ns + "-node").endMetadata()
                .build());
        PodGCController gc = PodGCController.create(kernel, informers, fixture.clock(), 1);
        settle();
        gc.collect();

        assertThat(names()).containsExactlyInAnyOrder("third", "running");
        kernel.resources(Node.class).delete(ns + "-node");
    }
}
