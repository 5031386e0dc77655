package io.keelson.bench;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.keelson.kernel.Kernel;
import io.keelson.kernel.Resources;
import io.keelson.kernel.informer.EventHandler;
import io.keelson.kernel.informer.InformerFactory;
import io.keelson.kernel.scheduler.Scheduler;
import io.keelson.store.KeelsonStore;
import io.keelson.store.StoreMember;
import io.keelson.store.mvcc.MvccStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;
import org.HdrHistogram.Histogram;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * A scheduler_perf-like harness (k/k {@code test/integration/scheduler_perf}): nodes are plain API objects (no node
 * agent), init pods are created and scheduled first, then the measured pods are created while the scheduler runs; a
 * pod counts when the pod informer sees it bound. Reports scheduler_perf's SchedulingThroughput (average pods/s and
 * the percentiles of the per-second samples), the scheduling latency from creation to confirmed bind, CPU and heap.
 */
@Command(name = "scheduler-load", mixinStandardHelpOptions = true)
public final class SchedulerLoad implements Callable<Integer> {
    @Option(names = "--workload", defaultValue = "SchedulingBasic",
            description = "SchedulingBasic, SchedulingPodAntiAffinity, SchedulingPodAffinity, TopologySpreading,"
                    + " SchedulingNodeAffinity, SchedulingDaemonset or PreemptionBasic")
    String workload;

    @Option(names = "--nodes", description = "nodes (default: the workload's)")
    Integer nodes;

    @Option(names = "--init-pods", description = "pods scheduled before measuring (default: the workload's)")
    Integer initPods;

    @Option(names = "--pods", description = "measured pods (default: the workload's)")
    Integer pods;

    @Option(names = "--creators", defaultValue = "16", description = "threads creating pods")
    int creators;

    @Option(names = "--warmup", defaultValue = "3", description = "runs of the same workload before the measured"
            + " one, each on a fresh store and kernel in this JVM, so that the measured run is not mostly JIT"
            + " compilation (default: 3; 0 measures a cold JVM)")
    int warmup;

    @Option(names = "--threads", description = "also print CPU per measured pod of the busiest thread groups")
    boolean threads;

    /** CPU of the creating threads, which end before the threads are read. */
    private final AtomicLong creatorCpu = new AtomicLong();

    private static final String INIT_NAMESPACE = "sched-0";
    private static final String MEASURED_NAMESPACE = "sched-1";

    /** A workload of scheduler_perf's performance-config.yaml, at its 5,000-node (or 15,000) size. */
    private record Workload(int nodes, int initPods, int pods, IntFunction<Node> node, IntFunction<Pod> initPod,
                            IntFunction<Pod> pod) {
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new SchedulerLoad()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Workload w = switch (workload) {
            case "SchedulingBasic" -> new Workload(5000, 1000, 10000, SchedulerLoad::defaultNode,
                    i -> defaultPod("init-" + i), i -> defaultPod("pod-" + i));
            case "SchedulingNodeAffinity" -> new Workload(5000, 5000, 10000, i -> new NodeBuilder(defaultNode(i))
                    .editMetadata().addToLabels("topology.kubernetes.io/zone", "zone1").endMetadata().build(),
                    i -> zoneAffinityPod("init-" + i), i -> zoneAffinityPod("pod-" + i));
            case "TopologySpreading" -> new Workload(5000, 5000, 5000, i -> new NodeBuilder(defaultNode(i))
                    .editMetadata().addToLabels("topology.kubernetes.io/zone", "moon-" + (1 + i % 3)).endMetadata()
                    .build(), i -> defaultPod("init-" + i), i -> spreadingPod("pod-" + i));
            case "SchedulingDaemonset" -> new Workload(15000, 0, 15000, SchedulerLoad::defaultNode,
                    i -> defaultPod("init-" + i), i -> daemonPod("pod-" + i, "node-" + i));
            case "SchedulingPodAntiAffinity" -> new Workload(5000, 1000, 2000, SchedulerLoad::defaultNode,
                    i -> antiAffinityPod("init-" + i), i -> antiAffinityPod("pod-" + i));
            case "SchedulingPodAffinity" -> new Workload(5000, 1000, 2000, i -> new NodeBuilder(defaultNode(i))
                    .editMetadata().addToLabels("topology.kubernetes.io/zone", "zone1").endMetadata().build(),
                    i -> affinityPod("init-" + i), i -> affinityPod("pod-" + i));
            case "PreemptionBasic" -> new Workload(500, 2000, 2000, SchedulerLoad::defaultNode,
                    i -> priorityPod("init-" + i, "low"), i -> priorityPod("pod-" + i, "high"));
            default -> throw new CommandLine.ParameterException(new CommandLine(this), "unknown workload " + workload);
        };
        w = new Workload(nodes == null ? w.nodes() : nodes, initPods == null ? w.initPods() : initPods,
                pods == null ? w.pods() : pods, w.node(), w.initPod(), w.pod());
        System.out.printf(Locale.ROOT, "# scheduler %s: %d nodes, %d init pods, %d measured pods; single-node store,"
                        + " fsync on, %d cores, %s, max heap %d MiB%n", workload, w.nodes(), w.initPods(), w.pods(),
                Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.vm.name") + " " + System.getProperty("java.version"),
                Runtime.getRuntime().maxMemory() >> 20);
        for (int round = 0; round <= warmup; round++) {
            boolean measured = round == warmup;
            if (!measured) {
                System.out.printf(Locale.ROOT, "# warm-up run %d of %d (then a fresh store and kernel)%n",
                        round + 1, warmup);
            }
            runOnFreshKernel(w, measured ? workload : workload + " (warm-up " + (round + 1) + ")");
        }
        return 0;
    }

