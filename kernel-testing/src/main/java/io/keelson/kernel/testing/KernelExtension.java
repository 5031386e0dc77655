package io.keelson.kernel.testing;

import io.keelson.kernel.Kernel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * A JUnit 5 extension that starts a {@link SimulatedCluster} (store, kernel, scheduler, controllers and simulated
 * nodes on a manual clock) in a temporary directory before a test class's first test and removes it after its last;
 * tests get the cluster, its {@link Kernel} or its {@link ManualClock} as parameters.
 *
 * <pre>{@code
 * @ExtendWith(KernelExtension.class)           // three nodes, or:
 * class MyOperatorTest {                        // @RegisterExtension static KernelExtension k = KernelExtension.withNodes(5);
 *     @Test
 *     void scales(Kernel kernel, SimulatedCluster cluster) throws Exception { ... }
 * }
 * }</pre>
 */
public final class KernelExtension implements BeforeAllCallback, AfterAllCallback, ParameterResolver {
    private final UnaryOperator<SimulatedCluster.Builder> settings;
    private SimulatedCluster cluster;
    private Path dir;

    /** Three nodes of 4 cpu, 16Gi memory and 110 pods; a one-second pod start. */
    public KernelExtension() {
        this(UnaryOperator.identity());
    }

    private KernelExtension(UnaryOperator<SimulatedCluster.Builder> settings) {
        this.settings = settings;
    }

    /** With {@code count} nodes. */
    public static KernelExtension withNodes(int count) {
        return new KernelExtension(b -> b.nodes(count));
    }

    /** With any cluster settings (the directory is the extension's). */
    public static KernelExtension with(UnaryOperator<SimulatedCluster.Builder> settings) {
        return new KernelExtension(settings);
    }

    /** The running cluster (between the class's first and last test). */
    public SimulatedCluster cluster() {
        if (cluster == null) {
            throw new IllegalStateException("the cluster runs only while the test class runs");
        }
        return cluster;
    }

    public Kernel kernel() {
        return cluster().kernel();
    }

    public ManualClock clock() {
        return cluster().clock();
    }

    /** {@link SimulatedCluster#awaitTrue} on the running cluster. */
    public boolean awaitTrue(java.util.function.BooleanSupplier condition, Duration limit) throws InterruptedException {
        return cluster().awaitTrue(condition, limit);
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        dir = Files.createTempDirectory("keelson-kernel-test");
        cluster = settings.apply(SimulatedCluster.builder(dir)).build();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        try {
            if (cluster != null) {
                cluster.close();
            }
        } finally {
            cluster = null;
            deleteTree(dir);
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == SimulatedCluster.class || type == Kernel.class || type == ManualClock.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == SimulatedCluster.class ? cluster() : type == Kernel.class ? kernel() : clock();
    }

    private static void deleteTree(Path root) {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not remove the test cluster's directory " + root, e);
        }
    }
}
