package io.keelson.store.server;

import io.etcd.jetcd.api.LeaseGrantRequest;
import io.etcd.jetcd.api.LeaseGrantResponse;
import io.etcd.jetcd.api.LeaseGrpc;
import io.etcd.jetcd.api.LeaseKeepAliveRequest;
import io.etcd.jetcd.api.LeaseKeepAliveResponse;
import io.etcd.jetcd.api.LeaseRevokeRequest;
import io.etcd.jetcd.api.LeaseRevokeResponse;
import io.etcd.jetcd.api.LeaseTimeToLiveRequest;
import io.etcd.jetcd.api.LeaseTimeToLiveResponse;
import io.grpc.stub.StreamObserver;
import io.keelson.store.ErrorCode;
import io.keelson.store.Lease;
import io.keelson.store.StoreException;
import io.keelson.store.StoreMember;
import java.util.concurrent.CompletionException;

/** etcd's {@code Lease} service; {@code LeaseLeases} is added by {@link LeaseLeasesMethod}. */
final class LeaseService extends LeaseGrpc.LeaseImplBase {
    private final StoreMember store;

    LeaseService(StoreMember store) {
        this.store = store;
    }

    @Override
    public void leaseGrant(LeaseGrantRequest request, StreamObserver<LeaseGrantResponse> out) {
        KvService.answer(() -> store.leaseGrant(new Lease.GrantRequest(request.getTTL(), request.getID())),
                r -> LeaseGrantResponse.newBuilder().setHeader(EtcdCodec.header(r.header())).setID(r.id())
                        .setTTL(r.ttl()).build(), out);
    }

    @Override
    public void leaseRevoke(LeaseRevokeRequest request, StreamObserver<LeaseRevokeResponse> out) {
        KvService.answer(() -> store.checkedAt(AuthGuard.checkedRevision()).leaseRevoke(request.getID()),
                r -> LeaseRevokeResponse.newBuilder().setHeader(EtcdCodec.header(r.header())).build(), out);
    }

    @Override
    public void leaseTimeToLive(LeaseTimeToLiveRequest request, StreamObserver<LeaseTimeToLiveResponse> out) {
        KvService.answer(() -> store.leaseTimeToLive(request.getID(), request.getKeys()),
                r -> LeaseTimeToLiveResponse.newBuilder().setHeader(EtcdCodec.header(r.header())).setID(r.id())
                        .setTTL(r.ttl()).setGrantedTTL(r.grantedTtl()).addAllKeys(r.keys()).build(), out);
    }

    /** Each request renews one lease; a lease that is gone is answered with TTL 0, as etcd does. */
    @Override
    public StreamObserver<LeaseKeepAliveRequest> leaseKeepAlive(StreamObserver<LeaseKeepAliveResponse> out) {
        return new StreamObserver<>() {
            @Override
            public void onNext(LeaseKeepAliveRequest request) {
                long id = request.getID();
                store.leaseKeepAlive(id).whenComplete((r, error) -> {
                    LeaseKeepAliveResponse response;
                    if (error == null) {
                        response = LeaseKeepAliveResponse.newBuilder().setHeader(EtcdCodec.header(r.header()))
                                .setID(id).setTTL(r.ttl()).build();
                    } else if (cause(error) instanceof StoreException se && se.code() == ErrorCode.LEASE_NOT_FOUND) {
                        response = LeaseKeepAliveResponse.newBuilder().setID(id).setTTL(0).build();
                    } else {
                        synchronized (out) {
                            out.onError(GrpcErrors.of(error));
                        }
                        return;
                    }
                    synchronized (out) {
                        out.onNext(response);
                    }
                });
            }

            @Override
            public void onError(Throwable t) {
                // the client went away
            }

            @Override
            public void onCompleted() {
                synchronized (out) {
                    out.onCompleted();
                }
            }
        };
    }

    private static Throwable cause(Throwable t) {
        return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    }
}
