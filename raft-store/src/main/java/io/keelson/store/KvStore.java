package io.keelson.store;

import java.util.concurrent.CompletableFuture;

/**
 * The store's client API, with etcd v3 semantics. Every call is asynchronous; a refused request
 * completes exceptionally with a {@link StoreException} whose message is etcd's text for the error.
 *
 * <p>Reads are linearizable unless the request is {@link RangeRequest#withSerializable() serializable}.
 * Writes complete once the change is committed by a majority, fsynced and applied on the member
 * that received it, so a serializable read on that member sees it.
 *
 * <p>Callbacks attached to returned futures run on store threads when the future is not yet done;
 * keep them short or hop to an executor of your own.
 */
public interface KvStore extends AutoCloseable {

    CompletableFuture<RangeResponse> range(RangeRequest request);

    CompletableFuture<PutResponse> put(PutRequest request);

    CompletableFuture<DeleteRangeResponse> delete(DeleteRangeRequest request);

    /** Read-only transactions are served on the read path and do not advance the revision. */
    CompletableFuture<TxnResponse> txn(TxnRequest request);

    /**
     * Discards history before {@code revision}: later reads below it fail with
     * {@link StoreException.CompactedException}. The newest version of each key at or below it is kept.
     */
    CompletableFuture<CompactResponse> compact(long revision);

    CompletableFuture<Lease.GrantResponse> leaseGrant(Lease.GrantRequest request);

    /** Revokes the lease and deletes every key attached to it, all at one revision. */
    CompletableFuture<Lease.RevokeResponse> leaseRevoke(long id);

    /** Renews the lease to its full TTL. */
    CompletableFuture<Lease.KeepAliveResponse> leaseKeepAlive(long id);

    CompletableFuture<Lease.TimeToLiveResponse> leaseTimeToLive(long id, boolean keys);

    CompletableFuture<Lease.ListResponse> leaseList();

    /**
     * Starts a watch. Its responses go to {@code listener} one at a time, in order, on a store thread
     * shared with other watches (so a listener should hand heavy work to a thread of its own);
     * a listener that does not keep up is caught up from history later (writers never wait for it),
     * and a watch whose next revision has been compacted meanwhile ends with a CANCELED response that
     * carries the compact revision. Guarantees (etcd's): ordered, unique, atomic per revision,
     * reliable, resumable from the last revision + 1, and bookmarkable by PROGRESS responses.
     */
    Watch watch(WatchRequest request, java.util.function.Consumer<WatchResponse> listener);

    /** Stops the member; pending requests fail with {@link ErrorCode#STOPPED}, watches are canceled. */
    @Override
    void close();
}
