package io.keelson.kernel;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * One kernel per test class, on a single-node store in a temporary directory, with the fake clock and seeded
 * randomness of {@link TestKernels}; tests in a class share it, each in its own namespace.
 */
public abstract class KernelTestBase {
    @TempDir
    protected static Path dir;
    protected static TestKernels.Fixture fixture;
    protected static Kernel kernel;

    @BeforeAll
    static void openKernel() {
        fixture = TestKernels.open(dir);
        kernel = fixture.kernel();
    }

    @AfterAll
    static void closeKernel() {
        fixture.close();
    }
}
