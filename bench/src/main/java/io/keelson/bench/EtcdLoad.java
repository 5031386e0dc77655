package io.keelson.bench;

import com.google.protobuf.ByteString;
import io.etcd.jetcd.api.KVGrpc;
import io.etcd.jetcd.api.PutRequest;
import io.etcd.jetcd.api.RangeRequest;
import io.etcd.jetcd.api.WatchCreateRequest;
import io.etcd.jetcd.api.WatchGrpc;
import io.etcd.jetcd.api.WatchRequest;
import io.etcd.jetcd.api.WatchResponse;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * A load generator for any etcd v3 endpoint (etcd itself or Keelson), over raw gRPC with etcd's
 * protocol classes, so both are driven identically. Closed-loop clients spread over {@code conns}
 * connections round-robin over the endpoints, as etcd's {@code benchmark} tool does. Prints one
 * line per workload: {@code name clients ops/s p50_ms p99_ms}.
 */
@Command(name = "etcd-load", mixinStandardHelpOptions = true)
public final class EtcdLoad implements Callable<Integer> {
    @Option(names = "--endpoints", required = true, split = ",", description = "host:port of every member")
    List<String> endpoints;

    @Option(names = "--conns", defaultValue = "16", description = "gRPC connections")
    int conns;

    @Option(names = "--warmup-seconds", defaultValue = "5")
    int warmupSeconds;

    @Option(names = "--seconds", defaultValue = "15")
    int seconds;

    @Option(names = "--warmup-pass-seconds", defaultValue = "0",
            description = "first run every workload for this long with its figures discarded, in this same process, so"
                    + " that this generator's own JIT compilation is over before anything is measured (0: no such pass)")
    int warmupPassSeconds;

    /** Where the clients' response callbacks run (each records a latency and sends the next request). */
    enum Callbacks { DIRECT, EXECUTOR }

    @Option(names = "--callbacks", defaultValue = "DIRECT",
            description = "DIRECT runs response callbacks on gRPC's transport threads; EXECUTOR hands each to gRPC's"
                    + " default thread pool (rounds one to four of bench/RESULTS.md). Default: ${DEFAULT-VALUE}")
    Callbacks callbacks;

    @Option(names = "--value-size", defaultValue = "256")
    int valueSize;

    @Option(names = "--workloads", split = ",", defaultValue = "put,range-linear,range-serial,watch-latency",
            description = "which workloads to run, in this order: ${DEFAULT-VALUE}")
    List<String> workloads;

    @Option(names = "--put-clients", split = ",", defaultValue = "1,100",
            description = "closed-loop client counts for the put workload: ${DEFAULT-VALUE}")
    List<Integer> putClients;

    public static void main(String[] args) {
        System.exit(new CommandLine(new EtcdLoad()).execute(args));
    }

    private List<ManagedChannel> channels;

    @Override
    public Integer call() throws Exception {
        channels = new ArrayList<>();
        for (int i = 0; i < conns; i++) {
            NettyChannelBuilder channel = NettyChannelBuilder.forTarget(endpoints.get(i % endpoints.size()))
                    .usePlaintext();
            if (callbacks == Callbacks.DIRECT) {
                // the callbacks never block, and a hand-off per response cost this generator a quarter of its
                // CPU, which on a small machine the servers it measures compete for
                channel.directExecutor();
            }
            channels.add(channel.build());
        }
        try {
            if (warmupPassSeconds > 0) {
                runWorkloads(new Pass(0, warmupPassSeconds, false));
            }
            System.out.printf(Locale.ROOT, "%-14s %8s %12s %10s %10s%n", "workload", "clients", "ops/s", "p50_ms",
                    "p99_ms");
            runWorkloads(new Pass(warmupSeconds, seconds, true));
        } finally {
            channels.forEach(ManagedChannel::shutdownNow);
        }
        return 0;
    }

    /** How long a pass warms each workload up and then measures it, and whether it prints its figures. */
    private record Pass(int warmupSeconds, int seconds, boolean reported) {
    }

    private void runWorkloads(Pass pass) throws InterruptedException {
        ByteString value = ByteString.copyFrom(new byte[valueSize]);
        ByteString readKey = key(1);
        for (String workload : workloads) {
            switch (workload) {
                case "put" -> {
                    for (int clients : putClients) {
                        report(pass, "put", clients, run(pass, clients, (stub, done) -> stub.put(PutRequest
                                .newBuilder().setKey(key(ThreadLocalKeys.next())).setValue(value).build(),
                                observer(done))));
                    }
                }
                case "range-linear" -> report(pass, "range-linear", 100, run(pass, 100, (stub, done) -> stub.range(
                        RangeRequest.newBuilder().setKey(readKey).build(), observer(done))));
                case "range-serial" -> report(pass, "range-serial", 100, run(pass, 100, (stub, done) -> stub.range(
                        RangeRequest.newBuilder().setKey(readKey).setSerializable(true).build(), observer(done))));
                case "watch-latency" -> report(pass, "watch-latency", 1, watchLatency(pass));
                default -> throw new CommandLine.ParameterException(new CommandLine(this),
                        "unknown workload: " + workload);
            }
        }
    }

