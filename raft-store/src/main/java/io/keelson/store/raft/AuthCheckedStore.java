package io.keelson.store.raft;

import io.keelson.store.CompactResponse;
import io.keelson.store.DeleteRangeRequest;
import io.keelson.store.DeleteRangeResponse;
import io.keelson.store.KvStore;
import io.keelson.store.Lease;
import io.keelson.store.PutRequest;
import io.keelson.store.PutResponse;
import io.keelson.store.RangeRequest;
import io.keelson.store.RangeResponse;
import io.keelson.store.TxnRequest;
import io.keelson.store.TxnResponse;
import io.keelson.store.Watch;
import io.keelson.store.WatchRequest;
import io.keelson.store.WatchResponse;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * A member seen by requests whose permissions were checked at one auth revision ({@link RaftMember#checkedAt}):
 * writes and lease revokes carry the revision into the log, where the apply refuses them if the auth state moved
 * on. Reads were answered from the state they were checked against and need nothing more.
 */
final class AuthCheckedStore implements KvStore {
    private final RaftMember member;
    private final long authRevision;

    AuthCheckedStore(RaftMember member, long authRevision) {
        this.member = member;
        this.authRevision = authRevision;
    }

    @Override
    public CompletableFuture<RangeResponse> range(RangeRequest request) {
        return member.range(request);
    }

    @Override
    public CompletableFuture<PutResponse> put(PutRequest request) {
        return member.put(request, authRevision);
    }

    @Override
    public CompletableFuture<DeleteRangeResponse> delete(DeleteRangeRequest request) {
        return member.delete(request, authRevision);
    }

    @Override
    public CompletableFuture<TxnResponse> txn(TxnRequest request) {
        return member.txn(request, authRevision);
    }

    @Override
    public CompletableFuture<CompactResponse> compact(long revision) {
        return member.compact(revision);
    }

    @Override
    public CompletableFuture<Lease.GrantResponse> leaseGrant(Lease.GrantRequest request) {
        return member.leaseGrant(request);
    }

    @Override
    public CompletableFuture<Lease.RevokeResponse> leaseRevoke(long id) {
        return member.leaseRevoke(id, authRevision);
    }

    @Override
    public CompletableFuture<Lease.KeepAliveResponse> leaseKeepAlive(long id) {
        return member.leaseKeepAlive(id);
    }

    @Override
    public CompletableFuture<Lease.TimeToLiveResponse> leaseTimeToLive(long id, boolean keys) {
        return member.leaseTimeToLive(id, keys);
    }

    @Override
    public CompletableFuture<Lease.ListResponse> leaseList() {
        return member.leaseList();
    }

    @Override
    public Watch watch(WatchRequest request, Consumer<WatchResponse> listener) {
        return member.watch(request, listener);
    }

    /** A view closes nothing: the member stays up. */
    @Override
    public void close() {
    }
}
