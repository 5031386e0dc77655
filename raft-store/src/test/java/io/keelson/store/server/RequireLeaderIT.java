package io.keelson.store.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.etcd.jetcd.api.KVGrpc;
import io.etcd.jetcd.api.RangeRequest;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.keelson.store.KeelsonStore;
import io.keelson.store.StoreConfig;
import io.keelson.store.StoreMember;
import io.keelson.store.TestStores;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A call carrying etcd's {@code hasleader} metadata is refused by a member that has lost its leader. */
class RequireLeaderIT {
    @TempDir
    Path root;

    @Test
    void memberWithoutLeader_refusesRequireLeaderCalls_withNoLeader() throws Exception {
        List<StoreMember> members = new ArrayList<>();
        for (StoreConfig c : TestStores.threeMembers(root)) {
            members.add(KeelsonStore.open(c));
        }
        StoreMember survivor = members.get(0);
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        EtcdServer server = EtcdServer.start(survivor, List.of(new InetSocketAddress("127.0.0.1", port)), List.of());
        ManagedChannel channel = NettyChannelBuilder.forTarget("127.0.0.1:" + port).usePlaintext().build();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (survivor.status().leader().isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            Metadata md = new Metadata();
            md.put(RequireLeader.HAS_LEADER, "true");
            KVGrpc.KVBlockingStub requireLeader = KVGrpc.newBlockingStub(channel)
                    .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md));
            RangeRequest range = RangeRequest.newBuilder().setKey(com.google.protobuf.ByteString.copyFromUtf8("k"))
                    .setSerializable(true).build();
            assertThat(requireLeader.range(range).getHeader().getMemberId()).isEqualTo(survivor.status().memberId());

            members.get(1).close();
            members.get(2).close();
            deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (survivor.status().leader().isPresent() && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(survivor.status().leader()).as("the lone member knows it has no leader").isEmpty();
            assertThatThrownBy(() -> requireLeader.range(range))
                    .hasMessage("UNAVAILABLE: etcdserver: no leader");
            // without the metadata a serializable read is still served locally
            assertThat(KVGrpc.newBlockingStub(channel).range(range).getHeader().getMemberId())
                    .isEqualTo(survivor.status().memberId());
        } finally {
            channel.shutdownNow();
            server.close();
            members.forEach(StoreMember::close);
        }
    }
}
