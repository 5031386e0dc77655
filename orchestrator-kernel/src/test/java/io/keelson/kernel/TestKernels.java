package io.keelson.kernel;

import io.keelson.store.StoreMember;
import io.keelson.store.TestStores;
import java.nio.file.Path;
import java.time.Duration;
import java.util.SplittableRandom;

/** Kernels for tests: a single-node store in a temporary directory, a fake clock and seeded randomness. */
public final class TestKernels {
    private TestKernels() {
    }

    /** A kernel and the store under it; closing it closes both. */
    public record Fixture(Kernel kernel, StoreMember store, FakeClock clock) implements AutoCloseable {
        @Override
        public void close() {
            kernel.close();
            store.close();
        }
    }

    public static Fixture open(Path dir) {
        return open(dir, b -> b);
    }

    /** With more builder settings (an event TTL, admission plugins, ...). */
    public static Fixture open(Path dir, java.util.function.UnaryOperator<Kernel.Builder> settings) {
        StoreMember store = TestStores.openSingle(dir);
        FakeClock clock = new FakeClock();
        Kernel kernel = settings.apply(Kernel.builder().store(store).clock(clock).random(new SplittableRandom(42))
                .requestTimeout(Duration.ofSeconds(20))).build();
        return new Fixture(kernel, store, clock);
    }
}
