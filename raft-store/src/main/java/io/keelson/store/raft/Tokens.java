package io.keelson.store.raft;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * etcd's simple tokens on one member: issued by Authenticate through the log, so every member knows each; valid
 * until unused for the TTL ({@code --auth-token-ttl}, etcd's five minutes), each use renewing it; dropped when their
 * user is deleted or its password changes, and all of them when auth is disabled.
 */
final class Tokens {

    private record Holder(String user, long[] lastUsed) {
    }

    private final Map<String, Holder> tokens = new ConcurrentHashMap<>();
    private final LongSupplier nanoTime;
    private final long ttlNanos;

    Tokens(LongSupplier nanoTime, java.time.Duration ttl) {
        this.nanoTime = nanoTime;
        this.ttlNanos = ttl.toNanos();
    }

    void issued(String token, String user) {
        tokens.put(token, new Holder(user, new long[] {nanoTime.getAsLong()}));
    }

    /** The user of a valid token, renewing it; empty for an unknown or expired one. */
    Optional<String> user(String token) {
        Holder h = tokens.get(token);
        if (h == null) {
            return Optional.empty();
        }
        long now = nanoTime.getAsLong();
        synchronized (h) {
            if (now - h.lastUsed()[0] > ttlNanos) {
                tokens.remove(token, h);
                return Optional.empty();
            }
            h.lastUsed()[0] = now;
        }
        return Optional.of(h.user());
    }

    void dropUser(String user) {
        tokens.values().removeIf(h -> h.user().equals(user));
    }

    void dropAll() {
        tokens.clear();
    }
}
