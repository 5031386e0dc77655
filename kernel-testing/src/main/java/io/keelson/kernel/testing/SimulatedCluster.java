package io.keelson.kernel.testing;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.keelson.kernel.Kernel;
import io.keelson.kernel.ListRequest;
import io.keelson.kernel.controller.ManagedController;
import io.keelson.kernel.deployment.DeploymentController;
import io.keelson.kernel.endpoints.EndpointSliceController;
import io.keelson.kernel.endpoints.EndpointsController;
import io.keelson.kernel.gc.GarbageCollector;
import io.keelson.kernel.informer.InformerFactory;
import io.keelson.kernel.namespace.NamespaceController;
import io.keelson.kernel.node.SimulatedNodes;
import io.keelson.kernel.nodelifecycle.NodeLifecycleController;
import io.keelson.kernel.podgc.PodGCController;
import io.keelson.kernel.replicaset.ReplicaSetController;
import io.keelson.kernel.scheduler.Scheduler;
import io.keelson.store.KeelsonStore;
import io.keelson.store.StoreConfig;
import io.keelson.store.StoreMember;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A whole cluster in this JVM for tests: a single-node store in a directory, the kernel, the scheduler, the
 * controllers (namespace, garbage collector, node lifecycle, ReplicaSet, Deployment, pod GC, EndpointSlice,
 * Endpoints) and simulated nodes, all on a {@link ManualClock}. Time moves only in {@link #advance}: the nodes run
 * what is due and the node lifecycle controller makes its passes at each simulated second, while controllers and
 * the scheduler react on their own threads.
 *
 * <pre>{@code
 * try (SimulatedCluster cluster = SimulatedCluster.builder(dir).nodes(3).build()) {
 *     cluster.kernel().resources(Deployment.class).inNamespace("default").create(deployment);
 *     cluster.awaitTrue(() -> readyPods() == 3, Duration.ofMinutes(1));
 * }
 * }</pre>
 */
public final class SimulatedCluster implements AutoCloseable {
    private static final Duration STEP = Duration.ofSeconds(1);
    private static final Duration MONITOR_PERIOD = Duration.ofSeconds(5);
    private static final Duration SETTLE_LIMIT = Duration.ofSeconds(10);

    private final ManualClock clock;
    private final StoreMember store;
    private final Kernel kernel;
    private final InformerFactory informers;
    private final Scheduler scheduler;
    private final SimulatedNodes nodes;
    private final NodeLifecycleController lifecycle;
    private final List<ManagedController> controllers = new ArrayList<>();
    private Instant lastMonitor;

    private SimulatedCluster(Builder b) throws Exception {
        clock = new ManualClock(b.start);
        store = KeelsonStore.open(StoreConfig.singleNode(b.dir).withElectionTimeout(Duration.ofMillis(150)));
        try {
            kernel = Kernel.builder().store(store).clock(clock).random(new SplittableRandom(b.seed)).build();
            informers = InformerFactory.builder(kernel).build();
            scheduler = Scheduler.builder(kernel).informers(informers).clock(clock).build();
            SimulatedNodes.Builder nodeShape = SimulatedNodes.builder(kernel, informers).clock(clock)
                    .startDelay(b.startDelay).random(new SplittableRandom(b.seed + 1));
            b.stages.forEach(nodeShape::stage);
            nodes = nodeShape.build();
            lifecycle = NodeLifecycleController.create(kernel, informers, clock);
            controllers.add(NamespaceController.create(kernel, informers, clock));
            controllers.add(GarbageCollector.create(kernel, informers));
            controllers.add(ReplicaSetController.create(kernel, informers, clock));
            controllers.add(DeploymentController.create(kernel, informers, clock));
            controllers.add(PodGCController.create(kernel, informers, clock));
            controllers.add(EndpointSliceController.create(kernel, informers, clock));
            controllers.add(EndpointsController.create(kernel, informers));
            scheduler.start().get(30, TimeUnit.SECONDS);
            for (int i = 1; i <= b.nodes; i++) {
                nodes.add(b.node(i));
            }
            informers.startAll().get(30, TimeUnit.SECONDS);
            controllers.forEach(ManagedController::start);
            lastMonitor = clock.instant();
            settle();
        } catch (Exception | Error e) {
            closeQuietly();
            throw e;
        }
    }

    /** A cluster keeping its store in {@code dir} (an existing store's objects are taken up again). */
    public static Builder builder(Path dir) {
        return new Builder(dir);
    }

    public Kernel kernel() {
        return kernel;
    }

    public ManualClock clock() {
        return clock;
    }

    /** The simulated nodes: add more, stop or resume a node's heartbeats, remove one. */
    public SimulatedNodes nodes() {
        return nodes;
    }

    /** The informers the cluster's controllers share (their caches are read-only by contract). */
    public InformerFactory informers() {
        return informers;
    }

    /** Moves the clock by {@code d} in one-second steps, letting the nodes and the node lifecycle controller act. */
    public void advance(Duration d) throws InterruptedException {
        for (Duration left = d; left.compareTo(Duration.ZERO) > 0; left = left.minus(STEP)) {
            clock.advance(left.compareTo(STEP) < 0 ? left : STEP);
            step();
        }
    }

    /**
     * Advances the clock second by second until {@code condition} holds; false if it still does not after {@code
     * limit} of simulated time.
     */
    public boolean awaitTrue(BooleanSupplier condition, Duration limit) throws InterruptedException {
        Instant end = clock.instant().plus(limit);
        while (!condition.getAsBoolean()) {
            if (!clock.instant().isBefore(end)) {
                return false;
            }
            advance(STEP);
        }
        return true;
    }

    private void step() throws InterruptedException {
        scheduler.flushQueues();
        settle();
        if (!clock.instant().isBefore(lastMonitor.plus(MONITOR_PERIOD))) {
            lastMonitor = clock.instant();
            lifecycle.monitor();
            settle();
        }
    }

    /**
     * Lets the cluster finish what it can do without time passing: runs what the nodes have due and waits until
     * no controller, informer handler or scheduling cycle has work and nothing was written for a few checks in a
     * row (bounded, in case something keeps writing).
     */
    private void settle() throws InterruptedException {
        long deadline = System.nanoTime() + SETTLE_LIMIT.toNanos();
        String lastRevision = null;
        for (int quiet = 0; quiet < 3 && System.nanoTime() < deadline; ) {
            int ran = nodes.runDue();
            String revision = revision();
            boolean idle = ran == 0 && revision.equals(lastRevision) && informers.isIdle()
                    && controllers.stream().allMatch(ManagedController::isIdle) && schedulerIdle();
            quiet = idle ? quiet + 1 : 0;
            lastRevision = revision;
            Thread.sleep(2);
        }
    }

    private boolean schedulerIdle() {
        Map<String, Integer> sizes = scheduler.queueSizes();
        return sizes.getOrDefault("active", 0) == 0 && sizes.getOrDefault("in_flight", 0) == 0;
    }

    /** The store's revision now (a consistent list of one namespace reads it). */
    private String revision() {
        return kernel.resources(Namespace.class).list(ListRequest.all().limit(1)).resourceVersion();
    }

    @Override
    public void close() {
        closeQuietly();
    }

    private void closeQuietly() {
        for (AutoCloseable c : closeOrder()) {
            try {
                c.close();
            } catch (Exception e) {
                // closing the rest matters more
            }
        }
    }

    private List<AutoCloseable> closeOrder() {
        List<AutoCloseable> order = new ArrayList<>(controllers);
        for (AutoCloseable c : new AutoCloseable[] {lifecycle, nodes, scheduler, informers, kernel, store}) {
            if (c != null) {
                order.add(c);
            }
        }
        return order;
    }

    /** How a {@link SimulatedCluster} is set up. */
    public static final class Builder {
        private final Path dir;
        private int nodes = 3;
        private Map<String, Quantity> capacity = Map.of("cpu", new Quantity("4"), "memory", new Quantity("16Gi"),
                "pods", new Quantity("110"));
        private Duration startDelay = Duration.ofSeconds(1);
        private Instant start = Instant.parse("2026-01-01T00:00:00Z");
        private long seed = 42;
        private final List<SimulatedNodes.Stage> stages = new ArrayList<>();

        private Builder(Path dir) {
            this.dir = Objects.requireNonNull(dir, "dir");
        }

        /** How many nodes join at start (3), named {@code node-1}, {@code node-2}, ... in zones a, b, c, a, ... */
        public Builder nodes(int count) {
            if (count < 0) {
                throw new IllegalArgumentException("node count must not be negative: " + count);
            }
            this.nodes = count;
            return this;
        }

        /** Each node's capacity (4 cpu, 16Gi memory, 110 pods). */
        public Builder capacity(Map<String, Quantity> capacity) {
            this.capacity = Map.copyOf(capacity);
            return this;
        }

        /** How long a pod's containers take to start on a node (1 s of simulated time). */
        public Builder startDelay(Duration delay) {
            this.startDelay = Objects.requireNonNull(delay, "delay");
            return this;
        }

        /** Where the clock starts (2026-01-01T00:00:00Z). */
        public Builder startingAt(Instant start) {
            this.start = Objects.requireNonNull(start, "start");
            return this;
        }

        /** A stage rule for the nodes: what matching pods' containers do (see {@link SimulatedNodes.Stage}). */
        public Builder stage(SimulatedNodes.Stage stage) {
            stages.add(Objects.requireNonNull(stage, "stage"));
            return this;
        }

        /** The seed of uids, generated names and the stages' jitter (42), so runs are alike. */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        public SimulatedCluster build() throws Exception {
            return new SimulatedCluster(this);
        }

        private Node node(int i) {
            String zone = "zone-" + (char) ('a' + (i - 1) % 3);
            return new NodeBuilder().withNewMetadata().withName("node-" + i)
                    .addToLabels("topology.kubernetes.io/zone", zone).endMetadata().withNewStatus()
                    .withCapacity(capacity).endStatus().build();
        }
    }
}
