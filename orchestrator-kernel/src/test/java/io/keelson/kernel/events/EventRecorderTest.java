package io.keelson.kernel.events;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.keelson.kernel.Kernel;
import io.keelson.kernel.TestKernels;
import io.keelson.kernel.TestObjects;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EventRecorderTest {
    @TempDir
    static Path dir;
    static TestKernels.Fixture fixture;
    static Kernel kernel;

    @BeforeAll
    static void open() {
        fixture = TestKernels.open(dir, b -> b.eventTtl(Duration.ofSeconds(2)));
        kernel = fixture.kernel();
    }

    @AfterAll
    static void close() {
        fixture.close();
    }

    private static Pod pod(String ns, String name) {
        kernel.resources(Namespace.class).create(TestObjects.namespace(ns));
        return kernel.resources(Pod.class).inNamespace(ns).create(TestObjects.pod(name));
    }

    private static List<Event> events(String ns) {
        return kernel.resources(Event.class).inNamespace(ns).list("").stream()
                .sorted(Comparator.comparing(e -> e.getMetadata().getCreationTimestamp())).toList();
    }

    @Test
    void anEvent_isNamedAfterItsObject_andARepeatRaisesItsCount() throws Exception {
        Pod p = pod("repeat", "web");
        try (EventRecorder recorder = EventRecorder.create(kernel, "default-scheduler", "", fixture.clock())) {
            recorder.event(p, EventRecorder.NORMAL, "Scheduled", "Successfully assigned repeat/web to node-1");
            recorder.flush(Duration.ofSeconds(5));
            fixture.clock().advance(Duration.ofSeconds(7));
            recorder.event(p, EventRecorder.NORMAL, "Scheduled", "Successfully assigned repeat/web to node-1");
            recorder.flush(Duration.ofSeconds(5));
        }
        List<Event> events = events("repeat");
        assertThat(events).hasSize(1);
        Event e = events.get(0);
        assertThat(e.getMetadata().getName()).matches("web\\.[0-9a-f]+");
        assertThat(e.getCount()).isEqualTo(2);
        assertThat(e.getFirstTimestamp()).isEqualTo("2026-01-01T00:00:00Z");
        assertThat(e.getLastTimestamp()).isEqualTo("2026-01-01T00:00:07Z");
        assertThat(e.getSource().getComponent()).isEqualTo("default-scheduler");
        assertThat(e.getInvolvedObject().getKind()).isEqualTo("Pod");
        assertThat(e.getInvolvedObject().getUid()).isEqualTo(p.getMetadata().getUid());
    }

    @Test
    void theTenthDistinctMessage_isCombined_andLaterOnesFoldIntoIt() throws Exception {
        Pod p = pod("similar", "web");
        try (EventRecorder recorder = EventRecorder.create(kernel, "kubelet", "node-1", fixture.clock())) {
            for (int i = 0; i < 12; i++) {
                recorder.event(p, EventRecorder.WARNING, "BackOff", "attempt " + i);
            }
            recorder.flush(Duration.ofSeconds(5));
        }
        List<Event> events = events("similar");
        assertThat(events).hasSize(10); // nine plain, one combined
        Event combined = events.stream().filter(e -> e.getMessage().startsWith("(combined from similar events): "))
                .findFirst().orElseThrow();
        assertThat(combined.getCount()).isEqualTo(3);
        assertThat(combined.getMessage()).isEqualTo("(combined from similar events): attempt 11");
    }

    @Test
    void spam_isLimitedTo25PerObject_thenOneEveryFiveMinutes() throws Exception {
        Pod p = pod("spam", "web");
        try (EventRecorder recorder = EventRecorder.create(kernel, "noisy", "", fixture.clock())) {
            for (int i = 0; i < 30; i++) {
                recorder.event(p, EventRecorder.NORMAL, "Reason" + i, "message");
            }
            recorder.flush(Duration.ofSeconds(5));
            assertThat(events("spam")).hasSize(25);
            fixture.clock().advance(Duration.ofSeconds(300));
            recorder.event(p, EventRecorder.NORMAL, "Later", "message");
            recorder.event(p, EventRecorder.NORMAL, "Later2", "message");
            recorder.flush(Duration.ofSeconds(5));
        }
        assertThat(events("spam")).hasSize(26);
    }

    @Test
    void eventsAboutClusterScopedObjects_goToDefault_andExpireAfterTheTtl() throws Exception {
        Node node = kernel.resources(Node.class).create(new NodeBuilder().withNewMetadata().withName("node-ttl")
                .endMetadata().build());
        try (EventRecorder recorder = EventRecorder.create(kernel, "node-controller", "", fixture.clock())) {
            recorder.event(node, EventRecorder.NORMAL, "RegisteredNode", "Node node-ttl event: Registered");
            recorder.flush(Duration.ofSeconds(5));
        }
        assertThat(events("default")).anyMatch(e -> e.getReason().equals("RegisteredNode"));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (events("default").stream().anyMatch(e -> e.getReason().equals("RegisteredNode"))) {
            assertThat(System.nanoTime()).isLessThan(deadline);
            Thread.sleep(100);
        }
    }
}
