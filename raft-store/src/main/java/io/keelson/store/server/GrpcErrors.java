package io.keelson.store.server;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.keelson.store.ErrorCode;
import io.keelson.store.StoreException;
import io.keelson.store.concurrency.ConcurrencyException;
import java.util.concurrent.CompletionException;

/**
 * etcd's gRPC status codes and texts for the store's errors: etcd clients match on both
 * ({@code rpctypes.Error}), so they must be exactly etcd's.
 */
final class GrpcErrors {
    private GrpcErrors() {
    }

    /**
     * Answers a unary call once {@code work} completes: with {@code response} (which may join {@code work}), or
     * with etcd's error for its failure.
     */
    static <T> void answer(java.util.concurrent.CompletableFuture<?> work, io.grpc.stub.StreamObserver<T> out,
                           java.util.function.Supplier<T> response) {
        work.whenComplete((ok, error) -> {
            if (error != null) {
                out.onError(of(error));
                return;
            }
            out.onNext(response.get());
            out.onCompleted();
        });
    }

    static StatusRuntimeException of(Throwable error) {
        Throwable t = error;
        while (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof StatusRuntimeException s) {
            return s;
        }
        if (t instanceof ConcurrencyException) {
            return Status.UNKNOWN.withDescription(t.getMessage()).asRuntimeException(); // etcd's recipe errors
        }
        if (t instanceof java.util.concurrent.CancellationException) {
            return Status.CANCELLED.withDescription("context canceled").asRuntimeException();
        }
        if (!(t instanceof StoreException e)) {
            return Status.UNKNOWN.withDescription(String.valueOf(t)).asRuntimeException();
        }
        ErrorCode code = e.code();
        String message = code.message().startsWith("etcdserver: ") ? code.message() : "etcdserver: " + code.message();
        return status(code).withDescription(message).asRuntimeException();
    }

    private static Status status(ErrorCode code) {
        return switch (code) {
            case EMPTY_KEY, REQUEST_TOO_LARGE, TOO_MANY_TXN_OPS, DUPLICATE_KEY, KEY_NOT_FOUND, VALUE_PROVIDED,
                    LEASE_PROVIDED, INVALID_ARGUMENT, EMPTY_WATCH_RANGE, MEMBER_BAD_URLS -> Status.INVALID_ARGUMENT;
            case LEASE_NOT_FOUND, MEMBER_NOT_FOUND -> Status.NOT_FOUND;
            case PEER_URL_EXISTS, MEMBER_NOT_ENOUGH_STARTED, MEMBER_NOT_LEARNER, LEARNER_NOT_READY, TOO_MANY_LEARNERS,
                    MEMBER_ADDRESS_FIXED -> Status.FAILED_PRECONDITION;
            case LEASE_EXISTS, ROOT_USER_NOT_EXIST, ROOT_ROLE_NOT_EXIST, USER_ALREADY_EXIST, USER_NOT_FOUND,
                    ROLE_ALREADY_EXIST, ROLE_NOT_FOUND, ROLE_NOT_GRANTED, PERMISSION_NOT_GRANTED, AUTH_NOT_ENABLED ->
                    Status.FAILED_PRECONDITION;
            case USER_EMPTY, ROLE_EMPTY, AUTH_FAILED, INVALID_AUTH_MGMT, AUTH_OLD_REVISION -> Status.INVALID_ARGUMENT;
            case PERMISSION_DENIED -> Status.PERMISSION_DENIED;
            case INVALID_AUTH_TOKEN -> Status.UNAUTHENTICATED;
            case LEASE_TTL_TOO_LARGE, COMPACTED, FUTURE_REVISION -> Status.OUT_OF_RANGE;
            case NO_LEADER, TIMEOUT, STOPPED, LEADER_TRANSFER_TIMEOUT, UNHEALTHY -> Status.UNAVAILABLE;
            case NOT_LEADER, BAD_LEADER_TRANSFEREE -> Status.FAILED_PRECONDITION;
            case TOO_MANY_REQUESTS, NO_SPACE -> Status.RESOURCE_EXHAUSTED;
        };
    }
}
