package io.keelson.store.raft;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The backend quota check: whether a write would take the state database past {@code quotaBytes}. The size
 * is read at most every 100 ms (reading it costs a few JNI calls; writes arrive by the ten thousand per
 * second), so the quota may be overshot by what is written in that time, as etcd's is by a batch.
 */
final class Quota {
    private static final long REFRESH_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final long quotaBytes;
    private final LongSupplier size;
    private final AtomicBoolean raising = new AtomicBoolean();
    private volatile long cachedSize;
    private volatile long readAt = System.nanoTime() - REFRESH_NANOS;

    Quota(long quotaBytes, LongSupplier size) {
        this.quotaBytes = quotaBytes;
        this.size = size;
    }

    boolean exceededBy(long bytes) {
        long now = System.nanoTime();
        if (now - readAt >= REFRESH_NANOS) {
            cachedSize = size.getAsLong();
            readAt = now;
        }
        return cachedSize + bytes > quotaBytes;
    }

    /** Raises the alarm with {@code proposal} unless a raise is already on its way. */
    void raise(Supplier<CompletableFuture<Void>> proposal) {
        if (raising.compareAndSet(false, true)) {
            proposal.get().whenComplete((ok, failure) -> raising.set(false));
        }
    }
}
