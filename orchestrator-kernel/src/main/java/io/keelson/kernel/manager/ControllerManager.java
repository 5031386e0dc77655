package io.keelson.kernel.manager;

import io.keelson.kernel.Kernel;
import io.keelson.kernel.controller.ManagedController;
import io.keelson.kernel.deployment.DeploymentController;
import io.keelson.kernel.endpoints.EndpointSliceController;
import io.keelson.kernel.endpoints.EndpointsController;
import io.keelson.kernel.gc.GarbageCollector;
import io.keelson.kernel.informer.InformerFactory;
import io.keelson.kernel.leaderelection.LeaderElector;
import io.keelson.kernel.namespace.NamespaceController;
import io.keelson.kernel.nodelifecycle.NodeLifecycleController;
import io.keelson.kernel.podgc.PodGCController;
import io.keelson.kernel.replicaset.ReplicaSetController;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * kube-controller-manager in-process: runs the kernel's controllers (the namespace controller and the garbage
 * collector by default, plus any added) while it holds the {@code kube-system/kube-controller-manager} Lease.
 * Several kernels on one replicated store each run a manager; exactly one runs the controllers, and when it
 * stops, another takes over within the lease duration (at once if it released the lease on close).
 *
 * <pre>{@code
 * ControllerManager manager = ControllerManager.builder(kernel, "kernel-1").build();
 * manager.start();
 * }</pre>
 */
public final class ControllerManager implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ControllerManager.class);
    public static final String LEASE_NAMESPACE = "kube-system";
    public static final String LEASE_NAME = "kube-controller-manager";

    private final Kernel kernel;
    private final Clock clock;
    private final Map<String, BiFunction<Kernel, InformerFactory, ManagedController>> factories;
    private final LeaderElector elector;
    /** guarded by this */
    private InformerFactory informers;
    /** guarded by this */
    private final List<ManagedController> running = new ArrayList<>();

    private ControllerManager(Builder b) {
        this.kernel = b.kernel;
        this.clock = b.clock;
        this.factories = new LinkedHashMap<>(b.factories);
        LeaderElector.Builder election = LeaderElector.builder(kernel, LEASE_NAMESPACE, LEASE_NAME, b.identity)
                .clock(b.clock).onStartedLeading(this::startControllers).onStoppedLeading(this::stopControllers);
        if (b.timing != null) {
            election.timing(b.timing[0], b.timing[1], b.timing[2]);
        }
        this.elector = election.build();
    }

    /** A manager competing as {@code identity} (unique per kernel, e.g. the host name). */
    public static Builder builder(Kernel kernel, String identity) {
        return new Builder(kernel, identity);
    }

    public void start() {
        elector.start();
    }

    public boolean isLeader() {
        return elector.isLeader();
    }

    /** The running controllers' names (empty unless leading). */
    public synchronized List<String> runningControllers() {
        return running.isEmpty() ? List.of() : List.copyOf(factories.keySet());
    }

    private synchronized void startControllers() {
        informers = InformerFactory.builder(kernel).build();
        for (Map.Entry<String, BiFunction<Kernel, InformerFactory, ManagedController>> f : factories.entrySet()) {
            ManagedController c = f.getValue().apply(kernel, informers);
            c.start();
            running.add(c);
        }
        informers.startAll();
        LOG.info("{} runs the controllers: {}", elector.identity(), factories.keySet());
    }

    private synchronized void stopControllers() {
        running.forEach(ManagedController::close);
        running.clear();
        if (informers != null) {
            informers.close();
            informers = null;
        }
    }

    /** Stops the controllers and releases the lease. */
    @Override
    public void close() {
        elector.close();
        stopControllers();
    }

    /** Configures a {@link ControllerManager}. */
    public static final class Builder {
        private final Kernel kernel;
        private final String identity;
        private Clock clock = Clock.systemUTC();
        private Duration[] timing;
        private final Map<String, BiFunction<Kernel, InformerFactory, ManagedController>> factories =
                new LinkedHashMap<>();

        private Builder(Kernel kernel, String identity) {
            this.kernel = Objects.requireNonNull(kernel, "kernel");
            this.identity = Objects.requireNonNull(identity, "identity");
            factories.put("namespace", (k, i) -> NamespaceController.create(k, i, clock));
            factories.put("garbage-collector", GarbageCollector::create);
            factories.put("node-lifecycle", (k, i) -> NodeLifecycleController.create(k, i, clock));
            factories.put("replicaset", (k, i) -> ReplicaSetController.create(k, i, clock));
            factories.put("deployment", (k, i) -> DeploymentController.create(k, i, clock));
            factories.put("endpointslice", (k, i) -> EndpointSliceController.create(k, i, clock));
            factories.put("endpoints", EndpointsController::create);
            factories.put("pod-garbage-collector", (k, i) -> PodGCController.create(k, i, clock));
        }

        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock);
            return this;
        }

        /** Lease duration, renew deadline and retry period (default 15 s, 10 s, 2 s). */
        public Builder leaderElection(Duration leaseDuration, Duration renewDeadline, Duration retryPeriod) {
            this.timing = new Duration[] {leaseDuration, renewDeadline, retryPeriod};
            return this;
        }

        /** Adds a controller (or replaces a built-in one of the same name). */
        public Builder controller(String name, BiFunction<Kernel, InformerFactory, ManagedController> factory) {
            factories.put(Objects.requireNonNull(name), Objects.requireNonNull(factory));
            return this;
        }

        /** Removes a controller by name ({@code namespace}, {@code garbage-collector}). */
        public Builder without(String name) {
            factories.remove(name);
            return this;
        }

        public ControllerManager build() {
            return new ControllerManager(this);
        }
    }
}
