package io.keelson.store.raft;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongFunction;
import java.util.function.LongSupplier;
import java.util.concurrent.CompletableFuture;

/**
 * Lease expiry, decided by the leader alone. Every member learns of grants and revokes from the log;
 * only the leader ({@link #promote}) keeps deadlines and proposes a revoke when one passes, so every
 * replica deletes the attached keys at the same revision. A new leader gives every lease its full TTL
 * again, as etcd does.
 */
final class Lessor implements AutoCloseable {
    private static final long NANOS_PER_SECOND = TimeUnit.SECONDS.toNanos(1);

    private record Deadline(long ttl, long expiresAtNanos, boolean revoking) {
    }

    private final LongSupplier nanoTime;
    private final LongFunction<CompletableFuture<?>> proposeRevoke;
    private final Map<Long, Deadline> deadlines = new ConcurrentHashMap<>();
    private final ScheduledFuture<?> ticker;
    private volatile boolean primary;

    Lessor(LongSupplier nanoTime, ScheduledExecutorService scheduler, long tickMillis,
           LongFunction<CompletableFuture<?>> proposeRevoke) {
        this.nanoTime = nanoTime;
        this.proposeRevoke = proposeRevoke;
        this.ticker = scheduler.scheduleWithFixedDelay(this::expire, tickMillis, tickMillis, TimeUnit.MILLISECONDS);
    }

    boolean isPrimary() {
        return primary;
    }

    /** This member became leader: every existing lease gets its full TTL from now. */
    void promote(Map<Long, Long> leaseTtls) {
        deadlines.clear();
        long now = nanoTime.getAsLong();
        leaseTtls.forEach((id, ttl) -> deadlines.put(id, new Deadline(ttl, now + ttl * NANOS_PER_SECOND, false)));
        primary = true;
    }

    void demote() {
        primary = false;
        deadlines.clear();
    }

    /** A grant was applied. */
    void granted(long id, long ttl) {
        if (primary) {
            deadlines.put(id, new Deadline(ttl, nanoTime.getAsLong() + ttl * NANOS_PER_SECOND, false));
        }
    }

    /** A revoke was applied. */
    void revoked(long id) {
        deadlines.remove(id);
    }

    /** Renews a lease to its full TTL; returns the TTL, or -1 if this leader does not know the lease. */
    long renew(long id) {
        Deadline d = deadlines.computeIfPresent(id,
                (k, old) -> new Deadline(old.ttl(), nanoTime.getAsLong() + old.ttl() * NANOS_PER_SECOND, false));
        return d == null ? -1 : d.ttl();
    }

    /** Remaining whole seconds of a lease (rounded up), -1 if unknown. */
    long remaining(long id) {
        Deadline d = deadlines.get(id);
        if (d == null) {
            return -1;
        }
        long left = d.expiresAtNanos() - nanoTime.getAsLong();
        return Math.max(0, (left + NANOS_PER_SECOND - 1) / NANOS_PER_SECOND);
    }

    private void expire() {
        if (!primary) {
            return;
        }
        long now = nanoTime.getAsLong();
        for (Map.Entry<Long, Deadline> e : deadlines.entrySet()) {
            Deadline d = e.getValue();
            if (!d.revoking() && d.expiresAtNanos() - now <= 0) {
                long id = e.getKey();
                if (deadlines.replace(id, d, new Deadline(d.ttl(), d.expiresAtNanos(), true))) {
                    proposeRevoke.apply(id).whenComplete((ok, error) -> {
                        if (error != null) { // try again on the next tick
                            deadlines.computeIfPresent(id,
                                    (k, cur) -> new Deadline(cur.ttl(), cur.expiresAtNanos(), false));
                        }
                    });
                }
            }
        }
    }

    @Override
    public void close() {
        ticker.cancel(false);
        primary = false;
    }
}
