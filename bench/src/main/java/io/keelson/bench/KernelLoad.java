package io.keelson.bench;

import com.google.protobuf.ByteString;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.keelson.kernel.ApiException;
import io.keelson.kernel.Kernel;
import io.keelson.kernel.Resources;
import io.keelson.kernel.informer.EventHandler;
import io.keelson.kernel.informer.InformerFactory;
import io.keelson.kernel.informer.SharedInformer;
import io.keelson.store.KeelsonStore;
import io.keelson.store.PutRequest;
import io.keelson.store.StoreMember;
import io.keelson.store.mvcc.MvccStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The kernel's benchmarks (issue: kernel API machinery), on an embedded single-node store (fsync on):
 * <ul>
 *   <li>{@code write}: creates, then conflict-checked updates (read, change a label, update with the
 *       resourceVersion read) of a realistic pod through {@code Kernel.resources(Pod.class)}, by 1, 16 and 100
 *       blocking callers, beside the raw store's put rate for a value of the same size in the same run;</li>
 *   <li>{@code latency}: write to informer-handler latency at a paced write rate;</li>
 *   <li>{@code memory}: heap per cached pod and node (watch caches plus informers) for 100,000 pods and 5,000
 *       nodes.</li>
 * </ul>
 */
@Command(name = "kernel-load", mixinStandardHelpOptions = true)
public final class KernelLoad implements Callable<Integer> {
    /** Threads that start asynchronous operations: each does the kernel's checks and encoding of its creates. */
    private static final int ASYNC_DRIVERS = 2;

    @Parameters(index = "0", description = "write, latency or memory")
    String mode;

    @Option(names = "--callers", split = ",", defaultValue = "1,16,100")
    List<Integer> callers;

    @Option(names = "--ops", split = ",", defaultValue = "create,create-async,update,put,put-async",
            description = "write: which rows to measure (update needs a create row before it)")
    List<String> ops;

    @Option(names = "--warmup-seconds", defaultValue = "5")
    int warmupSeconds;

    @Option(names = "--seconds", defaultValue = "15")
    int seconds;

    @Option(names = "--rate", defaultValue = "5000", description = "latency: writes per second")
    int rate;

    @Option(names = "--pods", defaultValue = "100000")
    int pods;

    @Option(names = "--nodes", defaultValue = "5000")
    int nodes;

