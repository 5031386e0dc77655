package io.keelson.store.server;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.keelson.store.StoreMember;

/**
 * etcd's {@code hasleader} metadata ({@code clientv3.WithRequireLeader}, set by etcdctl watch): a
 * call that carries it is refused with {@code etcdserver: no leader} while the member has no leader.
 */
final class RequireLeader implements ServerInterceptor {
    static final Metadata.Key<String> HAS_LEADER = Metadata.Key.of("hasleader", Metadata.ASCII_STRING_MARSHALLER);

    private final StoreMember member;

    RequireLeader(StoreMember member) {
        this.member = member;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                      ServerCallHandler<Q, R> next) {
        if ("true".equals(headers.get(HAS_LEADER)) && member.status().leader().isEmpty()) {
            call.close(Status.UNAVAILABLE.withDescription("etcdserver: no leader"), new Metadata());
            return new ServerCall.Listener<>() { };
        }
        return next.startCall(call, headers);
    }
}
