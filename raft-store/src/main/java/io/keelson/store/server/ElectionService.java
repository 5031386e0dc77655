package io.keelson.store.server;

import io.etcd.jetcd.api.CampaignRequest;
import io.etcd.jetcd.api.CampaignResponse;
import io.etcd.jetcd.api.ElectionGrpc;
import io.etcd.jetcd.api.LeaderKey;
import io.etcd.jetcd.api.LeaderRequest;
import io.etcd.jetcd.api.LeaderResponse;
import io.etcd.jetcd.api.ProclaimRequest;
import io.etcd.jetcd.api.ProclaimResponse;
import io.etcd.jetcd.api.ResignRequest;
import io.etcd.jetcd.api.ResignResponse;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.keelson.store.KvStore;
import io.keelson.store.ResponseHeader;
import io.keelson.store.StoreMember;
import io.keelson.store.concurrency.Election;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * etcd's {@code v3electionpb.Election} service over {@link Election}: Campaign waits to lead, Proclaim and Resign
 * act only for the current claim, Leader reads it, Observe streams each leader and value.
 */
final class ElectionService extends ElectionGrpc.ElectionImplBase {
    /** etcd's {@code ErrMissingLeaderKey}. */
    static final String MISSING_LEADER_KEY = "\"leader\" field must be provided";

    private final StoreMember member;

    ElectionService(StoreMember member) {
        this.member = member;
    }

    /** The member, for a request checked by {@link AuthGuard} at the auth revision it noted. */
    private KvStore store() {
        return member.checkedAt(AuthGuard.checkedRevision());
    }

    @Override
    public void campaign(CampaignRequest request, StreamObserver<CampaignResponse> out) {
        Election election = Election.named(store(), request.getName());
        Sessions.onLease(store(), request.getLease(), lease -> election.campaign(lease, request.getValue()),
                me -> CampaignResponse.newBuilder().setHeader(EtcdCodec.header(me.header()))
                        .setLeader(LeaderKey.newBuilder().setName(me.name()).setKey(me.key()).setRev(me.revision())
                                .setLease(me.lease())).build(), out);
    }

    @Override
    public void proclaim(ProclaimRequest request, StreamObserver<ProclaimResponse> out) {
        onClaim(request.hasLeader(), request.getLeader(), (election, claim) -> election.proclaim(claim,
                request.getValue()), h -> ProclaimResponse.newBuilder().setHeader(EtcdCodec.header(h)).build(), out);
    }

    @Override
    public void resign(ResignRequest request, StreamObserver<ResignResponse> out) {
        onClaim(request.hasLeader(), request.getLeader(), Election::resign,
                h -> ResignResponse.newBuilder().setHeader(EtcdCodec.header(h)).build(), out);
    }

    /**
     * Proclaim and Resign: etcd's missing-leader error without a LeaderKey, else {@code act} on the claim it names,
     * in a session on its lease.
     */
    private <R> void onClaim(boolean hasLeader, LeaderKey l,
                             BiFunction<Election, Election.Leadership, CompletableFuture<ResponseHeader>> act,
                             Function<ResponseHeader, R> convert, StreamObserver<R> out) {
        if (!hasLeader) {
            out.onError(Status.UNKNOWN.withDescription(MISSING_LEADER_KEY).asRuntimeException());
            return;
        }
        Sessions.onLease(store(), l.getLease(), lease -> act.apply(Election.named(store(), l.getName()),
                new Election.Leadership(l.getName(), l.getKey(), l.getRev(), lease, null)), convert, out);
    }

    @Override
    public void leader(LeaderRequest request, StreamObserver<LeaderResponse> out) {
        Sessions.onLease(store(), -1, lease -> Election.named(store(), request.getName()).leader(), this::response, out);
    }

    @Override
    public void observe(LeaderRequest request, StreamObserver<LeaderResponse> out) {
        Object sending = new Object();
        Election.Observation observation = Election.named(store(), request.getName()).observe(leader -> {
            synchronized (sending) {
                out.onNext(response(leader));
            }
        }, error -> {
            synchronized (sending) {
                out.onError(Sessions.unknown(error));
            }
        });
        if (out instanceof ServerCallStreamObserver<LeaderResponse> server) {
            server.setOnCancelHandler(observation::close);
        }
    }

    private LeaderResponse response(Election.Leader leader) {
        return LeaderResponse.newBuilder().setHeader(EtcdCodec.header(leader.header()))
                .setKv(EtcdCodec.kv(leader.kv())).build();
    }
}