    private static ByteString key(long k) {
        return ByteString.copyFrom(ByteBuffer.allocate(8).putLong(k).array());
    }

    /** Sequential keys over a 100,000-key space, shared by all clients. */
    private static final class ThreadLocalKeys {
        private static final AtomicLong NEXT = new AtomicLong();

        static long next() {
            return NEXT.getAndIncrement() % 100_000;
        }
    }

    private record Result(double opsPerSecond, Histogram latency) {
    }

    /** Failed requests still complete a client's turn; they are counted and reported, never as throughput. */
    private static final AtomicLong ERRORS = new AtomicLong();

    private void report(Pass pass, String name, int clients, Result r) {
        long errors = ERRORS.getAndSet(0);
        if (errors > 0) {
            System.err.printf(Locale.ROOT, "etcd-load: %s with %d clients: %d requests failed%n", name, clients,
                    errors);
        }
        if (!pass.reported()) {
            return;
        }
        System.out.printf(Locale.ROOT, "%-14s %8d %12.0f %10.2f %10.2f%n", name, clients, r.opsPerSecond(),
                r.latency().getValueAtPercentile(50) / 1e6, r.latency().getValueAtPercentile(99) / 1e6);
    }

    private static <T> StreamObserver<T> observer(Runnable done) {
        return new StreamObserver<>() {
            @Override
            public void onNext(T value) {
            }

            @Override
            public void onError(Throwable t) {
                if (ERRORS.getAndIncrement() == 0) {
                    System.err.println("etcd-load: request failed: " + t);
                }
                done.run();
            }

            @Override
            public void onCompleted() {
                done.run();
            }
        };
    }

    /** Runs {@code clients} closed-loop clients of {@code call} and measures the steady part. */
    private Result run(Pass pass, int clients, BiConsumer<KVGrpc.KVStub, Runnable> call)
            throws InterruptedException {
        Recorder recorder = new Recorder(3);
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong completed = new AtomicLong();
        for (int c = 0; c < clients; c++) {
            KVGrpc.KVStub stub = KVGrpc.newStub(channels.get(c % channels.size()));
            new Runnable() {
                @Override
                public void run() {
                    if (!running.get()) {
                        return;
                    }
                    long start = System.nanoTime();
                    Runnable self = this;
                    call.accept(stub, () -> {
                        recorder.recordValue(System.nanoTime() - start);
                        completed.incrementAndGet();
                        self.run();
                    });
                }
            }.run();
        }
        Thread.sleep(TimeUnit.SECONDS.toMillis(pass.warmupSeconds()));
        recorder.getIntervalHistogram();
        long startCount = completed.get();
        long start = System.nanoTime();
        Thread.sleep(TimeUnit.SECONDS.toMillis(pass.seconds()));
        Histogram h = recorder.getIntervalHistogram();
        double rate = (completed.get() - startCount) * 1e9 / (System.nanoTime() - start);
        running.set(false);
        Thread.sleep(500);
        return new Result(rate, h);
    }

    /** One watcher on a prefix while 100 puts/s carry their send time: put-to-event latency. */
    private Result watchLatency(Pass pass) throws InterruptedException {
        Recorder recorder = new Recorder(3);
        ByteString prefix = ByteString.copyFromUtf8("/watch-bench/");
        StreamObserver<WatchRequest> requests = WatchGrpc.newStub(channels.get(0)).watch(new StreamObserver<>() {
            @Override
            public void onNext(WatchResponse r) {
                long now = System.nanoTime();
                r.getEventsList().forEach(e -> recorder.recordValue(
                        Math.max(0, now - e.getKv().getValue().asReadOnlyByteBuffer().getLong())));
            }

            @Override
            public void onError(Throwable t) {
            }

            @Override
            public void onCompleted() {
            }
        });
        requests.onNext(WatchRequest.newBuilder().setCreateRequest(WatchCreateRequest.newBuilder().setKey(prefix)
                .setRangeEnd(ByteString.copyFromUtf8("/watch-bench0"))).build());
        KVGrpc.KVStub writer = KVGrpc.newStub(channels.get(channels.size() > 1 ? 1 : 0));
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(pass.warmupSeconds() + pass.seconds());
        long measureFrom = System.nanoTime() + TimeUnit.SECONDS.toNanos(pass.warmupSeconds());
        boolean measuring = false;
        for (int i = 0; System.nanoTime() < end; i++) {
            if (!measuring && System.nanoTime() >= measureFrom) {
                recorder.getIntervalHistogram();
                measuring = true;
            }
            ByteString v = ByteString.copyFrom(ByteBuffer.allocate(8).putLong(System.nanoTime()).array());
            writer.put(PutRequest.newBuilder().setKey(prefix.concat(key(i % 100))).setValue(v).build(),
                    observer(() -> { }));
            Thread.sleep(10);
        }
        Thread.sleep(500);
        Histogram h = recorder.getIntervalHistogram();
        requests.onCompleted();
        return new Result((double) h.getTotalCount() / pass.seconds(), h);
    }
}
