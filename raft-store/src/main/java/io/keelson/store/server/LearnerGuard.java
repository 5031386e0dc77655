package io.keelson.store.server;

import io.etcd.jetcd.api.RangeRequest;
import io.etcd.jetcd.api.StatusRequest;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.keelson.store.StoreMember;

/**
 * etcd 3.4's learner: it serves serializable ranges and its status, and refuses every other request (streams
 * included) with {@code etcdserver: rpc not supported for learner}, so clients go to a voting member.
 */
final class LearnerGuard implements ServerInterceptor {
    static final Status NOT_SUPPORTED = Status.UNAVAILABLE.withDescription("etcdserver: rpc not supported for learner");

    private final StoreMember member;

    LearnerGuard(StoreMember member) {
        this.member = member;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                      ServerCallHandler<Q, R> next) {
        if (!member.isLearner()) {
            return next.startCall(call, headers);
        }
        if (!call.getMethodDescriptor().getType().clientSendsOneMessage()) {
            call.close(NOT_SUPPORTED, new Metadata());
            return new ServerCall.Listener<>() { };
        }
        ServerCall.Listener<Q> delegate = next.startCall(call, headers);
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(delegate) {
            private boolean refused;

            @Override
            public void onMessage(Q message) {
                if (message instanceof StatusRequest || message instanceof RangeRequest r && r.getSerializable()) {
                    super.onMessage(message);
                } else {
                    refused = true;
                    call.close(NOT_SUPPORTED, new Metadata());
                }
            }

            @Override
            public void onHalfClose() {
                if (!refused) {
                    super.onHalfClose();
                }
            }
        };
    }
}
