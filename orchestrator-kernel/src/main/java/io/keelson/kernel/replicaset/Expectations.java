package io.keelson.kernel.replicaset;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * client-go's (UID-tracking) ControllerExpectations: the creations and deletions a controller made and has not yet
 * seen through its informer. While some are outstanding its cache is known to be stale, and it must not create or
 * delete again (or it would do so twice). Deletions are tracked by pod key, so that a pod seen going twice (marked
 * for deletion, then gone) counts once; expectations older than five minutes are given up on.
 */
final class Expectations {
    static final Duration TTL = Duration.ofMinutes(5);

    private static final class Pending {
        long adds;
        final Set<String> deletes = new HashSet<>();
        final Instant since;

        Pending(Instant since) {
            this.since = since;
        }
    }

    private final Clock clock;
    private final Map<String, Pending> byOwner = new ConcurrentHashMap<>();

    Expectations(Clock clock) {
        this.clock = clock;
    }

    /** Whether the controller may act on {@code owner}: nothing outstanding, nothing recorded, or expired. */
    boolean satisfied(String owner) {
        Pending p = byOwner.get(owner);
        if (p == null) {
            return true;
        }
        synchronized (p) {
            return (p.adds <= 0 && p.deletes.isEmpty()) || !p.since.plus(TTL).isAfter(clock.instant());
        }
    }

    void expectCreations(String owner, int adds) {
        Pending p = new Pending(clock.instant());
        p.adds = adds;
        byOwner.put(owner, p);
    }

    void expectDeletions(String owner, Collection<String> podKeys) {
        Pending p = new Pending(clock.instant());
        p.deletes.addAll(podKeys);
        byOwner.put(owner, p);
    }

    void creationObserved(String owner) {
        Pending p = byOwner.get(owner);
        if (p != null) {
            synchronized (p) {
                p.adds--;
            }
        }
    }

    void deletionObserved(String owner, String podKey) {
        Pending p = byOwner.get(owner);
        if (p != null) {
            synchronized (p) {
                p.deletes.remove(podKey);
            }
        }
    }

    void forget(String owner) {
        byOwner.remove(owner);
    }
}
