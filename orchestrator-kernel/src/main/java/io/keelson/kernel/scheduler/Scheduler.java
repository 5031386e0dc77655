package io.keelson.kernel.scheduler;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.keelson.kernel.Kernel;
import io.keelson.kernel.events.EventRecorder;
import io.keelson.kernel.informer.EventHandler;
import io.keelson.kernel.informer.InformerFactory;
import io.keelson.kernel.informer.SharedInformer;
import io.keelson.kernel.scheduler.framework.ClusterEvent;
import io.keelson.kernel.scheduler.framework.ClusterEvent.Action;
import io.keelson.kernel.scheduler.framework.ClusterEvent.Kind;
import io.keelson.kernel.scheduler.framework.PluginFactory;
import io.keelson.kernel.scheduler.framework.PluginRegistry;
import io.keelson.kernel.scheduler.framework.PreEnqueuePlugin;
import io.keelson.kernel.scheduler.framework.SchedulerConfiguration;
import io.keelson.kernel.scheduler.framework.Status;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * kube-scheduler in the kernel: watches pods without a node and the nodes through shared informers, and places each
 * pod through its profile's filter and score plugins, one scheduling cycle at a time, binding asynchronously through
 * the {@code pods/binding} subresource. Profiles come from a {@link SchedulerConfiguration}; plugins from a
 * {@link PluginRegistry}, by default every {@link PluginRegistry.Provider} on the class path (the scheduler-plugins
 * module provides kube-scheduler's in-tree set). Pods naming a scheduler without a profile here are left alone.
 *
 * <pre>{@code
 * try (Scheduler scheduler = Scheduler.builder(kernel).build()) {
 *     scheduler.start().join();
 *     ...
 * }
 * }</pre>
 */
public final class Scheduler implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Scheduler.class);

    private final Kernel kernel;
    private final Clock clock;
    private final InformerFactory informers;
    private final boolean ownsInformers;
    private final EventRecorder events;
    private final Map<String, Framework> profiles = new LinkedHashMap<>();
    private final SchedulingQueue queue;
    private final SchedulerCache cache;
    private final Snapshot snapshot = new Snapshot();
    private final SchedulingAlgorithm algorithm;
    private final ExecutorService filterWorkers;
    private final ExecutorService binders;
    private final ScheduledExecutorService timer;
    private final WaitingPods waitingPods;
    private final SharedInformer<Pod> pods;
    private final SharedInformer<Node> nodes;
    private final SchedulingCycle cycle;
    private volatile Thread loop;
    private volatile boolean closed;

    private Scheduler(Builder b, PluginRegistry registry) {
        this.kernel = b.kernel;
        this.clock = b.clock;
        this.ownsInformers = b.informers == null;
        this.informers = ownsInformers ? InformerFactory.builder(kernel).build() : b.informers;
        this.events = EventRecorder.create(kernel, b.configuration.profiles().get(0).schedulerName(), b.identity,
                clock);
        this.timer = Executors.newSingleThreadScheduledExecutor(daemon("keelson-scheduler-timer"));
        // kube-scheduler runs 16 goroutines. Here the scheduling thread shares the cores with the API, the store and
        // the binders: handing a cycle's filter and score work to other threads made it wait for them to get a core
        // (about 1 ms of wall time per pod for 0.2 ms of work on 2 cores), so it keeps the work below half the cores.
        int workers = Math.max(1, Math.min(b.configuration.parallelism(),
                Runtime.getRuntime().availableProcessors() / 2));
        this.filterWorkers = Executors.newFixedThreadPool(Math.max(1, workers - 1), daemon("keelson-scheduler-worker"));
        this.binders = Executors.newCachedThreadPool(daemon("keelson-scheduler-binder"));
        this.waitingPods = new WaitingPods(timer);
        Framework.Services services = new Framework.Services(kernel, informers, events, clock, waitingPods);
        for (SchedulerConfiguration.Profile p : b.configuration.profiles()) {
            profiles.put(p.schedulerName(), new Framework(p, registry, services));
        }
        Framework first = profiles.values().iterator().next();
        this.queue = new SchedulingQueue(clock, Duration.ofSeconds(b.configuration.podInitialBackoffSeconds()),
                Duration.ofSeconds(b.configuration.podMaxBackoffSeconds()), byQueueSort(first), this::preEnqueue,
                this::interested);
        this.cache = new SchedulerCache(clock, b.assumedPodTtl);
        this.algorithm = new SchedulingAlgorithm(new Parallelizer(workers, filterWorkers),
                b.random, b.configuration.percentageOfNodesToScore(), queue::nominations);
        this.pods = informers.forType(Pod.class);
        this.nodes = informers.forType(Node.class);
        this.cycle = new SchedulingCycle(kernel, queue, cache, snapshot, algorithm, events, binders, waitingPods,
                pods, clock);
        nodes.addEventHandler(new NodeEvents());
        pods.addEventHandler(new PodEvents());
    }

    private static java.util.Comparator<io.keelson.kernel.scheduler.framework.QueuedPodInfo> byQueueSort(
            Framework fwk) {
        return (a, b) -> fwk.queueSort.less(a, b) ? -1 : fwk.queueSort.less(b, a) ? 1 : 0;
    }

    /** A scheduler on {@code kernel}, with kube-scheduler's default configuration and the discovered plugins. */
    public static Builder builder(Kernel kernel) {
        return new Builder(kernel);
    }

    /**
     * Starts the informers and, once they have synced, the scheduling loop and the queue's timers.
     *
     * @return completes when the scheduler is running
     */
    public synchronized CompletableFuture<Void> start() {
        // plugins' informers too (services, replica sets, ...), as kube-scheduler waits for every cache it uses
        CompletableFuture<Void> synced = CompletableFuture.allOf(pods.start(), nodes.start(), informers.startAll());
        return synced.thenRun(this::startLoop);
    }

    private synchronized void startLoop() {
        if (loop != null || closed) {
            return;
        }
        timer.scheduleWithFixedDelay(queue::flushBackoffCompleted, 1, 1, TimeUnit.SECONDS);
        timer.scheduleWithFixedDelay(queue::flushUnschedulableLeftover, 30, 30, TimeUnit.SECONDS);
        timer.scheduleWithFixedDelay(this::expireAssumedPods, 1, 1, TimeUnit.SECONDS);
        loop = new Thread(this::run, "keelson-scheduler");
        loop.setDaemon(true);
        loop.start();
    }

    private void run() {
        while (!closed) {
            try {
                SchedulingQueue.Popped p = queue.pop();
                if (p == null) {
                    return;
                }
                cycle.run(p, profiles.get(schedulerName(p.pod())));
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.error("scheduling cycle failed", e);
            }
        }
    }

    /** The profiles' scheduler names; pods naming another scheduler are not touched. */
    public Set<String> schedulerNames() {
        return profiles.keySet();
    }

    /**
     * Moves pods whose back-off has run out by the clock, and pods unschedulable for longer than the leftover
     * period, back to the active queue: the queue's timers do it every second and every 30 seconds of real time; a
     * test that drives a fake clock calls it after moving the clock.
     */
    public void flushQueues() {
        queue.flushBackoffCompleted();
        queue.flushUnschedulableLeftover();
    }

    /** Pods by queue: active, backoff, unschedulable (including gated ones), in_flight. */
    public Map<String, Integer> queueSizes() {
        return queue.sizes();
    }

    @Override
    public void close() {
        closed = true;
        queue.close();
        Thread t = loop;
        if (t != null) {
            t.interrupt();
        }
        timer.shutdownNow();
        filterWorkers.shutdownNow();
        binders.shutdownNow();
        events.close();
        if (ownsInformers) {
            informers.close();
        }
    }

    // --- used by tests in this package, which drive the cycle themselves instead of the loop

    SchedulingQueue queue() {
        return queue;
    }

    SchedulerCache cache() {
        return cache;
    }

    /** Runs one scheduling cycle if a pod is active; false if none is. */
    boolean scheduleOne() {
        SchedulingQueue.Popped p = queue.poll();
        if (p == null) {
            return false;
        }
        cycle.run(p, profiles.get(schedulerName(p.pod())));
        return true;
    }

    /** Starts only the informers (tests drive cycles with {@link #scheduleOne()}). */
    CompletableFuture<Void> startInformers() {
        return CompletableFuture.allOf(pods.start(), nodes.start(), informers.startAll());
    }

    private void expireAssumedPods() {
        for (Pod p : cache.expireAssumedPods()) {
            LOG.warn("assumed pod {}/{} expired before its binding was seen", p.getMetadata().getNamespace(),
                    p.getMetadata().getName());
        }
    }

    private Status preEnqueue(Pod pod) {
        Framework fwk = profiles.get(schedulerName(pod));
        if (fwk == null) {
            return Status.success();
        }
        for (PreEnqueuePlugin p : fwk.preEnqueue) {
            Status s = p.preEnqueue(pod);
            if (!s.isSuccess()) {
                return s.withPlugin(p.name());
            }
        }
        return Status.success();
    }

    /**
     * Whether {@code event} may help a pod that these plugins rejected (in any profile); with no rejectors (null),
     * whether it may help any pod at all.
     */
    private boolean interested(Set<String> rejectors, ClusterEvent event) {
        for (Framework fwk : profiles.values()) {
            for (Map.Entry<String, List<ClusterEvent>> e : fwk.events.entrySet()) {
                if ((rejectors == null || rejectors.contains(e.getKey()))
                        && e.getValue().stream().anyMatch(r -> r.covers(event))) {
                    return true;
                }
            }
        }
        return false;
    }

    private boolean responsibleFor(Pod pod) {
        return profiles.containsKey(schedulerName(pod));
    }

    private static String schedulerName(Pod pod) {
        String name = pod.getSpec() == null ? null : pod.getSpec().getSchedulerName();
        return name == null || name.isEmpty() ? SchedulerConfiguration.DEFAULT_SCHEDULER_NAME : name;
    }

    static boolean assigned(Pod pod) {
        return pod.getSpec() != null && pod.getSpec().getNodeName() != null && !pod.getSpec().getNodeName().isEmpty();
    }

    /** Succeeded and Failed pods hold nothing on their node. */
    private static boolean terminal(Pod pod) {
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        return "Succeeded".equals(phase) || "Failed".equals(phase);
    }

    private final class NodeEvents implements EventHandler<Node> {
        @Override
        public void onAdd(Node node, boolean initialList) {
            cache.addOrUpdateNode(node);
            queue.moveAllToActiveOrBackoff(new ClusterEvent(Kind.NODE, Action.ADD));
        }

        @Override
        public void onUpdate(Node old, Node node) {
            cache.addOrUpdateNode(node);
            if (old != node) {
                queue.moveAllToActiveOrBackoff(new ClusterEvent(Kind.NODE, Action.UPDATE));
            }
        }

        @Override
        public void onDelete(Node node, boolean finalStateUnknown) {
            cache.removeNode(node);
            queue.moveAllToActiveOrBackoff(new ClusterEvent(Kind.NODE, Action.DELETE));
        }
    }

    private final class PodEvents implements EventHandler<Pod> {
        @Override
        public void onAdd(Pod pod, boolean initialList) {
            if (assigned(pod)) {
                if (!terminal(pod)) {
                    cache.addPod(pod);
                    queue.moveAllToActiveOrBackoff(new ClusterEvent(Kind.ASSIGNED_POD, Action.ADD));
                }
            } else if (responsibleFor(pod) && pod.getMetadata().getDeletionTimestamp() == null) {
                queue.add(pod);
                queue.moveAllToActiveOrBackoff(new ClusterEvent(Kind.UNSCHEDULED_POD, Action.ADD)); // a gang grows
            }
        }

        @Override
        public void onUpdate(Pod old, Pod pod) {
            if (old == pod) {
                return; // resync
            }
            if (assigned(pod)) {
                if (!assigned(old)) {
                    queue.delete(pod); // bound (by us or someone else)
                }
                if (terminal(pod)) {
                    cache.removePod(pod);
                    queue.moveAllToActiveOrBackoff(new ClusterEvent(Kind.ASSIGNED_POD, Action.DELETE));
                } else {
                    cache.updatePod(pod);
                    queue.moveAllToActiveOrBackoff(new ClusterEvent(Kind.ASSIGNED_POD,
                            assigned(old) ? Action.UPDATE : Action.ADD));
                }
            } else if (responsibleFor(pod)) {
                if (pod.getMetadata().getDeletionTimestamp() != null) {
                    queue.delete(pod);
                } else {
                    queue.update(pod);
                }
            }
        }

        @Override
        public void onDelete(Pod pod, boolean finalStateUnknown) {
            if (assigned(pod)) {
                cache.removePod(pod);
                queue.moveAllToActiveOrBackoff(new ClusterEvent(Kind.ASSIGNED_POD, Action.DELETE));
            } else {
                queue.delete(pod);
            }
        }
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** Configures a {@link Scheduler}. */
    public static final class Builder {
        private final Kernel kernel;
        private SchedulerConfiguration configuration = SchedulerConfiguration.defaults();
        private PluginRegistry registry;
        private final Map<String, PluginFactory> extra = new LinkedHashMap<>();
        private Clock clock = Clock.systemUTC();
        private RandomGenerator random = RandomGenerator.getDefault();
        private InformerFactory informers;
        private String identity = "keelson";
        private Duration assumedPodTtl = Duration.ZERO;

        private Builder(Kernel kernel) {
            this.kernel = kernel;
        }

        /** The profiles, plugins and tuning (kube-scheduler's defaults otherwise). */
        public Builder configuration(SchedulerConfiguration configuration) {
            this.configuration = configuration.withDefaults();
            return this;
        }

        /** The plugins (by default those of every {@link PluginRegistry.Provider} on the class path). */
        public Builder registry(PluginRegistry registry) {
            this.registry = registry;
            return this;
        }

        /** Adds an application's own plugin, which profiles can then enable by {@code name}. */
        public Builder plugin(String name, PluginFactory factory) {
            extra.put(name, factory);
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        /** Breaks ties between equally scored nodes. */
        public Builder random(RandomGenerator random) {
            this.random = random;
            return this;
        }

        /** Shares the application's informers (the scheduler starts its own otherwise, and closes them). */
        public Builder informers(InformerFactory informers) {
            this.informers = informers;
            return this;
        }

        /** The host named in the scheduler's events. */
        public Builder identity(String identity) {
            this.identity = identity;
            return this;
        }

        /**
         * How long an assumed pod whose binding finished may wait for its confirmation by the watch before it is
         * dropped; zero (kube-scheduler's default) keeps it until confirmed or deleted.
         */
        public Builder assumedPodTtl(Duration ttl) {
            this.assumedPodTtl = ttl;
            return this;
        }

        /**
         * @throws IllegalArgumentException for a profile naming an unknown plugin, lacking a queue sort or a binder
         */
        public Scheduler build() {
            PluginRegistry plugins = new PluginRegistry()
                    .merge(registry == null ? PluginRegistry.discovered() : registry);
            extra.forEach(plugins::register);
            return new Scheduler(this, plugins);
        }
    }
}
