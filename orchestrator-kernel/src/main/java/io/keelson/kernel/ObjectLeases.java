package io.keelson.kernel;

import io.keelson.store.KvStore;
import io.keelson.store.Lease;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * Store leases for objects with a time to live, shared as kube-apiserver's lease manager shares them: a lease is
 * reused while it expires within {@code min(5% of the TTL, 60 s)} after the TTL asked for, so that a thousand
 * events written in a minute cost one lease, and each object lives between its TTL and TTL + 60 s after its
 * last write.
 */
final class ObjectLeases {
    private static final Duration MAX_REUSE = Duration.ofSeconds(60);

    private record Granted(long id, Instant expiry) {
    }

    private final KvStore store;
    private final Clock clock;
    /** guarded by this */
    private final Map<Duration, Granted> byTtl = new HashMap<>();

    ObjectLeases(KvStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    /** A lease under which an object written now lives at least {@code ttl}. */
    synchronized long leaseFor(Duration ttl, Environment env) {
        Instant now = clock.instant();
        Duration reuse = ttl.dividedBy(20).compareTo(MAX_REUSE) > 0 ? MAX_REUSE : ttl.dividedBy(20);
        Granted g = byTtl.get(ttl);
        Instant wanted = now.plus(ttl);
        if (g != null && wanted.isBefore(g.expiry()) && wanted.plus(reuse).isAfter(g.expiry())) {
            return g.id();
        }
        long seconds = Math.max(1, ttl.plus(reuse).toSeconds());
        Lease.GrantResponse granted = env.await(store.leaseGrant(new Lease.GrantRequest(seconds, 0)), "lease grant");
        byTtl.put(ttl, new Granted(granted.id(), now.plusSeconds(seconds)));
        return granted.id();
    }
}
