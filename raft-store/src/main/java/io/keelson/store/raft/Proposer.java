package io.keelson.store.raft;

import io.keelson.store.ErrorCode;
import io.keelson.store.StoreException;
import io.keelson.store.raft.proto.Batch;
import io.keelson.store.raft.proto.Op;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import org.jctools.queues.MpscArrayQueue;

/**
 * Group commit: client operations from any thread go into one bounded MPSC queue; a single proposer
 * thread drains it into {@link Batch} entries and proposes each as one Raft request, keeping up to
 * {@code maxInFlight} entries outstanding. While those are in flight the queue fills, so the next
 * entry carries more operations: throughput grows with concurrency instead of being capped by one
 * Raft round trip (fsync + replication) per operation.
 *
 * <p>An operation's future is completed when this member applies the entry ({@link #applied}), not
 * when the leader answers, so a member that forwarded a write has applied it before its client sees
 * the answer. Completions run on {@code completions}, one task per entry, never on the apply thread.
 */
final class Proposer implements AutoCloseable {
    private static final long IDLE_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    /** Sends one encoded batch through Raft; the future completes when the group committed it. */
    interface Transport {
        CompletableFuture<?> send(byte[] batch);
    }

    private record Pending(Op op, int size, CompletableFuture<Object> future) {
    }

    private final String origin;
    private final Transport transport;
    private final int maxOps;
    private final int maxBytes;
    private final Semaphore inFlight;
    private final Executor completions;
    private final Function<Throwable, StoreException> failures;
    private final MpscArrayQueue<Pending> queue;
    private final Map<Long, List<Pending>> outstanding = new ConcurrentHashMap<>();
    private final Thread thread;
    private volatile boolean parked;
    private volatile boolean running = true;
    private long sequence; // proposer thread only

    Proposer(String origin, Transport transport, int maxOps, int maxBytes, int maxInFlight, int queueCapacity,
             Executor completions, Function<Throwable, StoreException> failures) {
        this.origin = origin;
        this.transport = transport;
        this.maxOps = maxOps;
        this.maxBytes = maxBytes;
        this.inFlight = new Semaphore(maxInFlight);
        this.completions = completions;
        this.failures = failures;
        this.queue = new MpscArrayQueue<>(queueCapacity);
        this.thread = new Thread(this::run, "keelson-proposer");
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    String origin() {
        return origin;
    }

    /**
     * Queues one operation. The future completes with the operation's response record, or
     * exceptionally with a {@link StoreException}. Never blocks.
     */
    CompletableFuture<Object> propose(Op op, int size) {
        CompletableFuture<Object> future = new CompletableFuture<>();
        if (!running) {
            future.completeExceptionally(new StoreException(ErrorCode.STOPPED));
            return future;
        }
        if (!queue.offer(new Pending(op, size, future))) {
            future.completeExceptionally(new StoreException(ErrorCode.TOO_MANY_REQUESTS));
            return future;
        }
        VarHandle.fullFence(); // the offer must be visible before we read `parked` (no lost wake-up)
        if (parked) {
            LockSupport.unpark(thread);
        }
        return future;
    }

    private void run() {
        while (running) {
            Pending first = queue.poll();
            if (first == null) {
                parked = true;
                if (queue.isEmpty() && running) {
                    LockSupport.parkNanos(this, IDLE_PARK_NANOS);
                }
                parked = false;
                continue;
            }
            try {
                inFlight.acquire(); // while entries are in flight, the queue gathers the next batch
            } catch (InterruptedException e) {
                fail(List.of(first), new StoreException(ErrorCode.STOPPED));
                return;
            }
            proposeBatch(first);
        }
    }

    private void proposeBatch(Pending first) {
        List<Pending> ops = new ArrayList<>(Math.min(maxOps, queue.size() + 1));
        ops.add(first);
        long bytes = first.size();
        Pending next;
        while (ops.size() < maxOps && (next = queue.peek()) != null && bytes + next.size() <= maxBytes) {
            ops.add(queue.poll());
            bytes += next.size();
        }
        long seq = ++sequence;
        Batch.Builder batch = Batch.newBuilder().setOrigin(origin).setSequence(seq);
        for (Pending p : ops) {
            batch.addOps(p.op());
        }
        outstanding.put(seq, ops);
        CompletableFuture<?> sent;
        try {
            sent = transport.send(batch.build().toByteArray());
        } catch (RuntimeException e) {
            sent = CompletableFuture.failedFuture(e);
        }
        sent.whenComplete((ignored, error) -> {
            inFlight.release();
            if (error != null) {
                List<Pending> failed = outstanding.remove(seq);
                if (failed != null) {
                    fail(failed, failures.apply(error));
                }
            }
        });
    }

    /** Called on the apply thread when an entry this proposer sent has been applied locally. */
    void applied(long seq, List<Object> results) {
        List<Pending> ops = outstanding.remove(seq);
        if (ops == null) {
            return; // already failed (timed out) or from an earlier incarnation
        }
        completions.execute(() -> {
            for (int i = 0; i < ops.size(); i++) {
                Object result = results.get(i);
                if (result instanceof Throwable t) {
                    ops.get(i).future().completeExceptionally(t);
                } else {
                    ops.get(i).future().complete(result);
                }
            }
        });
    }

    private void fail(List<Pending> ops, StoreException error) {
        completions.execute(() -> ops.forEach(p -> p.future().completeExceptionally(error)));
    }

    /** Stops proposing; every queued or outstanding operation fails with {@link ErrorCode#STOPPED}. */
    @Override
    public void close() {
        running = false;
        LockSupport.unpark(thread);
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        StoreException stopped = new StoreException(ErrorCode.STOPPED);
        List<Pending> left = new ArrayList<>();
        queue.drain(left::add);
        for (Long seq : List.copyOf(outstanding.keySet())) {
            List<Pending> ops = outstanding.remove(seq);
            if (ops != null) {
                left.addAll(ops);
            }
        }
        left.forEach(p -> p.future().completeExceptionally(stopped));
    }
}
