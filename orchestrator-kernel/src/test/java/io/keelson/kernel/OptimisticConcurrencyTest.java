package io.keelson.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Namespace;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Compare-and-swap on resourceVersion: concurrent read-modify-write loops lose no update. */
class OptimisticConcurrencyTest {
    @TempDir
    Path dir;

    @Test
    void threadsIncrementingOneObjectWithConflictRetries_endWithTheExactCount() throws Exception {
        try (TestKernels.Fixture fixture = TestKernels.open(dir)) {
            Kernel kernel = fixture.kernel();
            kernel.resources(Namespace.class).create(TestObjects.namespace("count"));
            Resources<ConfigMap> cms = kernel.resources(ConfigMap.class).inNamespace("count");
            cms.create(new ConfigMapBuilder().withNewMetadata().withName("counter").endMetadata()
                    .addToData("n", "0").build());
            int threads = 8;
            int increments = 40;
            AtomicInteger conflicts = new AtomicInteger();
            List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                Thread w = new Thread(() -> {
                    for (int i = 0; i < increments; i++) {
                        while (true) {
                            ConfigMap c = cms.get("counter");
                            c.getData().put("n", Integer.toString(Integer.parseInt(c.getData().get("n")) + 1));
                            try {
                                cms.update(c);
                                break;
                            } catch (ApiException e) {
                                assertThat(e.isConflict()).isTrue();
                                conflicts.incrementAndGet();
                            }
                        }
                    }
                });
                workers.add(w);
                w.start();
            }
            for (Thread w : workers) {
                w.join();
            }
            assertThat(cms.get("counter").getData().get("n")).isEqualTo(Integer.toString(threads * increments));
            assertThat(conflicts.get()).isPositive(); // the threads did race
        }
    }
}
