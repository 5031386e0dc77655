package io.keelson.bench;

import com.google.protobuf.ByteString;
import io.keelson.store.Event;
import io.keelson.store.KeelsonStore;
import io.keelson.store.PutRequest;
import io.keelson.store.StoreMember;
import io.keelson.store.Watch;
import io.keelson.store.WatchRequest;
import io.keelson.store.WatchResponse;
import io.keelson.store.mvcc.MvccStore;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Watch fan-out on an embedded single-node store: {@code watchers} watches, either all on one prefix
 * or each on its own key, while a writer puts at a steady rate. Each value carries its submission
 * time, so a listener measures submit-to-delivery latency (which includes the Raft commit). With
 * {@code --memory} it measures retained heap per idle watcher instead.
 */
@Command(name = "watch-load", mixinStandardHelpOptions = true)
public final class WatchLoad implements Callable<Integer> {
    enum Mode { prefix, keys }

    @Option(names = "--mode", defaultValue = "prefix", description = "prefix: all watch one prefix; keys: one key each")
    Mode mode;

    @Option(names = "--watchers", defaultValue = "10000")
    int watchers;

    @Option(names = "--rate", defaultValue = "50", description = "puts per second")
    int rate;

    @Option(names = "--warmup-seconds", defaultValue = "5")
    int warmupSeconds;

    @Option(names = "--seconds", defaultValue = "15")
    int seconds;

    @Option(names = "--memory", description = "measure heap per idle watcher instead of throughput")
    boolean memory;

    public static void main(String[] args) {
        System.exit(new CommandLine(new WatchLoad()).execute(args));
    }

    private static ByteString key(int i) {
        return ByteString.copyFrom(ByteBuffer.allocate(12).putInt(0x77617463).putLong(i).array()); // "watc" + i
    }

    @Override
    public Integer call() throws Exception {
        Path dir = Files.createTempDirectory("keelson-watch-bench");
        try (StoreMember store = KeelsonStore.open(dir)) {
            if (memory) {
                measureMemory(store);
            } else {
                measureFanOut(store);
            }
        } finally {
            MvccStore.deleteTree(dir);
        }
        return 0;
    }

    private void measureMemory(StoreMember store) throws InterruptedException {
        long before = usedHeapAfterGc();
        List<Watch> handles = new ArrayList<>(watchers);
        Consumer<WatchResponse> ignore = r -> { };
        for (int i = 0; i < watchers; i++) {
            handles.add(store.watch(WatchRequest.key(key(i)), ignore));
        }
        Thread.sleep(1000); // let the CREATED responses drain; idle watchers then hold no buffers
        long after = usedHeapAfterGc();
        System.out.printf(Locale.ROOT, "# %d idle watchers on distinct 12-byte keys: heap %+.1f MiB, %.0f bytes per watcher%n",
                watchers, (after - before) / 1048576.0, (double) (after - before) / watchers);
        System.out.println("# (the watch handles are kept reachable: " + handles.size() + ")");
    }

    static long usedHeapAfterGc() throws InterruptedException {
        var mem = ManagementFactory.getMemoryMXBean();
        for (int i = 0; i < 4; i++) {
            System.gc();
            Thread.sleep(200);
        }
        return mem.getHeapMemoryUsage().getUsed();
    }

    private void measureFanOut(StoreMember store) throws InterruptedException {
        Recorder latency = new Recorder(3);
        LongAdder delivered = new LongAdder();
        Consumer<WatchResponse> listener = r -> {
            long now = System.nanoTime();
            for (Event e : r.events()) {
                latency.recordValue(Math.max(0, now - e.kv().value().asReadOnlyByteBuffer().getLong()));
                delivered.increment();
            }
        };
        ByteString prefix = key(0).substring(0, 4);
        for (int i = 0; i < watchers; i++) {
            store.watch(mode == Mode.prefix ? WatchRequest.prefix(prefix) : WatchRequest.key(key(i)), listener);
        }
        long intervalNanos = TimeUnit.SECONDS.toNanos(1) / rate;
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(warmupSeconds + seconds);
        long measureFrom = System.nanoTime() + TimeUnit.SECONDS.toNanos(warmupSeconds);
        long next = System.nanoTime();
        long startDelivered = 0;
        long startNanos = 0;
        boolean measuring = false;
        int i = 0;
        while (System.nanoTime() < end) {
            if (!measuring && System.nanoTime() >= measureFrom) {
                latency.getIntervalHistogram();
                startDelivered = delivered.sum();
                startNanos = System.nanoTime();
                measuring = true;
            }
            long now = System.nanoTime();
            if (now < next) {
                TimeUnit.NANOSECONDS.sleep(next - now);
            }
            next += intervalNanos;
            ByteString value = ByteString.copyFrom(ByteBuffer.allocate(8).putLong(System.nanoTime()).array());
            store.put(PutRequest.of(key(i++ % watchers), value));
        }
        long elapsed = System.nanoTime() - startNanos;
        Histogram h = latency.getIntervalHistogram();
        long events = delivered.sum() - startDelivered;
        System.out.printf(Locale.ROOT, "%-7s %9s %8s %14s %10s %10s %10s%n", "mode", "watchers", "puts/s",
                "events/s", "p50 ms", "p99 ms", "max ms");
        System.out.printf(Locale.ROOT, "%-7s %9d %8d %14.0f %10.2f %10.2f %10.2f%n", mode, watchers, rate,
                events * 1e9 / elapsed, h.getValueAtPercentile(50) / 1e6, h.getValueAtPercentile(99) / 1e6,
                h.getMaxValue() / 1e6);
    }
}
