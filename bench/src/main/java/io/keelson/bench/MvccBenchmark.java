package io.keelson.bench;

import com.google.protobuf.ByteString;
import io.keelson.store.PutRequest;
import io.keelson.store.RangeRequest;
import io.keelson.store.RangeResponse;
import io.keelson.store.ResponseHeader;
import io.keelson.store.mvcc.Command;
import io.keelson.store.mvcc.MvccStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The MVCC layer without Raft: applying one Raft entry of {@code batch} puts (8-byte keys, 256-byte
 * values) into RocksDB, and a point read of the current value of one key.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = "-Djava.util.concurrent.ForkJoinPool.common.parallelism=4")
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
public class MvccBenchmark {
    private static final int KEYS = 100_000;
    private static final MvccStore.HeaderFactory HEADERS = rev -> new ResponseHeader(1, 1, rev, 1);

    /** Puts per Raft entry for the apply benchmark. */
    @State(Scope.Benchmark)
    public static class Batch {
        @Param({"1", "128"})
        public int size;
    }

    private Path dir;
    private MvccStore store;
    private long index;
    private long next;
    private final ByteString value = ByteString.copyFrom(new byte[256]);

    @Setup(Level.Trial)
    public void open() throws IOException {
        dir = Files.createTempDirectory("keelson-jmh");
        store = MvccStore.open(dir);
        // preload every key once so reads hit and puts update
        for (int i = 0; i < KEYS; i += 1000) {
            List<Command> commands = new ArrayList<>();
            for (int k = i; k < i + 1000; k++) {
                commands.add(new Command.Write(PutRequest.of(key(k), value)));
            }
            store.apply(commands, ++index, 1, HEADERS);
        }
    }

    private static ByteString key(long k) {
        return ByteString.copyFrom(ByteBuffer.allocate(8).putLong(k).array());
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        store.close();
        MvccStore.deleteTree(dir);
    }

    /** Throughput in puts/s: each invocation applies one entry of {@code batch} puts. */
    @Benchmark
    @OperationsPerInvocation(128)
    public MvccStore.Applied applyBatchOfPuts(Batch b) {
        int batch = b.size;
        List<Command> commands = new ArrayList<>(batch);
        for (int i = 0; i < batch; i++) {
            commands.add(new Command.Write(PutRequest.of(key(next++ % KEYS), value)));
        }
        // normalise to 128 operations per invocation whatever the batch size
        MvccStore.Applied last = null;
        for (int n = 0; n < 128 / batch; n++) {
            last = store.apply(commands, ++index, 1, HEADERS);
        }
        return last;
    }

    @Benchmark
    public RangeResponse pointReadCurrent() {
        return store.range(RangeRequest.key(key(next++ % KEYS)), HEADERS);
    }
}