    private void runOnFreshKernel(Workload w, String label) throws Exception {
        Path dir = Files.createTempDirectory("keelson-scheduler-bench");
        try (StoreMember store = KeelsonStore.open(dir.resolve("store"));
             Kernel kernel = Kernel.builder().store(store).build()) {
            for (String ns : List.of(INIT_NAMESPACE, MEASURED_NAMESPACE)) {
                kernel.resources(Namespace.class).create(new NamespaceBuilder().withNewMetadata().withName(ns)
                        .endMetadata().build());
            }
            var classes = kernel.resources(io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClass.class);
            classes.create(new io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClassBuilder().withNewMetadata()
                    .withName("low").endMetadata().withValue(10).build());
            classes.create(new io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClassBuilder().withNewMetadata()
                    .withName("high").endMetadata().withValue(1000).build());
            run(kernel, w, label);
        } finally {
            MvccStore.deleteTree(dir);
        }
    }

    private void run(Kernel kernel, Workload w, String label) throws Exception {
        Map<String, Long> createdAt = new ConcurrentHashMap<>();
        AtomicInteger bound = new AtomicInteger();
        Histogram latency = new Histogram(3);
        try (InformerFactory informers = InformerFactory.builder(kernel).build();
             Scheduler scheduler = Scheduler.builder(kernel).informers(informers).build()) {
            ExecutorService kubelet = Executors.newSingleThreadExecutor();
            informers.forType(Pod.class).addEventHandler(new EventHandler<>() {
                @Override
                public void onUpdate(Pod old, Pod pod) {
                    if (old.getMetadata().getDeletionTimestamp() == null
                            && pod.getMetadata().getDeletionTimestamp() != null) {
                        // what the node would do (there is none): finish the graceful deletion at once
                        kubelet.execute(() -> kernel.resources(Pod.class).inNamespace(pod.getMetadata().getNamespace())
                                .delete(pod.getMetadata().getName(), new io.fabric8.kubernetes.api.model
                                        .DeleteOptionsBuilder().withGracePeriodSeconds(0L).build()));
                    }
                    if (old.getSpec().getNodeName() == null && pod.getSpec().getNodeName() != null) {
                        bound.incrementAndGet();
                        Long t = createdAt.remove(pod.getMetadata().getName());
                        if (t != null) {
                            synchronized (latency) {
                                latency.recordValue(Math.max(0, (System.nanoTime() - t) / 1000));
                            }
                        }
                    }
                }
            });
            scheduler.start().get(60, TimeUnit.SECONDS);
            Resources<Node> nodeApi = kernel.resources(Node.class);
            Resources<Pod> initPods = kernel.resources(Pod.class).inNamespace(INIT_NAMESPACE);
            Resources<Pod> podApi = kernel.resources(Pod.class).inNamespace(MEASURED_NAMESPACE);
            long t0 = System.nanoTime();
            createAll(w.nodes(), i -> nodeApi.create(w.node().apply(i)), null);
            System.out.printf(Locale.ROOT, "# %d nodes created in %.1f s%n", w.nodes(), (System.nanoTime() - t0) / 1e9);
            t0 = System.nanoTime();
            createAll(w.initPods(), i -> initPods.create(w.initPod().apply(i)), null);
            awaitBound(bound, w.initPods());
            System.out.printf(Locale.ROOT, "# %d init pods created and scheduled in %.1f s%n", w.initPods(),
                    (System.nanoTime() - t0) / 1e9);
            bound.set(0);
            latency.reset();
            long cpu0 = JvmStats.cpuNanos();
            Map<String, Long> threadCpu0 = threads ? JvmStats.cpuNanosByThreadGroup() : Map.of();
            creatorCpu.set(0);
            long jit0 = JvmStats.compilationMillis();
            long gc0 = JvmStats.collectionMillis();
            long start = System.nanoTime();
            List<Integer> perSecond = new ArrayList<>();
            Thread sampler = new Thread(() -> {
                int last = 0;
                long next = start + 1_000_000_000L;
                while (last < w.pods()) {
                    long sleep = next - System.nanoTime();
                    if (sleep > 0) {
                        try {
                            TimeUnit.NANOSECONDS.sleep(sleep);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                    next += 1_000_000_000L;
                    int now = bound.get();
                    synchronized (perSecond) {
                        perSecond.add(now - last);
                    }
                    last = now;
                }
            }, "sampler");
            sampler.setDaemon(true);
            sampler.start();
            createAll(w.pods(), i -> podApi.create(w.pod().apply(i)), createdAt);
            awaitBound(bound, w.pods());
            double seconds = (System.nanoTime() - start) / 1e9;
            long cpu = JvmStats.cpuNanos() - cpu0;
            if (threads) {
                System.out.println("# CPU per measured pod by thread group:");
                Map<String, Long> threadCpu = new java.util.HashMap<>(JvmStats.cpuNanosByThreadGroup());
                threadCpu.put("(creating threads)", creatorCpu.get());
                threadCpu.put("(JIT compiling, elapsed)", (JvmStats.compilationMillis() - jit0) * 1_000_000);
                threadCpu.put("(GC, elapsed)", (JvmStats.collectionMillis() - gc0) * 1_000_000);
                JvmStats.printCpuByThreadGroup(threadCpu0, threadCpu, w.pods(), "pod");
            }
            sampler.interrupt();
            sampler.join();
            int[] samples;
            synchronized (perSecond) {
                samples = perSecond.stream().mapToInt(Integer::intValue).filter(n -> n > 0).sorted().toArray();
            }
            System.out.printf(Locale.ROOT, "%-26s %8s %12s %12s %12s %14s %12s %10s%n", "workload", "pods",
                    "avg pods/s", "p50 pods/s", "p99 pods/s", "latency p99 ms", "CPU/pod us", "heap MiB");
            System.out.printf(Locale.ROOT, "%-26s %8d %12.0f %12d %12d %14.1f %12.0f %10d%n",
                    label, w.pods(),
                    w.pods() / seconds, percentile(samples, 50), percentile(samples, 99),
                    latency.getValueAtPercentile(99) / 1000.0, cpu / 1000.0 / w.pods(),
                    JvmStats.usedHeapAfterGc() >> 20);
            kubelet.shutdownNow();
        }
    }

    /** A percentile of the per-second samples, ascending, as scheduler_perf's throughput collector takes it. */
    private static int percentile(int[] sortedSamples, int pct) {
        if (sortedSamples.length == 0) {
            return 0;
        }
        return sortedSamples[Math.max(0, (int) Math.ceil(sortedSamples.length * pct / 100.0) - 1)];
    }

    private void createAll(int count, java.util.function.IntConsumer create, Map<String, Long> createdAt)
            throws InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(creators);
        AtomicInteger next = new AtomicInteger();
        for (int t = 0; t < creators; t++) {
            pool.execute(() -> {
                for (int i; (i = next.getAndIncrement()) < count; ) {
                    if (createdAt != null) {
                        createdAt.put("pod-" + i, System.nanoTime());
                    }
                    create.accept(i);
                }
                creatorCpu.addAndGet(java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime());
            });
        }
        pool.shutdown();
        if (!pool.awaitTermination(30, TimeUnit.MINUTES)) {
            throw new IllegalStateException("creating took over 30 minutes");
        }
    }

    private static void awaitBound(AtomicInteger bound, int expected) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(30);
        while (bound.get() < expected) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("only " + bound.get() + " of " + expected + " pods bound");
            }
            Thread.sleep(10);
        }
    }

    /** scheduler_perf's node-default.yaml: 4 cpu, 32 GiB, 110 pods, Ready; allocatable defaults to capacity. */
    private static Node defaultNode(int i) {
        return new NodeBuilder().withNewMetadata().withName("node-" + i).addToLabels("kubernetes.io/hostname",
                        "node-" + i).endMetadata().withNewSpec().endSpec().withNewStatus()
                .withCapacity(Map.of("pods", new Quantity("110"), "cpu", new Quantity("4"),
                        "memory", new Quantity("32Gi")))
                .addNewCondition().withType("Ready").withStatus("True").endCondition().withPhase("Running").endStatus()
                .build();
    }

    /** scheduler_perf's pod-default.yaml: one pause container, 100m cpu and 500 MiB requested and limited. */
    private static Pod defaultPod(String name) {
        Map<String, Quantity> resources = Map.of("cpu", new Quantity("100m"), "memory", new Quantity("500Mi"));
        return new PodBuilder().withNewMetadata().withName(name).endMetadata().withNewSpec().addNewContainer()
                .withName("pause").withImage("registry.k8s.io/pause:3.10").addNewPort().withContainerPort(80).endPort()
                .withNewResources().withRequests(resources).withLimits(resources).endResources().endContainer()
                .endSpec().build();
    }

    /** scheduler_perf's pod-with-node-affinity.yaml: required zone In [zone1, zone2]. */
    private static Pod zoneAffinityPod(String name) {
        return new PodBuilder(defaultPod(name)).editSpec().withNewAffinity().withNewNodeAffinity()
                .withNewRequiredDuringSchedulingIgnoredDuringExecution().addNewNodeSelectorTerm()
                .addNewMatchExpression().withKey("topology.kubernetes.io/zone").withOperator("In")
                .withValues(Arrays.asList("zone1", "zone2")).endMatchExpression().endNodeSelectorTerm()
                .endRequiredDuringSchedulingIgnoredDuringExecution().endNodeAffinity().endAffinity().endSpec().build();
    }

    /** scheduler_perf's pod-with-topology-spreading.yaml: color=blue, at most 5 apart across zones. */
    private static Pod spreadingPod(String name) {
        return new PodBuilder(defaultPod(name)).editMetadata().addToLabels("color", "blue").endMetadata().editSpec()
                .addNewTopologySpreadConstraint().withMaxSkew(5).withTopologyKey("topology.kubernetes.io/zone")
                .withWhenUnsatisfiable("DoNotSchedule").withNewLabelSelector().addToMatchLabels("color", "blue")
                .endLabelSelector().endTopologySpreadConstraint().endSpec().build();
    }

    /** scheduler_perf's pod-with-pod-anti-affinity.yaml: no two color=green pods on one host. */
    private static Pod antiAffinityPod(String name) {
        return new PodBuilder(defaultPod(name)).editMetadata().addToLabels("color", "green").addToLabels("name",
                "test").endMetadata().editSpec().withNewAffinity().withNewPodAntiAffinity()
                .addNewRequiredDuringSchedulingIgnoredDuringExecution().withNewLabelSelector()
                .addToMatchLabels("color", "green").endLabelSelector().withTopologyKey("kubernetes.io/hostname")
                .withNamespaces(MEASURED_NAMESPACE, INIT_NAMESPACE).endRequiredDuringSchedulingIgnoredDuringExecution()
                .endPodAntiAffinity().endAffinity().endSpec().build();
    }

    /** scheduler_perf's pod-with-pod-affinity.yaml: with the foo=bar pods, in their zone. */
    private static Pod affinityPod(String name) {
        return new PodBuilder(defaultPod(name)).editMetadata().addToLabels("foo", "bar").endMetadata().editSpec()
                .withNewAffinity().withNewPodAffinity().addNewRequiredDuringSchedulingIgnoredDuringExecution()
                .withNewLabelSelector().addToMatchLabels("foo", "bar").endLabelSelector()
                .withTopologyKey("topology.kubernetes.io/zone").withNamespaces(MEASURED_NAMESPACE, INIT_NAMESPACE)
                .endRequiredDuringSchedulingIgnoredDuringExecution().endPodAffinity().endAffinity().endSpec().build();
    }

    /** A 900m pod of a priority class: four low ones fill a node, and each high one must preempt one. */
    private static Pod priorityPod(String name, String priorityClass) {
        Map<String, Quantity> resources = Map.of("cpu", new Quantity("900m"), "memory", new Quantity("500Mi"));
        return new PodBuilder(defaultPod(name)).editSpec().withPriorityClassName(priorityClass).editFirstContainer()
                .withNewResources().withRequests(resources).withLimits(resources).endResources().endContainer()
                .endSpec().build();
    }

    /** A DaemonSet's pod: required node affinity on metadata.name, one node each. */
    private static Pod daemonPod(String name, String node) {
        return new PodBuilder(defaultPod(name)).editSpec().withNewAffinity().withNewNodeAffinity()
                .withNewRequiredDuringSchedulingIgnoredDuringExecution().addNewNodeSelectorTerm()
                .addNewMatchField().withKey("metadata.name").withOperator("In").withValues(List.of(node))
                .endMatchField().endNodeSelectorTerm().endRequiredDuringSchedulingIgnoredDuringExecution()
                .endNodeAffinity().endAffinity().endSpec().build();
    }
}
