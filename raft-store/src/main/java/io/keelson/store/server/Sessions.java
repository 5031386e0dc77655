package io.keelson.store.server;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.keelson.store.KvStore;
import io.keelson.store.Lease;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.LongFunction;

/**
 * What etcd's lock and election services share: each call runs in a "session" on the request's lease (lease 0
 * grants one of 60 s, never renewed: the server does not keep it alive), and their errors reach clients as etcd's
 * embedded client hands them on: UNKNOWN with etcd's text (etcd's {@code v3lock}/{@code v3election} servers
 * return the errors of their in-process client, which carry no gRPC status).
 */
final class Sessions {
    /** etcd's {@code defaultSessionTTL}. */
    static final long DEFAULT_TTL_SECONDS = 60;

    private Sessions() {
    }

    /** Runs {@code call} with the lease (a new one for 0) and answers {@code out} with its converted result. */
    static <T, R> void onLease(KvStore store, long lease, LongFunction<CompletableFuture<T>> call,
                               Function<T, R> convert, StreamObserver<R> out) {
        CompletableFuture<Long> id = lease != 0 ? CompletableFuture.completedFuture(lease)
                : store.leaseGrant(Lease.GrantRequest.ttl(DEFAULT_TTL_SECONDS)).thenApply(Lease.GrantResponse::id);
        // the call's own future is cancelled with the RPC, so that a cancelled Lock or Campaign leaves the line
        AtomicReference<CompletableFuture<T>> running = new AtomicReference<>();
        AtomicBoolean cancelled = new AtomicBoolean();
        CompletableFuture<T> result = id.thenCompose(l -> {
            CompletableFuture<T> f = call.apply(l);
            running.set(f);
            if (cancelled.get()) {
                f.cancel(false);
            }
            return f;
        });
        if (out instanceof ServerCallStreamObserver<R> server) {
            server.setOnCancelHandler(() -> {
                cancelled.set(true);
                CompletableFuture<T> f = running.get();
                if (f != null) {
                    f.cancel(false);
                }
                result.cancel(false);
            });
        }
        result.whenComplete((r, error) -> {
            if (error != null) {
                out.onError(unknown(error));
                return;
            }
            R converted;
            try {
                converted = convert.apply(r);
            } catch (RuntimeException e) {
                out.onError(unknown(e));
                return;
            }
            out.onNext(converted);
            out.onCompleted();
        });
    }

    /** The error as etcd's lock and election servers send it: UNKNOWN, with etcd's text. */
    static StatusRuntimeException unknown(Throwable error) {
        StatusRuntimeException s = GrpcErrors.of(error);
        if (s.getStatus().getCode() == Status.Code.CANCELLED) {
            return s;
        }
        return Status.UNKNOWN.withDescription(s.getStatus().getDescription()).asRuntimeException();
    }
}
