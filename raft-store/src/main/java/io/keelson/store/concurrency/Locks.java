package io.keelson.store.concurrency;

import com.google.protobuf.ByteString;
import io.keelson.store.Compare;
import io.keelson.store.DeleteRangeRequest;
import io.keelson.store.KeyValue;
import io.keelson.store.KvStore;
import io.keelson.store.PutRequest;
import io.keelson.store.RangeRequest;
import io.keelson.store.RangeResponse;
import io.keelson.store.ResponseHeader;
import io.keelson.store.TxnRequest;
import io.keelson.store.TxnResponse;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * Distributed locks with etcd's semantics (its {@code v3lock} service and mutex recipe): the lock {@code name} is
 * held through a key {@code name/<lease in hex>} attached to the caller's lease; holders are granted in the order
 * their keys were created, and a lock is held until it is unlocked or its lease expires (the key then goes with
 * it). Locking again with the lease that holds the lock returns the same key at once.
 *
 * <pre>{@code
 * Locks locks = Locks.on(store);
 * long lease = store.leaseGrant(Lease.GrantRequest.ttl(10)).join().id();
 * Locks.Held held = locks.lock("jobs/nightly", lease).join();   // waits for its turn
 * try {
 *     // ... keep the lease alive while working
 * } finally {
 *     locks.unlock(held.key()).join();
 * }
 * }</pre>
 *
 * <p>Cancelling the future of a pending {@link #lock} gives up the place in line (its key is deleted). A lock whose
 * lease expires while waiting fails with {@code mutex: session is expired}; one with a lease that does not exist
 * fails with {@code etcdserver: requested lease not found}.
 */
public final class Locks {
    private final KvStore store;

    private Locks(KvStore store) {
        this.store = store;
    }

    /** Locks kept in {@code store}. */
    public static Locks on(KvStore store) {
        return new Locks(Objects.requireNonNull(store, "store"));
    }

    /**
     * A held lock: the key that holds it and the header of the read that saw it held.
     *
     * @param key    {@code name/<lease in hex>}; give it to {@link #unlock}
     * @param header the revision at which the lock was held
     */
    public record Held(ByteString key, ResponseHeader header) {
    }

    public CompletableFuture<Held> lock(String name, long lease) {
        return lock(ByteString.copyFromUtf8(name), lease);
    }

    /** Waits for the lock {@code name}, holding it through {@code lease} (which must exist). */
    public CompletableFuture<Held> lock(ByteString name, long lease) {
        ByteString prefix = name.concat(ByteString.copyFromUtf8("/"));
        ByteString key = keyOf(prefix, lease);
        RangeRequest owner = firstCreated(prefix);
        CompletableFuture<Held> held = new CompletableFuture<>();
        store.txn(TxnRequest.of(List.of(Compare.createRevision(key, Compare.Result.EQUAL, 0)),
                List.of(PutRequest.of(key, ByteString.EMPTY).withLease(lease), owner),
                List.of(RangeRequest.key(key), owner))).whenComplete((txn, error) -> {
                    if (error != null) {
                        held.completeExceptionally(error);
                        return;
                    }
                    long myRevision = txn.succeeded() ? txn.header().revision()
                            : range(txn, 0).kvs().get(0).createRevision();
                    List<KeyValue> first = range(txn, 1).kvs();
                    if (first.isEmpty() || first.get(0).createRevision() == myRevision) {
                        held.complete(new Held(key, txn.header()));
                        return;
                    }
                    CompletableFuture<ResponseHeader> turn = Waits.olderKeysGone(store, prefix, myRevision - 1);
                    held.whenComplete((x, e) -> turn.cancel(false)); // given up: stop waiting
                    turn.thenCompose(h -> store.range(RangeRequest.key(key))).whenComplete((mine, waitError) -> {
                                if (waitError != null) {
                                    held.completeExceptionally(waitError);
                                } else if (mine.kvs().isEmpty()) { // the lease expired while it waited
                                    held.completeExceptionally(new ConcurrencyException(
                                            ConcurrencyException.SESSION_EXPIRED));
                                } else {
                                    held.complete(new Held(key, mine.header()));
                                }
                            });
                });
        held.whenComplete((h, error) -> {
            if (error != null) { // given up (cancelled, or the wait failed): leave the line
                store.delete(DeleteRangeRequest.key(key));
            }
        });
        return held;
    }

    /** Releases a lock by deleting its key (a key that is gone already is no error); completes with the header. */
    public CompletableFuture<ResponseHeader> unlock(ByteString key) {
        return store.delete(DeleteRangeRequest.key(key)).thenApply(r -> r.header());
    }

    /** The key a lease holds under {@code prefix}: {@code <prefix><lease in hex>}, as etcd's recipes name it. */
    static ByteString keyOf(ByteString prefix, long lease) {
        return prefix.concat(ByteString.copyFromUtf8(Long.toHexString(lease)));
    }

    /** The first key created under {@code prefix}: the holder. */
    static RangeRequest firstCreated(ByteString prefix) {
        return RangeRequest.prefix(prefix).sort(RangeRequest.SortOrder.ASCEND, RangeRequest.SortTarget.CREATE)
                .limit(1);
    }

    static RangeResponse range(TxnResponse txn, int i) {
        return (RangeResponse) txn.responses().get(i);
    }
}
