package io.keelson.store.server;

import io.etcd.jetcd.api.ClusterGrpc;
import io.etcd.jetcd.api.Member;
import io.etcd.jetcd.api.MemberAddRequest;
import io.etcd.jetcd.api.MemberAddResponse;
import io.etcd.jetcd.api.MemberListRequest;
import io.etcd.jetcd.api.MemberListResponse;
import io.etcd.jetcd.api.MemberRemoveRequest;
import io.etcd.jetcd.api.MemberRemoveResponse;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.keelson.store.MemberStatus;
import io.keelson.store.Peer;
import io.keelson.store.ResponseHeader;
import io.keelson.store.StoreMember;
import java.util.List;
import java.util.Map;

/**
 * etcd's {@code Cluster} service: the member list from the group's Raft configuration, with the client URLs each
 * member has published.
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
        MemberStatus s = member.status();
        // etcd's cluster service answers without a revision: its header carries only ids and the term
        MemberListResponse.Builder b = MemberListResponse.newBuilder()
                .setHeader(EtcdCodec.header(new ResponseHeader(s.clusterId(), s.memberId(), 0, s.raftTerm())));
        Map<String, List<String>> published = member.publishedClientUrls();
        for (Peer p : member.members()) {
            Member.Builder m = Member.newBuilder().setID(member.memberIdOf(p.name())).setName(p.name())
                    .addPeerURLs("http://" + p.address());
            // its own URLs are known at once; the others' once their publish entries have applied here
            m.addAllClientURLs(p.name().equals(s.memberName()) ? clientUrls
                    : published.getOrDefault(p.name(), List.of()));
            b.addMembers(m);
        }
        out.onNext(b.build());
        out.onCompleted();
    }

    @Override
    public void memberAdd(MemberAddRequest request, StreamObserver<MemberAddResponse> out) {
        out.onError(Status.UNIMPLEMENTED.withDescription("etcdserver: member add is not supported yet")
                .asRuntimeException());
    }

    @Override
    public void memberRemove(MemberRemoveRequest request, StreamObserver<MemberRemoveResponse> out) {
        out.onError(Status.UNIMPLEMENTED.withDescription("etcdserver: member remove is not supported yet")
                .asRuntimeException());
    }
}
