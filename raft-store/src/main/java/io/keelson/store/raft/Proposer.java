package io.keelson.store.raft;

import com.google.protobuf.ByteString;
import io.keelson.store.ErrorCode;
import io.keelson.store.StoreException;
import io.keelson.store.raft.proto.Batch;
import io.keelson.store.raft.proto.Entry;
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
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import org.jctools.queues.MpscArrayQueue;

/**
 * Group commit: client operations from any thread go into one bounded MPSC queue; one proposer at a
 * time drains it, keeping up to {@code maxInFlight} proposals outstanding. While those are in
 * flight the queue fills, so the next proposal carries more operations: throughput grows with
 * concurrency instead of being capped by one Raft round trip (fsync + replication) per operation.
 * The proposer is the proposer thread, or a caller that finds nobody proposing and a slot free: it
 * proposes its own operation at once, saving a lone writer the wake-up of another thread.
 *
 * <p>What a proposal is depends on the member's role when it is made. A follower sends its operations
 * as one {@link Batch} to the leader ({@link Transport#forward}). The leader's queue also takes the
 * batches followers forwarded ({@link #forwarded}), and the leader appends its own operations and
 * every forwarded batch it has gathered as <em>one</em> Raft {@link Entry}: the cost of an entry
 * (replication, fsync and apply bookkeeping on every member) is shared by the whole cluster's
 * concurrent writes rather than paid per member.
 *
 * <p>An operation's future is completed when this member applies the entry holding it
 * ({@link #applied}), not when the leader answers, so a member that forwarded a write has applied it
 * before its client sees the answer. Completions run on {@code completions}, one task per batch,
 * never on the apply thread.
 */
final class Proposer implements AutoCloseable {
    private static final long IDLE_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    /** Where proposals go. */
    interface Transport {
        /** Whether this member leads now (and may append to the log). */
        boolean leading();

        /**
         * Whether a proposal made now would go out without waiting: not the case while the leader's log
         * has many entries waiting for their fsync, so that its write queue may be full.
         */
        boolean appendsPromptly();

        /** Appends one encoded {@link Entry} to the log; completes when this member applied it. */
        CompletableFuture<?> append(byte[] entry);

        /** Hands one encoded {@link Batch} to the leader; completes when the leader applied it. */
        CompletableFuture<?> forward(ByteString batch);
    }

    /**
     * A forwarded batch reached this member after it stopped leading, before it was appended: nothing
     * was done with it, so its sender may hand it to the new leader.
     */
    static final class NotLeading extends RuntimeException {
        NotLeading() {
            super("not the leader", null, false, false);
        }
    }

    private sealed interface Item permits LocalOp, ForwardedBatch {
        int size();
    }

    private record LocalOp(Op op, int size, CompletableFuture<Object> future) implements Item {
    }

    private record ForwardedBatch(ByteString batch, int size, CompletableFuture<Void> appended) implements Item {
    }

