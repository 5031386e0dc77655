package io.keelson.bench;

import com.google.protobuf.ByteString;
import io.keelson.store.KeelsonStore;
import io.keelson.store.PutRequest;
import io.keelson.store.StoreMember;
import io.keelson.store.mvcc.MvccStore;
import io.keelson.watch.CacheEvent;
import io.keelson.watch.CacheSource;
import io.keelson.watch.CacheWatch;
import io.keelson.watch.WatchCache;
import io.keelson.watch.WatchCacheConfig;
import io.keelson.watch.WatchOptions;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Watch-cache fan-out: an embedded single-node store holding {@code --objects} objects under one prefix, one
 * {@link WatchCache} over it, {@code --watchers} in-process watchers on the whole prefix, and a writer updating
 * random objects at a steady {@code --rate}. Reports events delivered per second and write-to-delivery latency
 * (from submitting the put to the listener receiving the event, so it includes the commit), the store's own
 * put latency for comparison, and heap per idle watcher.
 */
@Command(name = "cache-load", mixinStandardHelpOptions = true)
public final class CacheFanoutLoad implements Callable<Integer> {
    static final String PREFIX = "/registry/bench/";

    @Option(names = "--watchers", defaultValue = "10000")
    int watchers;

    @Option(names = "--objects", defaultValue = "50000")
    int objects;

    @Option(names = "--rate", defaultValue = "100", description = "puts per second")
    int rate;

    @Option(names = "--value-bytes", defaultValue = "256")
    int valueBytes;

    @Option(names = "--warmup-seconds", defaultValue = "10")
    int warmupSeconds;

    @Option(names = "--seconds", defaultValue = "20")
    int seconds;

    public static void main(String[] args) {
        System.exit(new CommandLine(new CacheFanoutLoad()).execute(args));
    }

    private static String key(int i) {
        return String.format(Locale.ROOT, "%sobj-%06d", PREFIX, i);
    }

    private ByteString value(long stamp) {
        return ByteString.copyFrom(ByteBuffer.allocate(valueBytes).putLong(stamp).array());
    }

    @Override
    public Integer call() throws Exception {
        Path dir = Files.createTempDirectory("keelson-cache-bench");
        try (StoreMember store = KeelsonStore.open(dir)) {
            putObjects(store, objects, value(0));
            try (WatchCache cache = WatchCache.create(CacheSource.of(store), WatchCacheConfig.forPrefix(PREFIX))) {
                run(store, cache);
            }
        } finally {
            MvccStore.deleteTree(dir);
        }
        return 0;
    }

    /** Puts {@code count} objects with {@code value} under {@link #PREFIX}, 256 in flight at a time. */
    static void putObjects(StoreMember store, int count, ByteString value) {
        List<CompletableFuture<?>> pending = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            pending.add(store.put(PutRequest.of(ByteString.copyFromUtf8(key(i)), value)));
            if (pending.size() == 256) {
                CompletableFuture.allOf(pending.toArray(new CompletableFuture<?>[0])).join();
                pending.clear();
            }
        }
        CompletableFuture.allOf(pending.toArray(new CompletableFuture<?>[0])).join();
    }

    private void run(StoreMember store, WatchCache cache) throws InterruptedException {
        Recorder delivery = new Recorder(3);
        Recorder commit = new Recorder(3);
        LongAdder delivered = new LongAdder();
        LongAdder ended = new LongAdder();
        Consumer<CacheEvent> listener = e -> {
            if (e.isChange()) {
                long sent = e.object().value().asReadOnlyByteBuffer().getLong();
                delivery.recordValue(Math.max(0, System.nanoTime() - sent));
                delivered.increment();
            } else if (e.type() == CacheEvent.Type.ENDED) {
                ended.increment();
            }
        };
        long before = WatchLoad.usedHeapAfterGc();
        List<CacheWatch> handles = new ArrayList<>(watchers);
        for (int i = 0; i < watchers; i++) {
            handles.add(cache.watch(WatchOptions.fromNow(), listener));
        }
        long after = WatchLoad.usedHeapAfterGc();
        System.out.printf(Locale.ROOT,
                "# %d objects cached; %d idle watchers: heap %+.1f MiB, %.0f bytes per watcher%n",
                objects, watchers, (after - before) / 1048576.0, (double) (after - before) / watchers);

        long intervalNanos = TimeUnit.SECONDS.toNanos(1) / rate;
        long start = System.nanoTime();
        long measureFrom = start + TimeUnit.SECONDS.toNanos(warmupSeconds);
        long end = measureFrom + TimeUnit.SECONDS.toNanos(seconds);
        long next = start;
        long startDelivered = 0;
        boolean measuring = false;
        java.util.Random random = new java.util.Random(1);
        while (System.nanoTime() < end) {
            if (!measuring && System.nanoTime() >= measureFrom) {
                delivery.getIntervalHistogram();
                commit.getIntervalHistogram();
                startDelivered = delivered.sum();
                measuring = true;
            }
            long now = System.nanoTime();
            if (now < next) {
                TimeUnit.NANOSECONDS.sleep(next - now);
            }
            next += intervalNanos;
            long sent = System.nanoTime();
            store.put(PutRequest.of(ByteString.copyFromUtf8(key(random.nextInt(objects))), value(sent)))
                    .thenRun(() -> commit.recordValue(System.nanoTime() - sent));
        }
        long elapsed = System.nanoTime() - measureFrom;
        Histogram d = delivery.getIntervalHistogram();
        Histogram c = commit.getIntervalHistogram();
        long events = delivered.sum() - startDelivered;
        System.out.printf(Locale.ROOT, "%9s %8s %8s %12s %14s %14s %14s %12s %8s%n", "watchers", "objects", "puts/s",
                "events/s", "deliv p50 ms", "deliv p99 ms", "deliv max ms", "put p99 ms", "ended");
        System.out.printf(Locale.ROOT, "%9d %8d %8d %12.0f %14.2f %14.2f %14.2f %12.2f %8d%n", watchers, objects,
                rate, events * 1e9 / elapsed, d.getValueAtPercentile(50) / 1e6, d.getValueAtPercentile(99) / 1e6,
                d.getMaxValue() / 1e6, c.getValueAtPercentile(99) / 1e6, ended.sum());
        System.out.println("# (watch handles kept reachable: " + handles.size() + ")");
    }
}