    public static void main(String[] args) {
        System.exit(new CommandLine(new KernelLoad()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        System.out.printf(Locale.ROOT, "# kernel %s: single-node store, fsync on, %d cores, %s, max heap %d MiB%n", mode,
                Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.vm.name") + " " + System.getProperty("java.version"),
                Runtime.getRuntime().maxMemory() >> 20);
        switch (mode) {
            case "write" -> write();
            case "latency" -> latency();
            case "memory" -> memory();
            default -> throw new CommandLine.ParameterException(new CommandLine(this), "unknown mode " + mode);
        }
        return 0;
    }

    /** A fresh store and kernel in a temporary directory. */
    private record Setup(Path dir, StoreMember store, Kernel kernel) implements AutoCloseable {
        static Setup open() throws Exception {
            Path dir = Files.createTempDirectory("keelson-kernel-bench");
            StoreMember store = KeelsonStore.open(dir.resolve("store"));
            Kernel kernel = Kernel.builder().store(store).build();
            kernel.resources(Namespace.class).create(new NamespaceBuilder().withNewMetadata().withName("bench")
                    .endMetadata().build());
            return new Setup(dir, store, kernel);
        }

        @Override
        public void close() throws Exception {
            kernel.close();
            store.close();
            MvccStore.deleteTree(dir);
        }
    }

    private void write() throws Exception {
        List<String> known = List.of("create", "create-async", "update", "put", "put-async");
        boolean creates = ops.contains("create") || ops.contains("create-async");
        if (!known.containsAll(ops) || ops.contains("update") && !creates) {
            throw new CommandLine.ParameterException(new CommandLine(this),
                    "--ops takes " + String.join(", ", known) + "; update needs create or create-async before it");
        }
        int podBytes = tools.jackson.databind.json.JsonMapper.builder().build().writeValueAsBytes(KernelObjects.pod("p")).length;
        System.out.printf(Locale.ROOT, "# pod JSON as stored: about %d bytes%n", podBytes);
        System.out.printf(Locale.ROOT, "%-16s %-8s %12s %10s %10s %10s %12s%n", "op", "callers", "ops/s", "p50 ms",
                "p99 ms", "max ms", "CPU/op us");
        for (int c : callers) {
            try (Setup s = Setup.open()) {
                Resources<Pod> pods = s.kernel().resources(Pod.class).inNamespace("bench");
                pods.list(io.keelson.kernel.ListRequest.all().limit(1)); // the pods' watch cache runs from the start
                AtomicLong names = new AtomicLong();
                // each caller reuses its own pod, renamed: create copies what it is given
                if (ops.contains("create")) {
                    print("create", c, measure(c, caller -> {
                        caller.pod.getMetadata().setName("p-" + names.incrementAndGet());
                        pods.create(caller.pod);
                    }));
                }
                // createAsync has copied what it is given when it returns: each driver thread reuses its pod too
                ThreadLocal<Pod> driverPod = ThreadLocal.withInitial(() -> KernelObjects.pod("template"));
                if (ops.contains("create-async")) {
                    print("create async", c, measureAsync(c, () -> {
                        Pod pod = driverPod.get();
                        pod.getMetadata().setName("p-" + names.incrementAndGet());
                        return pods.createAsync(pod);
                    }));
                }
                long created = names.get();
                if (ops.contains("update")) {
                    print("update", c, measure(c, caller -> {
                        String name = "p-" + (1 + Math.floorMod(caller.sequence++ * 7919L + caller.id, created));
                        while (true) {
                            Pod p = pods.get(name); // a consistent read, as a client's conflict retry loop does
                            p.getMetadata().getLabels().put("round", Long.toString(caller.sequence));
                            try {
                                pods.update(p);
                                return;
                            } catch (ApiException e) {
                                if (!e.isConflict()) {
                                    throw e;
                                }
                                caller.conflicts++;
                            }
                        }
                    }));
                }
                ByteString value = ByteString.copyFrom(new byte[podBytes]);
                if (ops.contains("put")) {
                    print("store put", c, measure(c, caller -> s.store().put(PutRequest.of(ByteString.copyFromUtf8(
                            "/bench/" + caller.id + "/" + (caller.sequence++ % 10_000)), value)).get()));
                }
                if (ops.contains("put-async")) {
                    print("store put async", c, measureAsync(c, () -> s.store().put(PutRequest.of(
                            ByteString.copyFromUtf8("/bench/async/" + (names.incrementAndGet() % 100_000)), value))));
                }
            }
        }
    }

    /** One caller's state. */
    private static final class Caller {
        final int id;
        final Pod pod = KernelObjects.pod("template");
        long sequence;
        long conflicts;

        Caller(int id) {
            this.id = id;
        }
    }

    private interface Operation {
        void run(Caller caller) throws Exception;
    }

    private record Result(double throughput, Histogram latency, double cpuMicrosPerOp, long failures, long conflicts) {
    }

    /** {@code callers} threads run the operation back to back; warm-up samples are dropped. */
    private Result measure(int callerCount, Operation op) throws Exception {
        Recorder recorder = new Recorder(3);
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong completed = new AtomicLong();
        AtomicLong failures = new AtomicLong();
        List<Caller> state = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < callerCount; i++) {
            Caller caller = new Caller(i);
            state.add(caller);
            Thread t = new Thread(() -> {
                while (running.get()) {
                    long start = System.nanoTime();
                    try {
                        op.run(caller);
                        recorder.recordValue(System.nanoTime() - start);
                        completed.incrementAndGet();
                    } catch (Exception e) {
                        if (failures.incrementAndGet() == 1) {
                            System.out.println("# first failure: " + e);
                        }
                    }
                }
            });
            threads.add(t);
            t.start();
        }
        Window w = window(recorder, completed);
        running.set(false);
        for (Thread t : threads) {
            t.join();
        }
        long conflicts = state.stream().mapToLong(c -> c.conflicts).sum();
        return new Result(w.throughput(), w.latency(), w.cpuMicrosPerOp(), failures.get(), conflicts);
    }

    /** What the measured window saw: operations per second, their latencies, and process CPU per operation. */
    private record Window(double throughput, Histogram latency, double cpuMicrosPerOp) {
    }

    /** Waits out the warm-up, dropping its samples, then measures for {@code seconds}. */
    private Window window(Recorder recorder, AtomicLong completed) throws InterruptedException {
        Thread.sleep(TimeUnit.SECONDS.toMillis(warmupSeconds));
        recorder.getIntervalHistogram();
        long startCount = completed.get();
        long startCpu = JvmStats.cpuNanos();
        long start = System.nanoTime();
        Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
        Histogram h = recorder.getIntervalHistogram();
        long elapsed = System.nanoTime() - start;
        long count = completed.get() - startCount;
        long cpu = JvmStats.cpuNanos() - startCpu;
        return new Window(count * 1e9 / elapsed, h, count == 0 ? 0 : cpu / 1000.0 / count);
    }

    /**
     * {@link #ASYNC_DRIVERS} threads keep {@code inFlight} asynchronous operations outstanding between them (each
     * starts the next one as soon as one finishes); warm-up samples are dropped.
     */
    private Result measureAsync(int inFlight, Callable<CompletableFuture<?>> op) throws Exception {
        Recorder recorder = new Recorder(3);
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong completed = new AtomicLong();
        AtomicLong failures = new AtomicLong();
        Semaphore slots = new Semaphore(inFlight);
        Runnable drive = () -> {
            while (running.get()) {
                try {
                    slots.acquire();
                    long start = System.nanoTime();
                    op.call().whenComplete((r, e) -> {
                        if (e == null) {
                            recorder.recordValue(System.nanoTime() - start);
                            completed.incrementAndGet();
                        } else if (failures.incrementAndGet() == 1) {
                            System.out.println("# first failure: " + e);
                        }
                        slots.release();
                    });
                } catch (Exception e) {
                    slots.release();
                    if (failures.incrementAndGet() == 1) {
                        System.out.println("# first failure: " + e);
                    }
                }
            }
        };
        List<Thread> drivers = new ArrayList<>();
        for (int i = 0; i < ASYNC_DRIVERS; i++) {
            Thread t = new Thread(drive);
            drivers.add(t);
            t.start();
        }
        Window w = window(recorder, completed);
        running.set(false);
        for (Thread t : drivers) {
            t.join();
        }
        slots.acquire(inFlight);
        return new Result(w.throughput(), w.latency(), w.cpuMicrosPerOp(), failures.get(), 0);
    }

    private static void print(String op, int callers, Result r) {
        System.out.printf(Locale.ROOT, "%-16s %-8d %12.0f %10.2f %10.2f %10.2f %12.0f%s%n", op, callers, r.throughput(),
                r.latency().getValueAtPercentile(50) / 1e6, r.latency().getValueAtPercentile(99) / 1e6,
                r.latency().getMaxValue() / 1e6, r.cpuMicrosPerOp(),
                (r.failures() > 0 ? "  failures " + r.failures() : "") + (r.conflicts() > 0 ? "  conflicts " + r.conflicts() : ""));
    }

    /** Paced writers create and update ConfigMaps; an informer handler measures each change's delay. */
    private void latency() throws Exception {
        try (Setup s = Setup.open(); InformerFactory informers = InformerFactory.builder(s.kernel()).build()) {
            Resources<ConfigMap> cms = s.kernel().resources(ConfigMap.class).inNamespace("bench");
            Recorder recorder = new Recorder(3);
            Recorder fromAck = new Recorder(3);
            AtomicBoolean measuring = new AtomicBoolean();
            // per resourceVersion, whichever of "acknowledged to the writer" and "seen by the handler" comes first
            java.util.concurrent.ConcurrentHashMap<String, long[]> meeting = new java.util.concurrent.ConcurrentHashMap<>();
            SharedInformer<ConfigMap> informer = informers.forType(ConfigMap.class);
            informer.addEventHandler(new EventHandler<>() {
                @Override
                public void onAdd(ConfigMap o, boolean initialList) {
                    record(o);
                }

                @Override
                public void onUpdate(ConfigMap old, ConfigMap current) {
                    record(current);
                }

                private void record(ConfigMap o) {
                    String sent = o.getData() == null ? null : o.getData().get("sent");
                    if (sent != null && measuring.get()) {
                        long now = System.nanoTime();
                        recorder.recordValue(Math.max(0, now - Long.parseLong(sent)));
                        meet(meeting, fromAck, o.getMetadata().getResourceVersion(), 1, now);
                    }
                }
            });
            informers.startAll().get(30, TimeUnit.SECONDS);
            int writers = 64;
            AtomicBoolean running = new AtomicBoolean(true);
            AtomicLong written = new AtomicLong();
            long intervalNanos = TimeUnit.SECONDS.toNanos(1) * writers / rate;
            List<Thread> threads = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                int id = w;
                Thread t = new Thread(() -> {
                    long next = System.nanoTime() + id * intervalNanos / writers;
                    for (long i = 0; running.get(); i++) {
                        long now = System.nanoTime();
                        if (now < next) {
                            java.util.concurrent.locks.LockSupport.parkNanos(next - now);
                        }
                        next += intervalNanos;
                        String name = "c-" + id + "-" + (i % 50);
                        ConfigMap c = new ConfigMapBuilder().withNewMetadata().withName(name).endMetadata()
                                .addToData("sent", Long.toString(System.nanoTime())).build();
                        try {
                            ConfigMap stored = i < 50 ? cms.create(c)
                                    : cms.update(c); // no resourceVersion: unconditional, as a status writer might
                            if (measuring.get()) {
                                meet(meeting, fromAck, stored.getMetadata().getResourceVersion(), 0, System.nanoTime());
                            }
                            written.incrementAndGet();
                        } catch (ApiException e) {
                            // a conflict on an unconditional update after retries: skip
                        }
                    }
                });
                threads.add(t);
                t.start();
            }
            Thread.sleep(TimeUnit.SECONDS.toMillis(warmupSeconds));
            measuring.set(true);
            recorder.getIntervalHistogram();
            long start = System.nanoTime();
            long startWritten = written.get();
            Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
            Histogram h = recorder.getIntervalHistogram();
            Histogram acked = fromAck.getIntervalHistogram();
            double achieved = (written.get() - startWritten) * 1e9 / (System.nanoTime() - start);
            running.set(false);
            for (Thread t : threads) {
                t.join();
            }
            System.out.printf(Locale.ROOT, "%-26s %-12s %-12s %10s %10s %10s %10s%n", "measured from", "target w/s",
                    "achieved w/s", "p50 ms", "p99 ms", "p99.9 ms", "max ms");
            for (var row : List.of(java.util.Map.entry("the write call", h), java.util.Map.entry("its acknowledgement",
                    acked))) {
                Histogram x = row.getValue();
                System.out.printf(Locale.ROOT, "%-26s %-12d %-12.0f %10.2f %10.2f %10.2f %10.2f%n", row.getKey(), rate,
                        achieved, x.getValueAtPercentile(50) / 1e6, x.getValueAtPercentile(99) / 1e6,
                        x.getValueAtPercentile(99.9) / 1e6, x.getMaxValue() / 1e6);
            }
        }
    }

