package io.keelson.store.concurrency;

/**
 * A lock or election refused with one of etcd's recipe errors: {@code election: not leader},
 * {@code election: no leader}, {@code mutex: session is expired}. The message is etcd's text, which etcd's gRPC
 * services send as an UNKNOWN status and clients match on.
 */
public final class ConcurrencyException extends RuntimeException {
    static final String NOT_LEADER = "election: not leader";
    static final String NO_LEADER = "election: no leader";
    static final String SESSION_EXPIRED = "mutex: session is expired";
    static final String LOST_WATCHER = "lost watcher waiting for delete";
    /** etcdctl's text when an observation ends without being asked to. */
    static final String OBSERVER_LOST = "elect: observer lost";

    ConcurrencyException(String message) {
        super(message, null, false, false);
    }
}
