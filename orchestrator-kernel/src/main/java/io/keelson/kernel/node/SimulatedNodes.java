package io.keelson.kernel.node;

import io.fabric8.kubernetes.api.model.Node;
import io.keelson.kernel.Kernel;
import io.keelson.kernel.LabelSelector;
import io.keelson.kernel.events.EventRecorder;
import io.keelson.kernel.informer.InformerFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.random.RandomGenerator;
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
    private final EventRecorder events;
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
        this.events = EventRecorder.create(kernel, "kubelet", "", b.clock);
        this.pods = new PodLifecycle(kernel, b.informers, timing, agenda, agents::get, events,
                new Stages(List.copyOf(b.stages), b.random));
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
        return add(template, null);
    }

    /**
     * Registers a node as {@link #add(Node)} does, which also runs the static pods whose manifests are in
     * {@code manifests} (the kubelet's {@code --pod-manifest-path}): each shows in the API as a mirror pod named
     * {@code <pod>-<node>}, owned by the Node and annotated {@code kubernetes.io/config.mirror}. The directory is
     * read at once and every 20 s: a changed manifest replaces its pod, a removed one deletes it, a mirror pod
     * deleted through the API comes back. Static pods tolerate every NoExecute taint.
     *
     * @param manifests a directory of pod manifests (YAML or JSON; names starting with a dot are ignored); null
     *                  for none
     */
    public Node add(Node template, Path manifests) {
        String name = Objects.requireNonNull(template.getMetadata().getName(), "the node template needs a name");
        if (manifests != null && !Files.isDirectory(manifests)) {
            throw new IllegalArgumentException("the static pod path is not a directory: " + manifests);
        }
        NodeAgent agent = new NodeAgent(name, joined.getAndIncrement(), timing, kernel, agenda, manifests);
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
        events.close();
    }

    /**
     * A rule for what the containers of matching pods do, in the spirit of kwok's Stages: pods that match the
     * selector (and namespace, if given) and declare no {@code keelson.io/} behaviour annotations of their own
     * follow the first matching stage. After {@link #delay} (plus up to {@link #jitter} more, drawn per pod from the
     * nodes' random source) from the start of their containers, the next state comes:
     * <ul>
     *   <li>{@link #exit}: the containers exit with that code; the restart policy decides what follows (with
     *       {@code Always}, a crash loop with the kubelet's back-off);</li>
     *   <li>{@link #failReadiness}: their readiness probe starts failing and the pod turns not ready;</li>
     *   <li>{@link #failLiveness}: their liveness probe starts failing and they are killed and restarted.</li>
     * </ul>
     * Probes act only on containers that declare them, as the kubelet's do.
     *
     * <pre>{@code
     * SimulatedNodes.builder(kernel, informers)
     *         .stage(SimulatedNodes.Stage.forPods("app=batch").delay(Duration.ofSeconds(30)).exit(0))
     *         .stage(SimulatedNodes.Stage.forPods("chaos=crash").delay(Duration.ofSeconds(5)).exit(1))
     *         .build();
     * }</pre>
     */
    public static final class Stage {
        final LabelSelector selector;
        final String namespace;
        final Duration delay;
        final Duration jitter;
        final Next next;
        final int exitCode;

        enum Next { EXIT, FAIL_READINESS, FAIL_LIVENESS }

        private Stage(LabelSelector selector, String namespace, Duration delay, Duration jitter, Next next,
                      int exitCode) {
            this.selector = selector;
            this.namespace = namespace;
            this.delay = delay;
            this.jitter = jitter;
            this.next = next;
            this.exitCode = exitCode;
        }

        /** A stage for pods whose labels match {@code labelSelector} (Kubernetes' syntax; "" matches all). */
        public static Stage forPods(String labelSelector) {
            return new Stage(LabelSelector.parse(labelSelector), null, Duration.ZERO, Duration.ZERO, Next.EXIT, 0);
        }

        /** Only for pods in {@code namespace}. */
        public Stage inNamespace(String namespace) {
            return new Stage(selector, Objects.requireNonNull(namespace), delay, jitter, next, exitCode);
        }

        /** How long after the containers start the next state comes (0). */
        public Stage delay(Duration delay) {
            return new Stage(selector, namespace, notNegative(delay, "stage delay"), jitter, next, exitCode);
        }

        /** Up to this much more delay, drawn at random for each start of a pod's containers (0). */
        public Stage jitter(Duration jitter) {
            return new Stage(selector, namespace, delay, notNegative(jitter, "stage jitter"), next, exitCode);
        }

        /** The containers exit with {@code code} (the default next state, with code 0). */
        public Stage exit(int code) {
            if (code < 0 || code > 255) {
                throw new IllegalArgumentException("exit code must be within 0..255: " + code);
            }
            return new Stage(selector, namespace, delay, jitter, Next.EXIT, code);
        }

        /** Their readiness probe starts failing: the pod turns not ready. */
        public Stage failReadiness() {
            return new Stage(selector, namespace, delay, jitter, Next.FAIL_READINESS, 0);
        }

        /** Their liveness probe starts failing: the containers are killed (137) and restarted. */
        public Stage failLiveness() {
            return new Stage(selector, namespace, delay, jitter, Next.FAIL_LIVENESS, 0);
        }

        boolean matches(io.fabric8.kubernetes.api.model.Pod pod) {
            return (namespace == null || namespace.equals(pod.getMetadata().getNamespace()))
                    && selector.matches(pod.getMetadata().getLabels() == null ? Map.of()
                    : pod.getMetadata().getLabels());
        }

        private static Duration notNegative(Duration d, String what) {
            if (d.isNegative()) {
                throw new IllegalArgumentException(what + " must not be negative: " + d);
            }
            return d;
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
        private int threads = 16;
        private final List<Stage> stages = new ArrayList<>();
        private RandomGenerator random = new SplittableRandom();

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

        /**
         * Threads running the nodes' work (16). A status write holds its thread until the store has it, so these
         * bound how many writes the nodes have in flight: with 4, a thousand nodes started pods at 300–600 a second
         * while the store could take more (bench/RESULTS.md).
         */
        public Builder threads(int threads) {
            if (threads < 1) {
                throw new IllegalArgumentException("threads must be at least 1: " + threads);
            }
            this.threads = threads;
            return this;
        }

        /** Adds a stage rule; the first that matches a pod decides (see {@link Stage}). */
        public Builder stage(Stage stage) {
            stages.add(Objects.requireNonNull(stage, "stage"));
            return this;
        }

        /** The random source of the stages' jitter. */
        public Builder random(RandomGenerator random) {
            this.random = Objects.requireNonNull(random, "random");
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
