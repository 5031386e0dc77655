package io.keelson.store.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.common.exception.CompactedException;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.lease.LeaseKeepAliveResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.grpc.stub.StreamObserver;
import io.keelson.store.StoreMember;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** jetcd, etcd's Java client, against a three-member group, each member serving etcd's gRPC API. */
class JetcdIT {
    @TempDir
    static Path root;
    static ServedCluster cluster;
    static List<StoreMember> members;
    static List<EtcdServer> servers;
    static Client client;

    @BeforeAll
    static void start() throws Exception {
        cluster = ServedCluster.start(root);
        members = cluster.members;
        servers = cluster.servers;
        client = cluster.client();
    }

    @AfterAll
    static void stop() {
        client.close();
        cluster.close();
    }

    @Test
    void theLeadersMetrics_haveHeartbeatRoundTrips_toEachPeer() throws Exception {
        int leader = -1;
        for (int i = 0; i < members.size(); i++) {
            if (members.get(i).status().isLeader()) {
                leader = i;
            }
        }
        assertThat(leader).as("a leader").isNotNegative();
        java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder()
                .version(java.net.http.HttpClient.Version.HTTP_1_1).build();
        java.net.URI metrics = java.net.URI.create(cluster.endpoints.get(leader) + "/metrics");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        String body;
        do {
            Thread.sleep(200); // heartbeats go every 100 ms to an idle follower
            body = http.send(java.net.http.HttpRequest.newBuilder(metrics).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        } while (body.split("etcd_network_peer_round_trip_time_seconds_count").length < 3
                && System.nanoTime() < deadline);

        assertThat(body).contains("# HELP etcd_network_peer_round_trip_time_seconds Round-Trip-Time histogram between"
                + " peers\n", "etcd_network_peer_round_trip_time_seconds_bucket{To=\"");
        for (int i = 0; i < members.size(); i++) {
            if (i != leader) {
                String to = Long.toHexString(members.get(i).status().memberId());
                assertThat(HttpEndpointsIT.sample(body, "etcd_network_peer_round_trip_time_seconds_count{To=\"" + to
                        + "\"}")).as("round trips to " + to).isGreaterThan(0);
            }
        }
    }

    static ByteSequence bs(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }

    @Test
    void kvAndTxn() throws Exception {
        KV kv = client.getKVClient();
        long rev = kv.put(bs("/j/a"), bs("1")).get(10, TimeUnit.SECONDS).getHeader().getRevision();
        kv.put(bs("/j/b"), bs("2")).get(10, TimeUnit.SECONDS);
        var got = kv.get(bs("/j/"), GetOption.builder().isPrefix(true).build()).get(10, TimeUnit.SECONDS);
        assertThat(got.getKvs()).extracting(k -> k.getKey().toString(StandardCharsets.UTF_8))
                .containsExactly("/j/a", "/j/b");
        assertThat(got.getKvs().get(0).getModRevision()).isEqualTo(rev);

        TxnResponse txn = kv.txn().If(new Cmp(bs("/j/a"), Cmp.Op.EQUAL, CmpTarget.value(bs("1"))))
                .Then(Op.put(bs("/j/a"), bs("won"), PutOption.DEFAULT), Op.put(bs("/j/c"), bs("3"), PutOption.DEFAULT))
                .Else(Op.put(bs("/j/lost"), bs("x"), PutOption.DEFAULT)).commit().get(10, TimeUnit.SECONDS);
        assertThat(txn.isSucceeded()).isTrue();
        var after = kv.get(bs("/j/a")).get(10, TimeUnit.SECONDS).getKvs().get(0);
        assertThat(after.getValue().toString(StandardCharsets.UTF_8)).isEqualTo("won");
        assertThat(after.getVersion()).isEqualTo(2);
        assertThat(kv.get(bs("/j/lost")).get(10, TimeUnit.SECONDS).getKvs()).isEmpty();
    }

    @Test
    void memberList_fromAnyMember_showsEveryMembersClientUrls() throws Exception {
        List<String> expected = new ArrayList<>();
        for (EtcdServer server : servers) {
            expected.add("http://127.0.0.1:" + server.port());
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        // members publish their URLs through the log after they start: wait until all have applied
        List<String> listed = listedClientUrls();
        while (listed.size() < expected.size() && System.nanoTime() < deadline) {
            Thread.sleep(100);
            listed = listedClientUrls();
        }
        assertThat(listed).containsExactlyInAnyOrderElementsOf(expected);
    }

    private static List<String> listedClientUrls() throws Exception {
        return client.getClusterClient().listMember().get(10, TimeUnit.SECONDS).getMembers().stream()
                .flatMap(m -> m.getClientURIs().stream()).map(Object::toString).toList();
    }

    @Test
    void watchResumesAfterACompactionError() throws Exception {
        KV kv = client.getKVClient();
        long first = kv.put(bs("/w/k"), bs("1")).get(10, TimeUnit.SECONDS).getHeader().getRevision();
        kv.put(bs("/w/k"), bs("2")).get(10, TimeUnit.SECONDS);
        long compactAt = kv.put(bs("/w/k"), bs("3")).get(10, TimeUnit.SECONDS).getHeader().getRevision();
        kv.compact(compactAt).get(10, TimeUnit.SECONDS);

        AtomicReference<Throwable> error = new AtomicReference<>();
        Watch watchClient = client.getWatchClient();
        Watch.Watcher failed = watchClient.watch(bs("/w/k"), WatchOption.builder().withRevision(first).build(),
                r -> { }, error::set);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (error.get() == null && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(error.get()).isInstanceOf(CompactedException.class);
        long resumeAt = ((CompactedException) error.get()).getCompactedRevision();
        assertThat(resumeAt).isEqualTo(compactAt);
        failed.close();

        List<WatchEvent> events = new CopyOnWriteArrayList<>();
        try (Watch.Watcher resumed = watchClient.watch(bs("/w/k"), WatchOption.builder().withRevision(resumeAt)
                .build(), r -> events.addAll(r.getEvents()))) {
            kv.put(bs("/w/k"), bs("4")).get(10, TimeUnit.SECONDS);
            deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (events.size() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
        }
        assertThat(events).extracting(e -> e.getKeyValue().getValue().toString(StandardCharsets.UTF_8))
                .containsExactly("3", "4");
    }

    @Test
    void leaseKeepAliveKeepsKeysUntilRevoked() throws Exception {
        var leases = client.getLeaseClient();
        long id = leases.grant(2).get(10, TimeUnit.SECONDS).getID();
        client.getKVClient().put(bs("/l/k"), bs("v"), PutOption.builder().withLeaseId(id).build())
                .get(10, TimeUnit.SECONDS);
        List<LeaseKeepAliveResponse> renewals = new CopyOnWriteArrayList<>();
        try (var keepAlive = leases.keepAlive(id, new StreamObserver<>() {
            @Override
            public void onNext(LeaseKeepAliveResponse r) {
                renewals.add(r);
            }

            @Override
            public void onError(Throwable t) {
            }

            @Override
            public void onCompleted() {
            }
        })) {
            Thread.sleep(4000); // twice the TTL
            assertThat(client.getKVClient().get(bs("/l/k")).get(10, TimeUnit.SECONDS).getKvs()).hasSize(1);
            assertThat(renewals).isNotEmpty().allMatch(r -> r.getTTL() == 2);
        }
        leases.revoke(id).get(10, TimeUnit.SECONDS);
        assertThat(client.getKVClient().get(bs("/l/k")).get(10, TimeUnit.SECONDS).getKvs()).isEmpty();
    }

    @Test
    void badInputOverTheWire_getsEtcdsErrors_andTheServerKeepsServing() throws Exception {
        KV kv = client.getKVClient();
        Op[] ops = new Op[129];
        for (int i = 0; i < ops.length; i++) {
            ops[i] = Op.put(bs("/bad/" + i), bs("v"), PutOption.DEFAULT);
        }
        assertThatThrownBy(() -> kv.txn().Then(ops).commit().get(10, TimeUnit.SECONDS))
                .hasMessageContaining("etcdserver: too many operations in txn request");
        assertThatThrownBy(() -> kv.txn().Then(Op.put(bs("/bad/d"), bs("1"), PutOption.DEFAULT),
                Op.put(bs("/bad/d"), bs("2"), PutOption.DEFAULT)).commit().get(10, TimeUnit.SECONDS))
                .hasMessageContaining("etcdserver: duplicate key given in txn request");
        assertThatThrownBy(() -> kv.put(bs("/bad/l"), bs("v"), PutOption.builder().withLeaseId(424242).build())
                .get(10, TimeUnit.SECONDS)).hasMessageContaining("etcdserver: requested lease not found");
        assertThatThrownBy(() -> kv.get(bs("/bad/x"), GetOption.builder().withRevision(1_000_000).build())
                .get(10, TimeUnit.SECONDS)).hasMessageContaining("etcdserver: mvcc: required revision is a future revision");

        // a method etcd does not have, and a request body that is not a protobuf message
        io.grpc.ManagedChannel channel = io.grpc.netty.NettyChannelBuilder.forTarget("127.0.0.1:" + servers.get(0).port())
                .usePlaintext().build();
        try {
            var unknown = io.grpc.MethodDescriptor.<byte[], byte[]>newBuilder()
                    .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
                    .setFullMethodName("etcdserverpb.KV/NoSuchMethod")
                    .setRequestMarshaller(new BytesMarshaller()).setResponseMarshaller(new BytesMarshaller()).build();
            assertThatThrownBy(() -> io.grpc.stub.ClientCalls.blockingUnaryCall(channel, unknown,
                    io.grpc.CallOptions.DEFAULT, new byte[] {1, 2, 3}))
                    .hasMessageContaining("UNIMPLEMENTED");
            var garbage = io.grpc.MethodDescriptor.<byte[], byte[]>newBuilder()
                    .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
                    .setFullMethodName("etcdserverpb.KV/Put")
                    .setRequestMarshaller(new BytesMarshaller()).setResponseMarshaller(new BytesMarshaller()).build();
            assertThatThrownBy(() -> io.grpc.stub.ClientCalls.blockingUnaryCall(channel, garbage,
                    io.grpc.CallOptions.DEFAULT, new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff}))
                    .isInstanceOf(io.grpc.StatusRuntimeException.class);
        } finally {
            channel.shutdownNow();
        }
        assertThat(kv.put(bs("/bad/ok"), bs("still serving")).get(10, TimeUnit.SECONDS).getHeader().getRevision())
                .isPositive();
    }

    private static final class BytesMarshaller implements io.grpc.MethodDescriptor.Marshaller<byte[]> {
        @Override
        public java.io.InputStream stream(byte[] value) {
            return new java.io.ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(java.io.InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    @Test
    void moveLeader_handsLeadershipOver_onlyFromTheLeader_andOnlyToAMember() throws Exception {
        int leader = -1;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (leader < 0 && System.nanoTime() < deadline) {
            for (int i = 0; i < members.size(); i++) {
                if (members.get(i).status().isLeader()) {
                    leader = i;
                }
            }
        }
        int next = (leader + 1) % members.size();
        long nextId = members.get(next).status().memberId();
        try (Client toLeader = Client.builder().endpoints(cluster.endpoints.get(leader)).build();
             Client toFollower = Client.builder().endpoints(cluster.endpoints.get((leader + 2) % 3)).build()) {
            assertThatThrownBy(() -> toFollower.getMaintenanceClient().moveLeader(nextId).get(10, TimeUnit.SECONDS))
                    .hasMessageContaining("etcdserver: not leader");
            assertThatThrownBy(() -> toLeader.getMaintenanceClient().moveLeader(12345).get(10, TimeUnit.SECONDS))
                    .hasMessageContaining("etcdserver: bad leader transferee");
            toLeader.getMaintenanceClient().moveLeader(nextId).get(30, TimeUnit.SECONDS);
            assertThat(members.get(next).status().isLeader()).isTrue();
        }
        if (Etcdctl.onPath("etcdctl")) { // etcdctl finds the leader among the endpoints, as against etcd
            long back = members.get(leader).status().memberId();
            Etcdctl.Result r = Etcdctl.run(String.join(",", cluster.endpoints), null, "move-leader",
                    Long.toHexString(back));
            assertThat(r.out()).as(r.out()).contains("Leadership transferred from "
                    + Long.toHexString(nextId) + " to " + Long.toHexString(back));
            assertThat(members.get(leader).status().isLeader()).isTrue();
        }
    }
}
