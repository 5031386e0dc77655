package io.keelson.store.server;

import io.etcd.jetcd.api.CompactionRequest;
import io.etcd.jetcd.api.CompactionResponse;
import io.etcd.jetcd.api.KVGrpc;
import io.grpc.stub.StreamObserver;
import io.keelson.store.KvStore;
import io.keelson.store.StoreMember;
import io.keelson.store.auth.AuthState;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.Supplier;

/** etcd's {@code KV} service over a {@link KvStore}. */
final class KvService extends KVGrpc.KVImplBase {
    private final StoreMember member;

    KvService(StoreMember member) {
        this.member = member;
    }

    /** The member, for a request checked by {@link AuthGuard} at the auth revision it noted. */
    private KvStore store() {
        return member.checkedAt(AuthGuard.checkedRevision());
    }

    /** Answers one unary call from a store future; conversion failures become gRPC errors too. */
    static <T, R> void answer(Supplier<CompletableFuture<T>> call, Function<T, R> convert, StreamObserver<R> out) {
        CompletableFuture<T> future;
        try {
            future = call.get();
        } catch (RuntimeException e) {
            out.onError(GrpcErrors.of(e));
            return;
        }
        future.whenComplete((result, error) -> {
            if (error != null) {
                out.onError(GrpcErrors.of(error));
                return;
            }
            R converted;
            try {
                converted = convert.apply(result);
            } catch (RuntimeException e) {
                out.onError(GrpcErrors.of(e));
                return;
            }
            out.onNext(converted);
            out.onCompleted();
        });
    }

    @Override
    public void range(io.etcd.jetcd.api.RangeRequest request, StreamObserver<io.etcd.jetcd.api.RangeResponse> out) {
        long checkedAt = AuthGuard.checkedRevision();
        String user = AuthGuard.USER.get();
        answer(() -> checkedAgain(member.checkedAt(checkedAt).range(EtcdCodec.range(request)), checkedAt, user,
                request), EtcdCodec::range, out);
    }

    /**
     * A read is checked against the auth state again once it has read, as etcd checks a read's permission only after
     * the read caught up with the leader: on a member that had not applied a revoke yet when the request arrived, the
     * check {@link AuthGuard} made then would let the revoked user read.
     */
    private <T> CompletableFuture<T> checkedAgain(CompletableFuture<T> read, long checkedAt, String user,
                                                  com.google.protobuf.Message request) {
        if (checkedAt == StoreMember.ANONYMOUS) {
            return read; // auth was off when the request arrived
        }
        return read.thenApply(response -> {
            AuthState auth = member.authState();
            if (auth.revision() != checkedAt) {
                AuthGuard.check(auth, user, request);
            }
            return response;
        });
    }

    @Override
    public void put(io.etcd.jetcd.api.PutRequest request, StreamObserver<io.etcd.jetcd.api.PutResponse> out) {
        answer(() -> store().put(EtcdCodec.put(request)), EtcdCodec::put, out);
    }

    @Override
    public void deleteRange(io.etcd.jetcd.api.DeleteRangeRequest request,
                            StreamObserver<io.etcd.jetcd.api.DeleteRangeResponse> out) {
        answer(() -> store().delete(EtcdCodec.delete(request)), EtcdCodec::delete, out);
    }

    @Override
    public void txn(io.etcd.jetcd.api.TxnRequest request, StreamObserver<io.etcd.jetcd.api.TxnResponse> out) {
        long checkedAt = AuthGuard.checkedRevision();
        String user = AuthGuard.USER.get();
        answer(() -> {
            io.keelson.store.TxnRequest txn = EtcdCodec.txn(request);
            CompletableFuture<io.keelson.store.TxnResponse> done = member.checkedAt(checkedAt).txn(txn);
            // a write is checked where it applies, at the auth revision it was checked at here
            return txn.isReadOnly() ? checkedAgain(done, checkedAt, user, request) : done;
        }, EtcdCodec::txn, out);
    }

    @Override
    public void compact(CompactionRequest request, StreamObserver<CompactionResponse> out) {
        answer(() -> store().compact(request.getRevision()),
                r -> CompactionResponse.newBuilder().setHeader(EtcdCodec.header(r.header())).build(), out);
    }
}
