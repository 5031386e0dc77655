package io.keelson.kernel.controller;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Namespace;
import io.keelson.kernel.Kernel;
import io.keelson.kernel.Resources;
import io.keelson.kernel.TestKernels;
import io.keelson.kernel.TestObjects;
import io.keelson.kernel.informer.InformerFactory;
import io.keelson.kernel.informer.SharedInformer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ControllerTest {
    @TempDir
    Path dir;

    @Test
    void reconcilesEachKey_neverTwiceAtOnce_retriesFailures_andReadsItsOwnWrites() throws Exception {
        try (TestKernels.Fixture fixture = TestKernels.open(dir);
             InformerFactory informers = InformerFactory.builder(fixture.kernel()).build()) {
            Kernel kernel = fixture.kernel();
            kernel.resources(Namespace.class).create(TestObjects.namespace("ctl"));
            Resources<ConfigMap> cms = kernel.resources(ConfigMap.class).inNamespace("ctl");
            SharedInformer<ConfigMap> informer = informers.forType(ConfigMap.class);
            Set<String> inProgress = ConcurrentHashMap.newKeySet();
            AtomicInteger overlaps = new AtomicInteger();
            AtomicInteger failuresLeft = new AtomicInteger(2);
            Map<String, String> observed = new ConcurrentHashMap<>();
            try (Controller controller = Controller.builder("status-writer").watches(informer, Controller::keyOf)
                    .workers(4).reconciler(key -> {
                        if (!inProgress.add(key)) {
                            overlaps.incrementAndGet();
                        }
                        try {
                            ConfigMap c = informer.cache().get(key);
                            if (c == null || !key.startsWith("ctl/")) {
                                return Result.done();
                            }
                            if (key.equals("ctl/flaky") && failuresLeft.getAndDecrement() > 0) {
                                throw new IllegalStateException("transient");
                            }
                            if (!"done".equals(c.getMetadata().getAnnotations().get("state"))) {
                                ConfigMap copy = new ConfigMapBuilder(c).editMetadata()
                                        .addToAnnotations("state", "done").endMetadata().build();
                                ConfigMap written = cms.update(copy);
                                // read-your-writes: the cache shows the write before the next reconcile of any key
                                assertThat(informer.awaitResourceVersion(written.getMetadata().getResourceVersion(),
                                        Duration.ofSeconds(5))).isTrue();
                                observed.put(key, informer.cache().get(key).getMetadata().getAnnotations().get("state"));
                            }
                            return Result.done();
                        } finally {
                            inProgress.remove(key);
                        }
                    }).build()) {
                controller.start();
                informers.startAll().get(10, TimeUnit.SECONDS);
                for (int i = 0; i < 20; i++) {
                    cms.create(new ConfigMapBuilder().withNewMetadata().withName("c" + i).endMetadata().build());
                }
                cms.create(new ConfigMapBuilder().withNewMetadata().withName("flaky").endMetadata().build());
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
                while (observed.size() < 21 && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                assertThat(observed).hasSize(21).containsValue("done");
                assertThat(observed.values()).containsOnly("done");
                assertThat(failuresLeft.get()).isNegative(); // it failed twice, then succeeded
                assertThat(overlaps.get()).isZero();
            }
        }
    }

    @Test
    void aKeyThatRests_isReconciledOnceAfterTheRest_forAllTheChangesMeanwhile() throws Exception {
        AtomicLong now = new AtomicLong();
        List<Long> reconciledAt = new CopyOnWriteArrayList<>();
        try (Controller controller = Controller.builder("resting").clock(now::get).reconciler(key -> {
            reconciledAt.add(now.get());
            return key.equals("expensive") ? Result.doneThenRest(Duration.ofMillis(3)) : Result.done();
        }).build()) {
            controller.start();
            controller.enqueue("expensive");
            awaitReconciles(controller, 1);
            for (int i = 0; i < 5; i++) {
                controller.enqueue("expensive");
            }
            Thread.sleep(150); // three of the queue's polls of the clock
            assertThat(reconciledAt).as("resting for 3 ms of the clock").hasSize(1);
            assertThat(controller.isIdle()).as("a change waits").isFalse();
            now.addAndGet(TimeUnit.MILLISECONDS.toNanos(3));
            awaitReconciles(controller, 2);
            Thread.sleep(150);
            assertThat(reconciledAt).as("five changes, one reconcile").containsExactly(0L, 3_000_000L);

            controller.enqueue("cheap");
            awaitReconciles(controller, 3);
            controller.enqueue("cheap");
            awaitReconciles(controller, 4); // no rest without one asked for
        }
    }

    private static void awaitReconciles(Controller controller, int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (controller.reconciles() < n) {
            assertThat(System.nanoTime()).as("%d reconciles", n).isLessThan(deadline);
            Thread.sleep(5);
        }
    }
}
