package io.keelson.store.concurrency;

import com.google.protobuf.ByteString;
import io.keelson.store.Compare;
import io.keelson.store.DeleteRangeRequest;
import io.keelson.store.KeyValue;
import io.keelson.store.KvStore;
import io.keelson.store.PutRequest;
import io.keelson.store.RangeRequest;
import io.keelson.store.ResponseHeader;
import io.keelson.store.TxnRequest;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;

/**
 * One leader election with etcd's semantics (its {@code v3election} service and election recipe): each candidate
 * holds a key {@code name/<lease in hex>} attached to its lease, with its proposal as the value; the leader is the
 * candidate whose key was created first. A candidate leads until it resigns or its lease expires; then the next in
 * line does. The leader's value can be changed by proclaiming.
 *
 * <pre>{@code
 * Election election = Election.named(store, "scheduler");
 * Election.Leadership me = election.campaign(lease, ByteString.copyFromUtf8("host-1")).join(); // waits to lead
 * election.proclaim(me, ByteString.copyFromUtf8("host-1:ready")).join();
 * try (Election.Observation o = election.observe(leader -> System.out.println(leader.kv().valueUtf8()),
 *         Throwable::printStackTrace)) {
 *     // ...
 * }
 * election.resign(me).join();
 * }</pre>
 *
 * <p>Cancelling the future of a pending {@link #campaign} withdraws the candidate (its key is deleted).
 */
public final class Election {
    private final KvStore store;
    private final ByteString name;
    private final ByteString prefix;

    private Election(KvStore store, ByteString name) {
        this.store = store;
        this.name = name;
        this.prefix = name.concat(ByteString.copyFromUtf8("/"));
    }

    public static Election named(KvStore store, String name) {
        return named(store, ByteString.copyFromUtf8(name));
    }

    /** The election {@code name} kept in {@code store}. */
    public static Election named(KvStore store, ByteString name) {
        return new Election(Objects.requireNonNull(store, "store"), Objects.requireNonNull(name, "name"));
    }

    /**
     * A candidate's claim, as etcd's {@code LeaderKey}: what {@link #proclaim} and {@link #resign} need.
     *
     * @param key      {@code name/<lease in hex>}
     * @param revision the key's create revision: the claim is valid while the key is that one
     * @param header   the header of the campaign's first write
     */
    public record Leadership(ByteString name, ByteString key, long revision, long lease, ResponseHeader header) {
    }

    /** The current leader's key and value, and the header of the read (or watch response) that saw it. */
    public record Leader(ResponseHeader header, KeyValue kv) {
    }

    /** A running {@link #observe}; closing it stops the notifications. */
    public interface Observation extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Campaigns with {@code value} through {@code lease} (which must exist) and completes once this candidate leads.
     * Campaigning again with the same lease keeps the candidate's place and changes its value.
     */
    public CompletableFuture<Leadership> campaign(long lease, ByteString value) {
        ByteString key = Locks.keyOf(prefix, lease);
        CompletableFuture<Leadership> led = new CompletableFuture<>();
        store.txn(TxnRequest.of(List.of(Compare.createRevision(key, Compare.Result.EQUAL, 0)),
                List.of(PutRequest.of(key, value).withLease(lease)), List.of(RangeRequest.key(key))))
                .thenCompose(txn -> {
                    Leadership me = new Leadership(name, key, txn.header().revision(), lease, txn.header());
                    if (txn.succeeded()) {
                        return CompletableFuture.completedFuture(me);
                    }
                    KeyValue mine = Locks.range(txn, 0).kvs().get(0);
                    Leadership again = new Leadership(name, key, mine.createRevision(), lease, txn.header());
                    if (mine.value().equals(value)) {
                        return CompletableFuture.completedFuture(again);
                    }
                    return proclaim(again, value).handle((h, error) -> {
                        if (error != null) {
                            resign(again);
                            throw new CompletionException(error);
                        }
                        return again;
                    });
                })
                .thenCompose(me -> {
                    CompletableFuture<ResponseHeader> turn = Waits.olderKeysGone(store, prefix, me.revision() - 1);
                    led.whenComplete((x, e) -> turn.cancel(false)); // a withdrawn candidate stops waiting
                    return turn.thenApply(h -> me);
                })
                .whenComplete((me, error) -> {
                    if (error != null) {
                        led.completeExceptionally(error);
                    } else {
                        led.complete(me);
                    }
                });
        led.whenComplete((me, error) -> {
            if (led.isCancelled()) { // withdrawn while waiting: leave the line
                store.delete(DeleteRangeRequest.key(key));
            }
        });
        return led;
    }

    /** Sets the leader's value; fails with {@code election: not leader} unless {@code leadership} is still valid. */
    public CompletableFuture<ResponseHeader> proclaim(Leadership leadership, ByteString value) {
        return store.txn(TxnRequest.of(List.of(Compare.createRevision(leadership.key(), Compare.Result.EQUAL,
                leadership.revision())), List.of(PutRequest.of(leadership.key(), value).withLease(leadership.lease())),
                List.of())).thenApply(txn -> {
                    if (!txn.succeeded()) {
                        throw new ConcurrencyException(ConcurrencyException.NOT_LEADER);
                    }
                    return txn.header();
                });
    }

    /** Gives up {@code leadership} (or the place in line); one that is no longer valid changes nothing. */
    public CompletableFuture<ResponseHeader> resign(Leadership leadership) {
        return store.txn(TxnRequest.of(List.of(Compare.createRevision(leadership.key(), Compare.Result.EQUAL,
                leadership.revision())), List.of(DeleteRangeRequest.key(leadership.key())), List.of()))
                .thenApply(txn -> txn.header());
    }

    /** The current leader; fails with {@code election: no leader} when there is none. */
    public CompletableFuture<Leader> leader() {
        return store.range(Locks.firstCreated(prefix)).thenApply(r -> {
            if (r.kvs().isEmpty()) {
                throw new ConcurrencyException(ConcurrencyException.NO_LEADER);
            }
            return new Leader(r.header(), r.kvs().get(0));
        });
    }

    /**
     * Follows the leadership: {@code listener} gets the current leader (or the first to come), then every value it
     * proclaims, then its successor when it goes, one call at a time. A failure (a compacted watch, a stopped
     * store) ends it through {@code onError}.
     */
    public Observation observe(Consumer<Leader> listener, Consumer<Throwable> onError) {
        LeaderWatch watch = new LeaderWatch(store, prefix, listener, onError);
        watch.start();
        return watch::close;
    }
}
