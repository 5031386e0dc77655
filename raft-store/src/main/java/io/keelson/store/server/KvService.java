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

    /**
     * A linearizable range is checked again once it has read, as etcd checks its permission only after the read has
     * caught up with the leader: on a member that had not yet applied a revoke when the request arrived, the check
     * {@link AuthGuard} made then would let a revoked user read.
     */
    @Override
    public void range(io.etcd.jetcd.api.RangeRequest request, StreamObserver<io.etcd.jetcd.api.RangeResponse> out) {
        long checkedAt = AuthGuard.checkedRevision();
        String user = AuthGuard.USER.get();
        answer(() -> {
            CompletableFuture<io.keelson.store.RangeResponse> read = member.checkedAt(checkedAt)
                    .range(EtcdCodec.range(request));
            if (request.getSerializable() || checkedAt == StoreMember.ANONYMOUS) {
                return read;
            }
            return read.thenApply(response -> {
                AuthState auth = member.authState();
                if (auth.revision() != checkedAt) {
                    AuthGuard.check(auth, user, request);
                }
                return response;
            });
        }, EtcdCodec::range, out);
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
        answer(() -> store().txn(EtcdCodec.txn(request)), EtcdCodec::txn, out);
    }

    @Override
    public void compact(CompactionRequest request, StreamObserver<CompactionResponse> out) {
        answer(() -> store().compact(request.getRevision()),
                r -> CompactionResponse.newBuilder().setHeader(EtcdCodec.header(r.header())).build(), out);
    }
}
