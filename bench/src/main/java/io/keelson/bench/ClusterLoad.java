package io.keelson.bench;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.keelson.kernel.Kernel;
import io.keelson.kernel.Resources;
import io.keelson.kernel.controller.ManagedController;
import io.keelson.kernel.deployment.DeploymentController;
import io.keelson.kernel.informer.EventHandler;
import io.keelson.kernel.informer.InformerFactory;
import io.keelson.kernel.informer.SharedInformer;
import io.keelson.kernel.node.SimulatedNodes;
import io.keelson.kernel.nodelifecycle.NodeLifecycleController;
import io.keelson.kernel.replicaset.ReplicaSetController;
import io.keelson.kernel.scheduler.Scheduler;
import io.keelson.store.KeelsonStore;
import io.keelson.store.StoreMember;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.HdrHistogram.Histogram;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The control loop under load, on the real clock, with the scheduler, the ReplicaSet and Deployment controllers, the
 * node lifecycle controller and simulated nodes (no start delay: as kwok, pods are Running as soon as admitted):
 * <ul>
 *   <li>{@code startup}: ClusterLoader2's pod startup latency: pods created at a steady rate, the time from create
 *   to Running and Ready observed through a watch (an informer);</li>
 *   <li>{@code deployment}: a Deployment of N replicas from apply to all available, then a rolling update of it;</li>
 *   <li>{@code steady}: N nodes heartbeating with M running pods: CPU and heap when nothing else happens.</li>
 * </ul>
 */
@Command(name = "cluster-load", mixinStandardHelpOptions = true)
public final class ClusterLoad implements Callable<Integer> {
    @Parameters(index = "0", description = "startup, deployment or steady")
    String mode;

    @Option(names = "--nodes", description = "simulated nodes (startup: 100, deployment: 1000, steady: 5000)")
    Integer nodes;

    @Option(names = "--pods", description = "startup: pods created (3000); steady: running pods (50000)")
    Integer pods;

    @Option(names = "--rate", defaultValue = "100", description = "startup: pods created per second")
    int rate;

    @Option(names = "--replicas", defaultValue = "10000", description = "deployment: replicas")
    int replicas;

    @Option(names = "--warmup-replicas", defaultValue = "0", description = "deployment: replicas of a Deployment"
            + " created, rolled and scaled to zero first, unmeasured, so the JVM has compiled the loop (0: none)")
    int warmupReplicas;

    @Option(names = "--warmup-pods", defaultValue = "0", description = "startup: pods created at the same rate, seen"
            + " ready and deleted first, unmeasured, so the JVM has compiled the path (0: none, a cold start)")
    int warmupPods;

    @Option(names = "--seconds", defaultValue = "60", description = "steady: seconds measured")
    int seconds;

    @Option(names = "--threads", description = "deployment: also print the create phase's CPU per pod of the busiest"
            + " thread groups, with JIT and GC time")
    boolean threads;

    private static final String NS = "load";
    private final Clock clock = Clock.systemUTC();

