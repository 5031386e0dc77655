package io.keelson.bench;

import com.google.protobuf.ByteString;
import io.keelson.store.KeelsonStore;
import io.keelson.store.RangeRequest;
import io.keelson.store.RangeResponse;
import io.keelson.store.StoreMember;
import io.keelson.store.mvcc.MvccStore;
import io.keelson.watch.CacheList;
import io.keelson.watch.CacheSource;
import io.keelson.watch.ListOptions;
import io.keelson.watch.WatchCache;
import io.keelson.watch.WatchCacheConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Listing 50,000 objects (256-byte values) of one prefix: from the watch cache (any, and consistent, which adds
 * a linearizable revision read) versus straight from the embedded store (linearizable and serializable range).
 * Run with {@code -prof gc} for allocation per list.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Djava.util.concurrent.ForkJoinPool.common.parallelism=4", "-Xmx4g"})
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
public class CacheListBenchmark {
    private static final String PREFIX = CacheFanoutLoad.PREFIX;
    private static final int OBJECTS = 50_000;

    private Path dir;
    private StoreMember store;
    private WatchCache cache;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        dir = Files.createTempDirectory("keelson-list-bench");
        store = KeelsonStore.open(dir);
        CacheFanoutLoad.putObjects(store, OBJECTS, ByteString.copyFrom(new byte[256]));
        cache = WatchCache.create(CacheSource.of(store), WatchCacheConfig.forPrefix(PREFIX));
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        cache.close();
        store.close();
        MvccStore.deleteTree(dir);
    }

    @Benchmark
    public CacheList cacheAny() {
        return check(cache.list(ListOptions.any()));
    }

    @Benchmark
    public CacheList cacheConsistent() {
        return check(cache.list(ListOptions.consistent()));
    }

    @Benchmark
    public RangeResponse storeLinearizable() {
        return check(store.range(RangeRequest.prefix(PREFIX)).join());
    }

    @Benchmark
    public RangeResponse storeSerializable() {
        return check(store.range(RangeRequest.prefix(PREFIX).withSerializable()).join());
    }

    private static CacheList check(CacheList list) {
        if (list.items().size() != OBJECTS) {
            throw new IllegalStateException("listed " + list.items().size());
        }
        return list;
    }

    private static RangeResponse check(RangeResponse range) {
        if (range.kvs().size() != OBJECTS) {
            throw new IllegalStateException("ranged " + range.kvs().size());
        }
        return range;
    }
}
