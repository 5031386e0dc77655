package io.keelson.bench;

import com.google.protobuf.ByteString;
import io.keelson.store.KeelsonStore;
import io.keelson.store.Peer;
import io.keelson.store.PutRequest;
import io.keelson.store.StoreConfig;
import io.keelson.store.StoreMember;
import io.keelson.store.mvcc.MvccStore;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Closed-loop put load: {@code clients} logical clients each keep one put outstanding (like etcd's
 * {@code benchmark put}), with 8-byte keys and 256-byte values, against an embedded single-node
 * store or a three-member group in this JVM (fsync on, the default). Prints throughput and latency.
 */
@Command(name = "put-load", mixinStandardHelpOptions = true)
public final class PutLoad implements Callable<Integer> {
    @Option(names = "--members", defaultValue = "1", description = "1 (single node) or 3 (group in this JVM)")
    int members;

    @Option(names = "--clients", split = ",", defaultValue = "1,16,256", description = "concurrent clients, one run each")
    List<Integer> clients;

    @Option(names = "--warmup-seconds", defaultValue = "5")
    int warmupSeconds;

    @Option(names = "--seconds", defaultValue = "15")
    int seconds;

    @Option(names = "--key-space", defaultValue = "100000", description = "distinct 8-byte keys")
    int keySpace;

    @Option(names = "--value-size", defaultValue = "256")
    int valueSize;

    public static void main(String[] args) {
        System.exit(new CommandLine(new PutLoad()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        System.out.printf(Locale.ROOT, "# put load: %d member(s), %d B keys, %d B values, fsync on, %d cores, %s%n",
                members, 8, valueSize, Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        System.out.printf(Locale.ROOT, "%-8s %-8s %12s %10s %10s %10s%n", "members", "clients", "puts/s", "p50 ms",
                "p99 ms", "max ms");
        for (int c : clients) {
            Path dir = Files.createTempDirectory("keelson-bench");
            List<StoreMember> group = open(dir);
            try {
                Result r = run(group, c);
                System.out.printf(Locale.ROOT, "%-8d %-8d %12.0f %10.2f %10.2f %10.2f%n", members, c, r.throughput(),
                        r.p50Ms(), r.p99Ms(), r.maxMs());
            } finally {
                group.forEach(StoreMember::close);
                MvccStore.deleteTree(dir);
            }
        }
        return 0;
    }

    record Result(double throughput, double p50Ms, double p99Ms, double maxMs) {
    }

    private List<StoreMember> open(Path dir) throws IOException, InterruptedException {
        List<StoreMember> out = new ArrayList<>();
        if (members == 1) {
            out.add(KeelsonStore.open(dir.resolve("single")));
            return out;
        }
        List<Peer> peers = new ArrayList<>();
        for (int i = 1; i <= members; i++) {
            try (ServerSocket s = new ServerSocket(0)) {
                peers.add(new Peer("m" + i, "127.0.0.1", s.getLocalPort()));
            }
        }
        for (Peer p : peers) {
            out.add(KeelsonStore.open(StoreConfig.member(dir.resolve(p.name()), p.name(), peers)));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (out.stream().noneMatch(m -> m.status().isLeader())) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no leader elected");
            }
            Thread.sleep(20);
        }
        return out;
    }

    private Result run(List<StoreMember> group, int clientCount) throws InterruptedException {
        Recorder recorder = new Recorder(3);
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong completed = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        ByteString value = ByteString.copyFrom(new byte[valueSize]);
        for (int c = 0; c < clientCount; c++) {
            StoreMember target = group.get(c % group.size());
            new Client(target, value, c, recorder, running, completed, failed).next();
        }
        Thread.sleep(TimeUnit.SECONDS.toMillis(warmupSeconds));
        recorder.getIntervalHistogram(); // drop warm-up samples
        long startCount = completed.get();
        long startCpu = JvmStats.cpuNanos();
        long start = System.nanoTime();
        Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
        Histogram h = recorder.getIntervalHistogram();
        long elapsed = System.nanoTime() - start;
        long count = completed.get() - startCount;
        long cpu = JvmStats.cpuNanos() - startCpu;
        running.set(false);
        Thread.sleep(500);
        if (failed.get() > 0) {
            System.out.println("# failed puts: " + failed.get());
        }
        System.out.printf(Locale.ROOT, "# %d clients: %.2f cores busy, %.0f us CPU per put%n", clientCount,
                (double) cpu / elapsed, count == 0 ? 0 : cpu / 1000.0 / count);
        return new Result(count * 1e9 / elapsed, h.getValueAtPercentile(50) / 1e6, h.getValueAtPercentile(99) / 1e6,
                h.getMaxValue() / 1e6);
    }

    /** One logical client: issues its next put when the previous one completes. */
    private final class Client {
        private final StoreMember store;
        private final ByteString value;
        private final Recorder recorder;
        private final AtomicBoolean running;
        private final AtomicLong completed;
        private final AtomicLong failed;
        private long sequence;

        Client(StoreMember store, ByteString value, int id, Recorder recorder, AtomicBoolean running,
               AtomicLong completed, AtomicLong failed) {
            this.store = store;
            this.value = value;
            this.recorder = recorder;
            this.running = running;
            this.completed = completed;
            this.failed = failed;
            this.sequence = id * 7919L;
        }

        void next() {
            if (!running.get()) {
                return;
            }
            byte[] key = ByteBuffer.allocate(8).putLong(sequence++ % keySpace).array();
            long start = System.nanoTime();
            store.put(PutRequest.of(ByteString.copyFrom(key), value)).whenComplete((r, e) -> {
                if (e == null) {
                    recorder.recordValue(System.nanoTime() - start);
                    completed.incrementAndGet();
                } else {
                    failed.incrementAndGet();
                }
                next();
            });
        }
    }
}