    public static void main(String[] args) {
        System.exit(new CommandLine(new ClusterLoad()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Path dir = Files.createTempDirectory("keelson-cluster-load");
        int n = nodes != null ? nodes : switch (mode) {
            case "startup" -> 100;
            case "deployment" -> 1000;
            default -> 5000;
        };
        System.out.printf(Locale.ROOT, "# cluster %s: %d simulated nodes; single-node store, fsync on, %d cores, %s,"
                + " max heap %d MiB%n", mode, n, Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.vm.name") + " " + System.getProperty("java.version"),
                Runtime.getRuntime().maxMemory() >> 20);
        try (StoreMember store = KeelsonStore.open(dir.resolve("store"));
             Kernel kernel = Kernel.builder().store(store).build();
             InformerFactory informers = InformerFactory.builder(kernel).build();
             Scheduler scheduler = Scheduler.builder(kernel).informers(informers).build();
             SimulatedNodes simulated = SimulatedNodes.builder(kernel, informers).startDelay(Duration.ZERO)
                     .build();
             NodeLifecycleController lifecycle = NodeLifecycleController.create(kernel, informers, clock)) {
            List<ManagedController> controllers = List.of(ReplicaSetController.create(kernel, informers, clock),
                    DeploymentController.create(kernel, informers, clock));
            SharedInformer<Pod> podInformer = informers.forType(Pod.class);
            Map<String, Long> readyAt = new ConcurrentHashMap<>();
            podInformer.addEventHandler(new EventHandler<>() {
                @Override
                public void onAdd(Pod pod, boolean initialList) {
                    seen(pod);
                }

                @Override
                public void onUpdate(Pod old, Pod pod) {
                    seen(pod);
                }

                private void seen(Pod pod) {
                    if (ready(pod)) {
                        readyAt.putIfAbsent(pod.getMetadata().getName(), System.nanoTime());
                    }
                }
            });
            scheduler.start().get(60, TimeUnit.SECONDS);
            long t0 = System.nanoTime();
            for (int i = 1; i <= n; i++) {
                simulated.add(new NodeBuilder().withNewMetadata().withName("node-" + i)
                        .addToLabels("topology.kubernetes.io/zone", "zone-" + i % 3).endMetadata().withNewStatus()
                        .withCapacity(Map.of("cpu", new Quantity("32"), "memory", new Quantity("256Gi"), "pods",
                                new Quantity("110"))).endStatus().build());
            }
            informers.startAll().get(120, TimeUnit.SECONDS);
            simulated.start();
            lifecycle.start();
            controllers.forEach(ManagedController::start);
            kernel.resources(Namespace.class).create(new NamespaceBuilder().withNewMetadata().withName(NS)
                    .endMetadata().build());
            System.out.printf(Locale.ROOT, "# %d nodes registered in %.1f s%n", n, (System.nanoTime() - t0) / 1e9);
            switch (mode) {
                case "startup" -> startup(kernel, readyAt);
                case "deployment" -> deployment(kernel, readyAt, store);
                case "steady" -> steady(kernel, readyAt, n);
                default -> throw new CommandLine.ParameterException(new CommandLine(this),
                        "mode must be startup, deployment or steady, not " + mode);
            }
            controllers.forEach(ManagedController::close);
        }
        return 0;
    }

    /** Pods created at {@code rate} per second; each one's create-to-ready time as the informer sees it. */
    private void startup(Kernel kernel, Map<String, Long> readyAt) throws Exception {
        int count = pods != null ? pods : 3000;
        Resources<Pod> api = kernel.resources(Pod.class).inNamespace(NS);
        if (warmupPods > 0) {
            long w0 = System.nanoTime();
            Map<String, Long> warmup = createAtRate(api, "warm-up-", warmupPods);
            await(() -> readyAt.keySet().containsAll(warmup.keySet()), Duration.ofMinutes(5),
                    "the warm-up's pods ready");
            warmup.keySet().forEach(api::delete);
            await(() -> api.list(io.keelson.kernel.ListRequest.all()).items().isEmpty(), Duration.ofMinutes(5),
                    "the warm-up's pods gone");
            System.out.printf(Locale.ROOT, "# warm-up: %d pods created, ready and deleted in %.1f s%n", warmupPods,
                    (System.nanoTime() - w0) / 1e9);
        }
        long start = System.nanoTime();
        Map<String, Long> createdAt = createAtRate(api, "pod-", count);
        await(() -> readyAt.keySet().containsAll(createdAt.keySet()), Duration.ofMinutes(5), () -> "every pod ready ("
                + readyAt.size() + " of " + count + " seen ready; phases " + phases(api) + ")");
        Histogram latency = new Histogram(3);
        createdAt.forEach((name, created) -> latency.recordValue(Math.max(0, readyAt.get(name) - created) / 1000));
        double achieved = count / ((System.nanoTime() - start) / 1e9);
        System.out.printf(Locale.ROOT, "%-10s %8s %10s %10s %10s %10s %10s%n", "mode", "pods", "rate/s", "p50 ms",
                "p90 ms", "p99 ms", "max ms");
        System.out.printf(Locale.ROOT, "%-10s %8d %10d %10.1f %10.1f %10.1f %10.1f%n", "startup", count, rate,
                latency.getValueAtPercentile(50) / 1000.0, latency.getValueAtPercentile(90) / 1000.0,
                latency.getValueAtPercentile(99) / 1000.0, latency.getMaxValue() / 1000.0);
        System.out.printf(Locale.ROOT, "# created at %.0f pods/s on average (asked %d)%n", achieved, rate);
        // where the tail is: the slowest pod created in each 5 s of the run
        long[] slowest = new long[(int) ((java.util.Collections.max(createdAt.values()) - start) / 5_000_000_000L) + 1];
        createdAt.forEach((name, created) -> {
            int w = (int) ((created - start) / 5_000_000_000L);
            slowest[w] = Math.max(slowest[w], (readyAt.get(name) - created) / 1_000_000);
        });
        System.out.println("# slowest pod (ms) of those created in each 5 s: " + java.util.Arrays.toString(slowest));
    }

    /** {@code count} pods ({@code prefix} + i) created one by one at {@code --rate}; when each create was called. */
    private Map<String, Long> createAtRate(Resources<Pod> api, String prefix, int count) throws InterruptedException {
        Map<String, Long> createdAt = new ConcurrentHashMap<>();
        long start = System.nanoTime();
        long interval = TimeUnit.SECONDS.toNanos(1) / rate;
        for (int i = 0; i < count; i++) {
            long wait = start + i * interval - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            String name = prefix + i;
            createdAt.put(name, System.nanoTime());
            api.create(pod(name, null));
        }
        return createdAt;
    }

    /**
     * A Deployment of {@code replicas} from create to all available, then a new image to all updated; first, with
     * {@code --warmup-replicas}, the same for a smaller Deployment, scaled to zero before the measured one starts.
     */
    private void deployment(Kernel kernel, Map<String, Long> readyAt, StoreMember store) throws Exception {
        Resources<Deployment> api = kernel.resources(Deployment.class).inNamespace(NS);
        if (warmupReplicas > 0) {
            long w0 = System.nanoTime();
            rollout(kernel, api, "warm-up", warmupReplicas, () -> { });
            Deployment w = api.get("warm-up");
            w.getSpec().setReplicas(0);
            api.update(w);
            Resources<Pod> pods = kernel.resources(Pod.class).inNamespace(NS);
            await(() -> pods.list(io.keelson.kernel.ListRequest.all()).items().isEmpty(), Duration.ofMinutes(10),
                    () -> "the warm-up's pods gone (" + progress(kernel) + ")");
            System.out.printf(Locale.ROOT, "# warm-up: %d replicas created, rolled and scaled to 0 in %.1f s%n",
                    warmupReplicas, (System.nanoTime() - w0) / 1e9);
        }
        long cpu0 = JvmStats.cpuNanos();
        Map<String, Long> threadCpu0 = threads ? JvmStats.cpuNanosByThreadGroup() : Map.of();
        long jit0 = JvmStats.compilationMillis();
        long gc0 = JvmStats.collectionMillis();
        long start = System.nanoTime();
        Map<String, java.util.concurrent.atomic.LongAdder> writes = new ConcurrentHashMap<>();
        var writeWatch = threads ? store.watch(io.keelson.store.WatchRequest.prefix("/registry/"), r -> r.events()
                .forEach(e -> writes.computeIfAbsent(e.type() + " " + e.kv().key().toStringUtf8().split("/")[2],
                        k -> new java.util.concurrent.atomic.LongAdder()).increment())) : null;
        double[] seconds = rollout(kernel, api, "big", replicas, () -> {
            if (threads) {
                Map<String, Long> threadCpu = new java.util.HashMap<>(JvmStats.cpuNanosByThreadGroup());
                threadCpu.put("(JIT compiling, elapsed)", (JvmStats.compilationMillis() - jit0) * 1_000_000);
                threadCpu.put("(GC, elapsed)", (JvmStats.collectionMillis() - gc0) * 1_000_000);
                System.out.println("# create phase, CPU per pod by thread group:");
                JvmStats.printCpuByThreadGroup(threadCpu0, threadCpu, replicas, "pod");
                printReadyTimeline(readyAt, start);
                writeWatch.close();
                System.out.println("# store writes per pod: " + new java.util.TreeMap<>(writes).entrySet().stream()
                        .map(e -> e.getKey() + " " + String.format(Locale.ROOT, "%.2f", e.getValue().sum()
                                / (double) replicas)).collect(java.util.stream.Collectors.joining(", ")));
            }
        });
        double created = seconds[0];
        double rolled = seconds[1];
        long cpuCreate = (long) (seconds[2]);
        long cpuRoll = JvmStats.cpuNanos() - cpu0 - cpuCreate;
        System.out.printf(Locale.ROOT, "%-16s %9s %10s %10s %12s%n", "phase", "replicas", "seconds", "pods/s",
                "CPU/pod us");
        System.out.printf(Locale.ROOT, "%-16s %9d %10.1f %10.0f %12.0f%n", "create", replicas, created,
                replicas / created, cpuCreate / 1e3 / replicas);
        System.out.printf(Locale.ROOT, "%-16s %9d %10.1f %10.0f %12.0f%n", "rolling update", replicas, rolled,
                replicas / rolled, cpuRoll / 1e3 / replicas);
        System.out.printf(Locale.ROOT, "# heap after GC %d MiB%n", JvmStats.usedHeapAfterGc() >> 20);
    }

    /** The measured Deployment's pods seen Ready per second since its create, and when the last one was. */
    private static void printReadyTimeline(Map<String, Long> readyAt, long start) {
        long now = System.nanoTime();
        int[] perSecond = new int[(int) ((now - start) / 1_000_000_000L) + 1];
        long last = start;
        for (Map.Entry<String, Long> e : readyAt.entrySet()) {
            if (e.getKey().startsWith("big-") && e.getValue() >= start) {
                perSecond[(int) ((e.getValue() - start) / 1_000_000_000L)]++;
                last = Math.max(last, e.getValue());
            }
        }
        System.out.printf(Locale.ROOT, "# pods seen Ready per second: %s; the last at %.2f s, all available seen at"
                + " %.2f s%n", java.util.Arrays.toString(perSecond), (last - start) / 1e9, (now - start) / 1e9);
    }

    /** Creates the Deployment and rolls it to a new image: seconds to available, seconds to rolled, create CPU ns. */
    private static double[] rollout(Kernel kernel, Resources<Deployment> api, String name, int replicas,
                                    Runnable onCreated) throws Exception {
        long cpu0 = JvmStats.cpuNanos();
        long t0 = System.nanoTime();
        api.create(new DeploymentBuilder().withNewMetadata().withName(name).endMetadata().withNewSpec()
                .withReplicas(replicas).withNewSelector().addToMatchLabels("app", name).endSelector()
                .withNewStrategy().withType("RollingUpdate").withNewRollingUpdate()
                .withMaxSurge(new IntOrString("25%")).withMaxUnavailable(new IntOrString("25%")).endRollingUpdate()
                .endStrategy().withNewTemplate().withNewMetadata().addToLabels("app", name).endMetadata()
                .withSpec(pod(null, name + ":1").getSpec()).endTemplate().endSpec().build());
        await(() -> available(api.get(name), replicas, 1), Duration.ofMinutes(30), () -> "all replicas available ("
                + progress(kernel) + ")");
        double created = (System.nanoTime() - t0) / 1e9;
        long cpuCreate = JvmStats.cpuNanos() - cpu0;
        onCreated.run();

        long t1 = System.nanoTime();
        Deployment d = api.get(name);
        d.getSpec().getTemplate().getSpec().getContainers().get(0).setImage(name + ":2");
        api.update(d);
        await(() -> available(api.get(name), replicas, 2), Duration.ofMinutes(Long.getLong("cluster.load.minutes",
                30)), () -> "the rolling update (" + progress(kernel) + ")");
        return new double[] {created, (System.nanoTime() - t1) / 1e9, cpuCreate};
    }

    /** {@code pods} pods bound straight to the nodes (no scheduling) until Running; then CPU and heap at rest. */
    private void steady(Kernel kernel, Map<String, Long> readyAt, int n) throws Exception {
        int count = pods != null ? pods : 50_000;
        Resources<Pod> api = kernel.resources(Pod.class).inNamespace(NS);
        long t0 = System.nanoTime();
        List<Thread> creators = new ArrayList<>();
        for (int t = 0; t < 16; t++) {
            int first = t;
            Thread c = new Thread(() -> {
                for (int i = first; i < count; i += 16) {
                    Pod p = pod("pod-" + i, null);
                    p.getSpec().setNodeName("node-" + (1 + i % n));
                    api.create(p);
                }
            });
            c.start();
            creators.add(c);
        }
        for (Thread c : creators) {
            c.join();
        }
        await(() -> readyAt.size() >= count, Duration.ofMinutes(30), "every pod running");
        System.out.printf(Locale.ROOT, "# %d pods created and running in %.1f s; settling 30 s%n", count,
                (System.nanoTime() - t0) / 1e9);
        Thread.sleep(30_000);
        long cpu0 = JvmStats.cpuNanos();
        long w0 = System.nanoTime();
        Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
        double cores = (JvmStats.cpuNanos() - cpu0) / (double) (System.nanoTime() - w0);
        long heap = JvmStats.usedHeapAfterGc();
        System.out.printf(Locale.ROOT, "%-8s %8s %8s %10s %10s%n", "mode", "nodes", "pods", "cores", "heap MiB");
        System.out.printf(Locale.ROOT, "%-8s %8d %8d %10.3f %10d%n", "steady", n, count, cores, heap >> 20);
    }

    private static boolean available(Deployment d, int replicas, int revision) {
        var s = d.getStatus();
        // as kubectl rollout status: the status must be of this generation (the revision annotation can be newer)
        return s != null && d.getMetadata().getAnnotations() != null
                && java.util.Objects.equals(s.getObservedGeneration(), d.getMetadata().getGeneration())
                && String.valueOf(revision).equals(d.getMetadata().getAnnotations()
                .get("deployment.kubernetes.io/revision"))
                && Integer.valueOf(replicas).equals(s.getAvailableReplicas())
                && Integer.valueOf(replicas).equals(s.getUpdatedReplicas())
                && Integer.valueOf(replicas).equals(s.getReplicas());
    }

    /** ClusterLoader2's pod: one pause container with small requests. */
    private static Pod pod(String name, String image) {
        return new PodBuilder().withNewMetadata().withName(name).addToLabels("app", "load").endMetadata()
                .withNewSpec().addNewContainer().withName("pause").withImage(image == null ? "pause:3.9" : image)
                .withNewResources().addToRequests("cpu", new Quantity("10m")).addToRequests("memory",
                        new Quantity("10Mi")).endResources().endContainer().endSpec().build();
    }

    private static boolean ready(Pod p) {
        return p.getStatus() != null && p.getStatus().getConditions() != null && p.getStatus().getConditions()
                .stream().anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    private static void await(BooleanSupplier condition, Duration limit, String what) throws InterruptedException {
        await(condition, limit, () -> what);
    }

    private static void await(BooleanSupplier condition, Duration limit, java.util.function.Supplier<String> what)
            throws InterruptedException {
        Instant end = Instant.now().plus(limit);
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(end)) {
                throw new IllegalStateException("timed out waiting for " + what.get());
            }
            Thread.sleep(100);
        }
    }

    /** The ReplicaSets' sizes and status counts: what a timeout of the deployment run reports. */
    private static String progress(Kernel kernel) {
        return kernel.resources(io.fabric8.kubernetes.api.model.apps.ReplicaSet.class).inNamespace(NS)
                .list(io.keelson.kernel.ListRequest.all()).items().stream().map(rs -> rs.getMetadata().getName()
                        + " spec " + rs.getSpec().getReplicas() + " status " + (rs.getStatus() == null ? "-"
                        : rs.getStatus().getReplicas() + "/" + rs.getStatus().getAvailableReplicas()))
                .collect(java.util.stream.Collectors.joining(", ")) + "; pods " + phases(kernel.resources(Pod.class)
                .inNamespace(NS));
    }

    /** How many pods are in each phase (and how many are not bound yet): what a timeout reports. */
    private static Map<String, Long> phases(Resources<Pod> api) {
        return api.list(io.keelson.kernel.ListRequest.all()).items().stream().collect(java.util.stream.Collectors
                .groupingBy(p -> (p.getSpec().getNodeName() == null ? "unbound " : "")
                        + (p.getStatus() == null ? "none" : String.valueOf(p.getStatus().getPhase())),
                        java.util.TreeMap::new, java.util.stream.Collectors.counting()));
    }
}