    private final String origin;
    private final Transport transport;
    private final int maxOps;
    private final int maxBytes;
    private final Semaphore inFlight;
    private final Executor completions;
    private final Function<Throwable, StoreException> failures;
    private final MpscArrayQueue<Item> queue;
    private final Map<Long, List<LocalOp>> outstanding = new ConcurrentHashMap<>();
    private final Thread thread;
    /** Held by whichever thread is proposing: the proposer thread, or a caller that found it idle. */
    private final ReentrantLock proposing = new ReentrantLock();
    private volatile boolean parked;
    private volatile boolean running = true;
    private long sequence; // under `proposing`

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
        if (enqueue(new LocalOp(op, size, future), future) && !proposeHere()) {
            wake();
        }
        return future;
    }

    /**
     * Queues a batch a follower forwarded, to go into this leader's next entry. The future completes
     * when the entry has been applied here, or exceptionally: with {@link NotLeading} if this member no
     * longer leads and the batch was not appended, else with a {@link StoreException}.
     */
    CompletableFuture<Void> forwarded(ByteString batch) {
        CompletableFuture<Void> appended = new CompletableFuture<>();
        if (enqueue(new ForwardedBatch(batch, batch.size(), appended), appended)) {
            wake(); // never proposed here: this runs on a Ratis server thread serving the follower's request
        }
        return appended;
    }

    private boolean enqueue(Item item, CompletableFuture<?> future) {
        if (!running) {
            future.completeExceptionally(new StoreException(ErrorCode.STOPPED));
            return false;
        }
        if (!queue.offer(item)) {
            future.completeExceptionally(new StoreException(ErrorCode.TOO_MANY_REQUESTS));
            return false;
        }
        return true;
    }

    private void wake() {
        VarHandle.fullFence(); // the offer must be visible before we read `parked` (no lost wake-up)
        if (parked) {
            LockSupport.unpark(thread);
        }
    }

    /**
     * Proposes on the calling thread while nobody else is proposing and a proposal may go out, instead of
     * waking the proposer thread: with few writers that hand-off is a large part of a write's latency.
     * Returns whether the queue was left empty (else the proposer thread must take the rest). Never where
     * the caller could be kept waiting for room in the leader's log queue: Ratis closes its division when an
     * interrupt cuts that wait short, and the caller's thread is not ours to keep from being interrupted.
     */
    private boolean proposeHere() {
        if (Thread.currentThread().isInterrupted() || !proposing.tryLock()) {
            return false;
        }
        try {
            // the log is asked only when a proposal would go out: under load most callers get no further
            while (running && !queue.isEmpty() && inFlight.tryAcquire()) {
                Item first = transport.appendsPromptly() ? queue.poll() : null;
                if (first == null) {
                    inFlight.release();
                    break;
                }
                propose(first);
            }
        } finally {
            proposing.unlock();
        }
        return queue.isEmpty();
    }

    private void run() {
        while (running) {
            if (queue.isEmpty()) {
                parked = true;
                if (queue.isEmpty() && running) {
                    LockSupport.parkNanos(this, IDLE_PARK_NANOS);
                }
                parked = false;
                continue;
            }
            try {
                // while proposals are in flight, the queue gathers the next one; the timeout lets close() stop
                // a proposer that is waiting here
                if (!inFlight.tryAcquire(IDLE_PARK_NANOS, TimeUnit.NANOSECONDS)) {
                    continue;
                }
            } catch (InterruptedException e) {
                return; // close() fails what is queued
            }
            proposing.lock();
            try {
                Item first = queue.poll();
                if (first == null) {
                    inFlight.release(); // a caller proposed it meanwhile
                } else {
                    propose(first);
                }
            } finally {
                proposing.unlock();
            }
        }
    }

    private void propose(Item first) {
        List<LocalOp> ops = new ArrayList<>();
        List<ForwardedBatch> batches = new ArrayList<>();
        long bytes = 0;
        Item next = first;
        do {
            if (next != first) {
                queue.poll();
            }
            if (next instanceof LocalOp op) {
                ops.add(op);
            } else {
                batches.add((ForwardedBatch) next);
            }
            bytes += next.size();
        } while ((next = queue.peek()) != null && bytes + next.size() <= maxBytes
                && (ops.size() < maxOps || next instanceof ForwardedBatch));
        boolean leading = transport.leading();
        if (!leading && !batches.isEmpty()) {
            fail(batches, new NotLeading());
            batches = List.of();
        }
        long seq = ++sequence;
        ByteString batch = ops.isEmpty() ? null : batch(seq, ops);
        if (batch != null) {
            outstanding.put(seq, ops);
        }
        CompletableFuture<?> sent;
        try {
            if (!leading) {
                sent = batch == null ? CompletableFuture.completedFuture(null) : transport.forward(batch);
            } else {
                Entry.Builder entry = Entry.newBuilder();
                if (batch != null) {
                    entry.addGroups(batch);
                }
                batches.forEach(b -> entry.addGroups(b.batch()));
                sent = transport.append(entry.build().toByteArray());
            }
        } catch (RuntimeException e) {
            sent = CompletableFuture.failedFuture(e);
        }
        List<ForwardedBatch> taken = batches;
        sent.whenComplete((ignored, error) -> {
            inFlight.release();
            if (error != null) {
                List<LocalOp> failed = outstanding.remove(seq);
                StoreException failure = failures.apply(error);
                if (failed != null) {
                    fail(failed, failure);
                }
                fail(taken, failure);
            } else {
                taken.forEach(b -> b.appended().complete(null));
            }
        });
    }

    private ByteString batch(long seq, List<LocalOp> ops) {
        Batch.Builder batch = Batch.newBuilder().setOrigin(origin).setSequence(seq);
        for (LocalOp op : ops) {
            batch.addOps(op.op());
        }
        return batch.build().toByteString();
    }

    /** Called on the apply thread when a batch this proposer made has been applied locally. */
    void applied(long seq, List<Object> results) {
        List<LocalOp> ops = outstanding.remove(seq);
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

    private void fail(List<? extends Item> items, RuntimeException error) {
        completions.execute(() -> items.forEach(item -> future(item).completeExceptionally(error)));
    }

    private static CompletableFuture<?> future(Item item) {
        return item instanceof LocalOp op ? op.future() : ((ForwardedBatch) item).appended();
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
        List<Item> left = new ArrayList<>();
        proposing.lock(); // the queue has one consumer at a time
        try {
            queue.drain(left::add);
        } finally {
            proposing.unlock();
        }
        for (Long seq : List.copyOf(outstanding.keySet())) {
            List<LocalOp> ops = outstanding.remove(seq);
            if (ops != null) {
                left.addAll(ops);
            }
        }
        left.forEach(item -> future(item).completeExceptionally(stopped));
    }
}
