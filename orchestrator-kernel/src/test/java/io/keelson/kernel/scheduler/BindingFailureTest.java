package io.keelson.kernel.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Binding;
import io.fabric8.kubernetes.api.model.BindingBuilder;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.keelson.kernel.KernelTestBase;
import io.keelson.kernel.ListRequest;
import io.keelson.kernel.scheduler.framework.BindPlugin;
import io.keelson.kernel.scheduler.framework.CycleState;
import io.keelson.kernel.scheduler.framework.PluginRegistry;
import io.keelson.kernel.scheduler.framework.PostBindPlugin;
import io.keelson.kernel.scheduler.framework.QueueSortPlugin;
import io.keelson.kernel.scheduler.framework.QueuedPodInfo;
import io.keelson.kernel.scheduler.framework.Status;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/** A bind that fails forgets the assumed pod, reports it and retries it after its back-off; the next one binds. */
class BindingFailureTest extends KernelTestBase {
    record Fifo(String name) implements QueueSortPlugin {
        @Override
        public boolean less(QueuedPodInfo a, QueuedPodInfo b) {
            return a.timestamp().isBefore(b.timestamp());
        }
    }

    /** Fails its first bind, then binds through the kernel. */
    static final class FlakyBinder implements BindPlugin {
        final AtomicInteger calls = new AtomicInteger();

        @Override
        public String name() {
            return "FlakyBinder";
        }

        @Override
        public Status bind(CycleState state, Pod pod, String nodeName) {
            if (calls.incrementAndGet() == 1) {
                return Status.error("binding rejected: etcd leader changed");
            }
            kernel.bind(pod.getMetadata().getNamespace(), binding(pod, nodeName));
            return Status.success();
        }
    }

    @Test
    void aFailedBind_isForgottenReportedAndRetried() throws Exception {
        FlakyBinder binder = new FlakyBinder();
        PluginRegistry registry = new PluginRegistry().register("Fifo", (a, h) -> new Fifo("Fifo"))
                .register("FlakyBinder", (a, h) -> binder).enableByDefault("Fifo", 0)
                .enableByDefault("FlakyBinder", 0);
        try (Scheduler scheduler = Scheduler.builder(kernel).registry(registry).clock(Clock.systemUTC()).build()) {
            scheduler.start().get(30, TimeUnit.SECONDS);
            kernel.resources(Node.class).create(SchedulerCacheTest.node("only", "a"));
            kernel.resources(Pod.class).inNamespace("default").create(new PodBuilder(SchedulerCacheTest.pod("p",
                    null, "1")).editMetadata().withUid(null).withNamespace(null).endMetadata().editSpec().editFirstContainer()
                    .withImage("nginx").endContainer().endSpec().build());

            await(() -> binder.calls.get() >= 1);
            await(() -> scheduler.cache().nodeInfo("only").pods().isEmpty()); // forgotten
            await(() -> kernel.resources(Event.class).inNamespace("default").list(ListRequest.all()).items().stream()
                    .anyMatch(e -> "FailedScheduling".equals(e.getReason())
                            && e.getMessage().contains("binding rejected: etcd leader changed")));

            await(() -> "only".equals(kernel.resources(Pod.class).inNamespace("default").get("p").getSpec()
                    .getNodeName()));
            assertThat(binder.calls.get()).isEqualTo(2);
            await(() -> scheduler.cache().nodeInfo("only").pods().size() == 1 && !scheduler.cache().isAssumed(
                    kernel.resources(Pod.class).inNamespace("default").get("p").getMetadata().getUid()));
        }
    }

    /**
     * Writes without waiting, so its answer comes on the store's thread: first a ConfigMap, then a failure; after
     * that it binds through {@code Kernel.bindAsync}.
     */
    static final class AsyncFlakyBinder implements BindPlugin {
        final AtomicInteger calls = new AtomicInteger();

        @Override
        public String name() {
            return "AsyncFlakyBinder";
        }

        @Override
        public Status bind(CycleState state, Pod pod, String nodeName) {
            throw new AssertionError("the scheduler binds through bindAsync");
        }

        @Override
        public CompletableFuture<Status> bindAsync(CycleState state, Pod pod, String nodeName) {
            if (calls.incrementAndGet() == 1) {
                return kernel.resources(ConfigMap.class).inNamespace("default").createAsync(new ConfigMapBuilder()
                        .withNewMetadata().withName("first-try").endMetadata().build())
                        .thenApply(written -> Status.error("binding rejected after a write"));
            }
            return kernel.bindAsync(pod.getMetadata().getNamespace(), binding(pod, nodeName))
                    .thenApply(bound -> Status.success());
        }
    }

    /** Records each binding in a ConfigMap, written (and waited for) through the kernel. */
    record RecordingPostBind(String name) implements PostBindPlugin {
        @Override
        public void postBind(CycleState state, Pod pod, String nodeName) {
            kernel.resources(ConfigMap.class).inNamespace("default").create(new ConfigMapBuilder().withNewMetadata()
                    .withName("bound-" + pod.getMetadata().getName()).endMetadata().addToData("node", nodeName).build());
        }
    }

    @Test
    void aBindFailingOnTheStoresThread_isReported_andAPostBindPluginMayWrite() throws Exception {
        // both write through the kernel after an answer that came on the store's thread: done there, they would
        // wait for that thread itself
        AsyncFlakyBinder binder = new AsyncFlakyBinder();
        PluginRegistry registry = new PluginRegistry().register("Fifo", (a, h) -> new Fifo("Fifo"))
                .register("AsyncFlakyBinder", (a, h) -> binder)
                .register("RecordingPostBind", (a, h) -> new RecordingPostBind("RecordingPostBind"))
                .enableByDefault("Fifo", 0).enableByDefault("AsyncFlakyBinder", 0)
                .enableByDefault("RecordingPostBind", 0);
        try (Scheduler scheduler = Scheduler.builder(kernel).registry(registry).clock(Clock.systemUTC()).build()) {
            scheduler.start().get(30, TimeUnit.SECONDS);
            kernel.resources(Node.class).create(SchedulerCacheTest.node("one", "a"));
            kernel.resources(Pod.class).inNamespace("default").create(new PodBuilder(SchedulerCacheTest.pod("q",
                    null, "1")).editMetadata().withUid(null).withNamespace(null).endMetadata().editSpec()
                    .editFirstContainer().withImage("nginx").endContainer().endSpec().build());

            await(() -> kernel.resources(Event.class).inNamespace("default").list(ListRequest.all()).items().stream()
                    .anyMatch(e -> "FailedScheduling".equals(e.getReason())
                            && e.getMessage().contains("binding rejected after a write")));
            await(() -> "one".equals(kernel.resources(Pod.class).inNamespace("default").get("q").getSpec()
                    .getNodeName()));
            await(() -> kernel.resources(ConfigMap.class).inNamespace("default").list(ListRequest.all()).items()
                    .stream().anyMatch(c -> "bound-q".equals(c.getMetadata().getName())));
            assertThat(binder.calls.get()).isEqualTo(2);
            assertThat(kernel.resources(ConfigMap.class).inNamespace("default").get("bound-q").getData())
                    .containsEntry("node", "one");
        }
    }

    private static Binding binding(Pod pod, String nodeName) {
        return new BindingBuilder().withNewMetadata().withName(pod.getMetadata().getName()).endMetadata()
                .withNewTarget().withKind("Node").withName(nodeName).endTarget().build();
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not reached within 20 s");
            }
            Thread.sleep(20);
        }
    }
}