    /**
     * Records handler time minus acknowledgement time for one resourceVersion, once both sides have reported;
     * a handler that ran before the writer got its acknowledgement counts as zero.
     */
    private static void meet(java.util.concurrent.ConcurrentHashMap<String, long[]> meeting, Recorder recorder,
                             String rv, int side, long now) {
        meeting.compute(rv, (k, first) -> {
            if (first == null) {
                return new long[] {side, now};
            }
            long ack = side == 0 ? now : first[1];
            long handled = side == 1 ? now : first[1];
            recorder.recordValue(Math.max(0, handled - ack));
            return null;
        });
    }

    /** Creates the objects, caches them in informers, and reports the heap they take after full collections. */
    private void memory() throws Exception {
        try (Setup s = Setup.open()) {
            long before = JvmStats.usedHeapAfterGc();
            Resources<Pod> podResources = s.kernel().resources(Pod.class).inNamespace("bench");
            Resources<Node> nodeResources = s.kernel().resources(Node.class);
            parallel(32, nodes, i -> nodeResources.create(KernelObjects.node("node-" + i, i % 3)));
            parallel(64, pods, i -> podResources.create(KernelObjects.pod("p-" + i)));
            long stored = JvmStats.usedHeapAfterGc();
            try (InformerFactory informers = InformerFactory.builder(s.kernel()).build()) {
                SharedInformer<Pod> podInformer = informers.forType(Pod.class);
                SharedInformer<Node> nodeInformer = informers.forType(Node.class);
                informers.startAll().get(10, TimeUnit.MINUTES);
                long cached = JvmStats.usedHeapAfterGc();
                System.out.printf(Locale.ROOT, "%-28s %12s %14s%n", "", "heap MiB", "per object KiB");
                System.out.printf(Locale.ROOT, "%-28s %12.0f %14.2f%n", "watch caches (after writes)",
                        (stored - before) / 1048576.0, (stored - before) / 1024.0 / (pods + nodes));
                System.out.printf(Locale.ROOT, "%-28s %12.0f %14.2f%n", "+ informers (decoded objects)",
                        (cached - before) / 1048576.0, (cached - before) / 1024.0 / (pods + nodes));
                System.out.printf(Locale.ROOT, "# cached: %d pods, %d nodes%n", podInformer.cache().size(),
                        nodeInformer.cache().size());
            }
        }
    }

    private interface Indexed {
        void run(int i) throws Exception;
    }

    private static void parallel(int threads, int count, Indexed op) throws InterruptedException {
        AtomicLong next = new AtomicLong();
        List<Thread> workers = new ArrayList<>();
        long start = System.nanoTime();
        for (int t = 0; t < threads; t++) {
            Thread w = new Thread(() -> {
                for (long i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
                    try {
                        op.run((int) i);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }
            });
            workers.add(w);
            w.start();
        }
        for (Thread w : workers) {
            w.join();
        }
        System.out.printf(Locale.ROOT, "# wrote %d objects in %.1f s%n", count, (System.nanoTime() - start) / 1e9);
    }
}
