package io.keelson.store.server;

import io.etcd.jetcd.api.ClusterGrpc;
import io.etcd.jetcd.api.Member;
import io.etcd.jetcd.api.MemberAddRequest;
import io.etcd.jetcd.api.MemberAddResponse;
import io.etcd.jetcd.api.MemberListRequest;
import io.etcd.jetcd.api.MemberListResponse;
import io.etcd.jetcd.api.MemberPromoteRequest;
import io.etcd.jetcd.api.MemberPromoteResponse;
import io.etcd.jetcd.api.MemberRemoveRequest;
import io.etcd.jetcd.api.MemberRemoveResponse;
import io.etcd.jetcd.api.MemberUpdateRequest;
import io.etcd.jetcd.api.MemberUpdateResponse;
import io.grpc.stub.StreamObserver;
import io.keelson.store.ClusterMember;
import io.keelson.store.MemberStatus;
import io.keelson.store.ResponseHeader;
import io.keelson.store.StoreMember;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * etcd's {@code Cluster} service: the member list (the group's Raft configuration, the members added that have not
 * joined yet, and the client URLs each has published), member add, remove, update and promote.
 */
final class ClusterService extends ClusterGrpc.ClusterImplBase {
    private final StoreMember member;
    private final List<String> clientUrls;

    ClusterService(StoreMember member, List<String> clientUrls) {
        this.member = member;
        this.clientUrls = List.copyOf(clientUrls);
    }

    @Override
    public void memberList(MemberListRequest request, StreamObserver<MemberListResponse> out) {
        MemberListResponse.Builder b = MemberListResponse.newBuilder().setHeader(header());
        member.memberList().forEach(m -> b.addMembers(proto(m)));
        out.onNext(b.build());
        out.onCompleted();
    }

    @Override
    public void memberAdd(MemberAddRequest request, StreamObserver<MemberAddResponse> out) {
        CompletableFuture<ClusterMember> added = member.addMember(request.getPeerURLsList(), request.getIsLearner());
        GrpcErrors.answer(added, out, () -> {
            MemberAddResponse.Builder b = MemberAddResponse.newBuilder().setHeader(header())
                    .setMember(proto(added.join()));
            // the list as applied here: the new member is in it once its registration has applied on this member
            List<ClusterMember> members = member.memberList();
            members.forEach(m -> b.addMembers(proto(m)));
            if (members.stream().noneMatch(m -> m.id() == added.join().id())) {
                b.addMembers(proto(added.join()));
            }
            return b.build();
        });
    }

    @Override
    public void memberRemove(MemberRemoveRequest request, StreamObserver<MemberRemoveResponse> out) {
        GrpcErrors.answer(member.removeMember(request.getID()), out, () -> {
            MemberRemoveResponse.Builder b = MemberRemoveResponse.newBuilder().setHeader(header());
            member.memberList().stream().filter(m -> m.id() != request.getID()).forEach(m -> b.addMembers(proto(m)));
            return b.build();
        });
    }

    @Override
    public void memberPromote(MemberPromoteRequest request, StreamObserver<MemberPromoteResponse> out) {
        GrpcErrors.answer(member.promoteMember(request.getID()), out, () -> {
            MemberPromoteResponse.Builder b = MemberPromoteResponse.newBuilder().setHeader(header());
            member.memberList().forEach(m -> b.addMembers(proto(m)));
            return b.build();
        });
    }

    @Override
    public void memberUpdate(MemberUpdateRequest request, StreamObserver<MemberUpdateResponse> out) {
        GrpcErrors.answer(member.updateMember(request.getID(), request.getPeerURLsList()), out, () -> {
            MemberUpdateResponse.Builder b = MemberUpdateResponse.newBuilder().setHeader(header());
            // the list as applied here, with the new URLs even if their entry has not applied on this member yet
            for (ClusterMember m : member.memberList()) {
                Member proto = proto(m);
                b.addMembers(m.id() != request.getID() ? proto
                        : proto.toBuilder().clearPeerURLs().addAllPeerURLs(request.getPeerURLsList()).build());
            }
            return b.build();
        });
    }

    /** etcd's cluster service answers without a revision: its header carries only ids and the term. */
    private io.etcd.jetcd.api.ResponseHeader header() {
        MemberStatus s = member.status();
        return EtcdCodec.header(new ResponseHeader(s.clusterId(), s.memberId(), 0, s.raftTerm()));
    }

    private Member proto(ClusterMember m) {
        // this member's own client URLs are known at once; the others' once their publish entries have applied here
        List<String> clients = m.name().equals(member.config().memberName()) ? clientUrls : m.clientUrls();
        return Member.newBuilder().setID(m.id()).setName(m.name()).addAllPeerURLs(m.peerUrls())
                .addAllClientURLs(clients).setIsLearner(m.learner()).build();
    }
}
