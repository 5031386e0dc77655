package io.keelson.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Resources#createAsync}: the same outcomes as {@link Resources#create}, without a thread per call. */
class CreateAsyncTest extends KernelTestBase {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private static Resources<Pod> pods(String ns) {
        kernel.resources(Namespace.class).create(TestObjects.namespace(ns));
        return kernel.resources(Pod.class).inNamespace(ns);
    }

    @Test
    void createAsync_storesTheObjectAsCreateDoes_andLeavesTheCallersObjectAlone() {
        Resources<Pod> pods = pods("async");
        Pod input = TestObjects.pod("web-1");

        Pod created = pods.createAsync(input).join();

        assertThat(created.getMetadata().getUid()).hasSize(36);
        assertThat(created.getMetadata().getGeneration()).isEqualTo(1L);
        assertThat(created.getSpec().getRestartPolicy()).isEqualTo("Always");
        assertThat(pods.get("web-1")).isEqualTo(created);
        assertThat(input.getMetadata().getResourceVersion()).isNull();
        assertThat(input.getSpec().getRestartPolicy()).isNull();
    }

    @Test
    void manyCreatesInFlight_allLand_withDistinctRevisions() {
        Resources<Pod> pods = pods("inflight");
        List<CompletableFuture<Pod>> creates = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            creates.add(pods.createAsync(TestObjects.pod("p-" + i)));
        }
        List<String> revisions = creates.stream().map(c -> c.join().getMetadata().getResourceVersion()).toList();

        assertThat(revisions).doesNotHaveDuplicates();
        assertThat(pods.list(ListRequest.all()).items()).hasSize(200);
    }

    @Test
    void anExistingName_failsTheFuture_withAlreadyExists() {
        Resources<Pod> pods = pods("exists");
        pods.create(TestObjects.pod("p"));

        assertThat(pods.createAsync(TestObjects.pod("p"))).failsWithin(WAIT)
                .withThrowableOfType(ExecutionException.class).havingCause()
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.code()).isEqualTo(409);
                    assertThat(e.getMessage()).isEqualTo("pods \"p\" already exists");
                });
    }

    @Test
    void invalidInput_failsTheFutureAtOnce_withTheValidationStatus() {
        Resources<Pod> pods = pods("invalid");
        Pod bad = TestObjects.pod("Bad_Name");

        CompletableFuture<Pod> create = pods.createAsync(bad);

        assertThat(create).isCompletedExceptionally();
        assertThat(create).failsWithin(Duration.ZERO).withThrowableOfType(ExecutionException.class).havingCause()
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.code()).isEqualTo(422);
                    assertThat(e.getMessage()).startsWith("Pod \"Bad_Name\" is invalid: metadata.name: Invalid value");
                });
        CompletableFuture<Pod> withVersion = pods.createAsync(withResourceVersion(TestObjects.pod("v")));
        assertThat(withVersion).failsWithin(Duration.ZERO).withThrowableOfType(ExecutionException.class)
                .havingCause().withMessage("resourceVersion should not be set on objects to be created");
    }

    @Test
    void aGeneratedNameThatIsTaken_isGeneratedAgain(@TempDir Path own) {
        // the names' random characters repeat once: the second create draws the first one's name, then a new one
        RandomGenerator repeating = new RandomGenerator() {
            private final java.util.SplittableRandom uids = new java.util.SplittableRandom(7);
            private int draws;

            @Override
            public long nextLong() {
                return uids.nextLong();
            }

            @Override
            public int nextInt(int bound) {
                return draws++ < 10 ? 0 : 1;
            }
        };
        try (TestKernels.Fixture f = TestKernels.open(own, b -> b.random(repeating))) {
            Resources<Pod> pods = f.kernel().resources(Pod.class).inNamespace("default");
            Pod p = TestObjects.pod(null);
            p.getMetadata().setGenerateName("web-");

            Pod first = pods.createAsync(p).join();
            CompletableFuture<Pod> again = pods.createAsync(p);
            p.getMetadata().setGenerateName("changed-"); // the caller's again once the call returned
            Pod second = again.join();

            assertThat(first.getMetadata().getName()).isEqualTo("web-bbbbb");
            assertThat(second.getMetadata().getName()).isEqualTo("web-ccccc");
        }
    }

    private static Pod withResourceVersion(Pod pod) {
        pod.getMetadata().setResourceVersion("5");
        return pod;
    }
}
