package io.keelson.kernel.node;

import io.fabric8.kubernetes.api.model.Node;
import io.keelson.kernel.Kernel;
import io.keelson.kernel.informer.InformerFactory;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Nodes without machines, as kwok and kubemark provide them: each registers a Node, renews its Lease and reports
 * its status as a kubelet does, and runs the pods bound to it through the kubelet's lifecycle (admission, start,
 * Running and Ready, graceful termination) with no container runtime. Thousands of nodes share one agenda on the
 * injected clock and a few threads.
 *
 * <pre>{@code
 * SimulatedNodes nodes = SimulatedNodes.builder(kernel, informers).build();
 * nodes.add(new NodeBuilder().withNewMetadata().withName("node-1").endMetadata().build());
 * nodes.start();
 * }</pre>
 *
 * <p>With a fake clock, a test does not {@link #start} the nodes: it advances the clock and calls {@link #runDue}.
 */
public final class SimulatedNodes implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SimulatedNodes.class);
    /** The kubelet version the nodes report. */
    static final String KUBELET_VERSION = "v1.33.0-keelson";
    private static final Duration IDLE_POLL = Duration.ofMillis(100);

    private final Kernel kernel;
    private final NodeTiming timing;
    private final Agenda agenda;
    private final ExecutorService workers;
    private final Map<String, NodeAgent> agents = new ConcurrentHashMap<>();
    private final AtomicInteger joined = new AtomicInteger();
    private final PodLifecycle pods;
    private Thread driver;
    private volatile boolean closed;

    private SimulatedNodes(Builder b) {
        this.kernel = b.kernel;
        this.timing = new NodeTiming(b.clock, b.leaseDuration, b.renewInterval, b.statusReportInterval, b.startDelay);
        this.agenda = new Agenda(b.clock);
        this.workers = Executors.newFixedThreadPool(b.threads, r -> {
            Thread t = new Thread(r, "keelson-nodes");
            t.setDaemon(true);
            return t;
        });
        this.pods = new PodLifecycle(kernel, b.informers, timing, agenda, agents::get);
    }

    /** Nodes writing through {@code kernel}, following pods through {@code informers}' pod informer. */
    public static Builder builder(Kernel kernel, InformerFactory informers) {
        return new Builder(kernel, informers);
    }

    /**
     * Registers a node shaped like {@code template}: its name, labels, taints and capacity (32 cpu, 256Gi memory,
     * 110 pods and 100Gi ephemeral storage when it gives none; allocatable defaults to capacity), with what a
     * kubelet adds (hostname, os and arch labels, a pod CIDR, addresses, node info, conditions). A node already
     * registered under that name (the same data opened again) is taken over. Returns the Node as written.
     */
    public Node add(Node template) {
        String name = Objects.requireNonNull(template.getMetadata().getName(), "the node template needs a name");
        NodeAgent agent = new NodeAgent(name, joined.getAndIncrement(), timing, kernel, agenda);
        if (agents.putIfAbsent(name, agent) != null) {
            throw new IllegalArgumentException("node " + name + " is simulated already");
        }
        Node node = agent.register(template);
        pods.nodeJoined(name);
        return node;
    }

    /** The names of the simulated nodes. */
    public List<String> nodes() {
        return new ArrayList<>(agents.keySet());
    }

    /** The node stops its heartbeats (lease and status) and leaves its pods as they are, as a node cut off would. */
    public void stopHeartbeats(String node) {
        agent(node).stop();
    }

    /** The node is back: it renews its lease, reports its status and resumes its pods. */
    public void resumeHeartbeats(String node) {
        agent(node).resume();
        pods.nodeJoined(node);
    }

    /** The node leaves the cluster: its Node and Lease are deleted; its pods are no longer run. */
    public void remove(String node) {
        agent(node).remove();
        agents.remove(node);
    }

    /** Runs the agenda on a driver thread by the clock, the tasks on the worker threads. */
    public synchronized void start() {
        if (driver != null) {
            return;
        }
        driver = new Thread(this::drive, "keelson-nodes-driver");
        driver.setDaemon(true);
        driver.start();
    }

    /**
     * Runs, in this thread, every task due by now on the clock, including those they plan for now: for tests that
     * drive a fake clock (and did not {@link #start}). Returns how many ran.
     */
    public int runDue() {
        int ran = 0;
        for (Runnable task; (task = agenda.takeDue()) != null; ran++) {
            run(task);
        }
        return ran;
    }

    private void drive() {
        while (!closed) {
            Runnable task = agenda.takeDue();
            if (task != null) {
                workers.execute(() -> run(task));
                continue;
            }
            try {
                agenda.awaitChange(agenda.untilNext(IDLE_POLL));
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private static void run(Runnable task) {
        try {
            task.run();
        } catch (RuntimeException e) {
            LOG.info("simulated node task failed (it is planned again or retried on the next change): {}",
                    e.toString());
        }
    }

    private NodeAgent agent(String node) {
        NodeAgent agent = agents.get(node);
        if (agent == null) {
            throw new IllegalArgumentException("no simulated node " + node);
        }
        return agent;
    }

    @Override
    public void close() {
        closed = true;
        Thread d;
        synchronized (this) {
            d = driver;
        }
        if (d != null) {
            d.interrupt();
        }
        workers.shutdownNow();
        try {
            workers.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** How the nodes are built; kubelet's and kwok's defaults unless set. */
    public static final class Builder {
        private final Kernel kernel;
        private final InformerFactory informers;
        private Clock clock = Clock.systemUTC();
        private Duration leaseDuration = Duration.ofSeconds(40);
        private Duration renewInterval = Duration.ofSeconds(10);
        private Duration statusReportInterval = Duration.ofMinutes(5);
        private Duration startDelay = Duration.ofSeconds(1);
        private int threads = 4;

        private Builder(Kernel kernel, InformerFactory informers) {
            this.kernel = Objects.requireNonNull(kernel, "kernel");
            this.informers = Objects.requireNonNull(informers, "informers");
        }

        /** The clock of heartbeats, timestamps and delays. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** The Lease's duration (40 s) and how often it is renewed (10 s). */
        public Builder lease(Duration duration, Duration renewInterval) {
            this.leaseDuration = positive(duration, "lease duration");
            this.renewInterval = positive(renewInterval, "lease renew interval");
            return this;
        }

        /** How often a node reports its status when nothing changed (5 minutes). */
        public Builder statusReportInterval(Duration interval) {
            this.statusReportInterval = positive(interval, "status report interval");
            return this;
        }

        /** How long a pod's containers take to start once the pod is admitted (1 s; zero starts them at once). */
        public Builder startDelay(Duration delay) {
            if (delay.isNegative()) {
                throw new IllegalArgumentException("start delay must not be negative: " + delay);
            }
            this.startDelay = delay;
            return this;
        }

        /** Threads running the nodes' writes (4). */
        public Builder threads(int threads) {
            if (threads < 1) {
                throw new IllegalArgumentException("threads must be at least 1: " + threads);
            }
            this.threads = threads;
            return this;
        }

        public SimulatedNodes build() {
            return new SimulatedNodes(this);
        }

        private static Duration positive(Duration d, String what) {
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(what + " must be positive: " + d);
            }
            return d;
        }
    }
}
