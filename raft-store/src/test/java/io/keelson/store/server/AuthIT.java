package io.keelson.store.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.api.AuthGrpc;
import io.etcd.jetcd.api.AuthenticateRequest;
import io.etcd.jetcd.api.KVGrpc;
import io.etcd.jetcd.api.PutRequest;
import io.etcd.jetcd.api.RangeRequest;
import io.etcd.jetcd.api.WatchCreateRequest;
import io.etcd.jetcd.api.WatchGrpc;
import io.etcd.jetcd.api.WatchResponse;
import io.etcd.jetcd.auth.Permission;
import io.etcd.jetcd.options.GetOption;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * etcd's auth on a three-member cluster, through jetcd and etcd's gRPC API: a token issued by one member is
 * accepted by every member, an unknown one is refused, watches are checked per watch, a deleted user's token
 * stops working, and jetcd's own auth session passes.
 */
class AuthIT {
    @TempDir
    Path root;
    ServedCluster cluster;
    final java.util.List<ManagedChannel> channels = new java.util.ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        cluster = ServedCluster.start(root);
    }

    /** root, and alice with read and write on the prefix /a/; auth enabled. */
    private void enableAuthWithAlice() throws Exception {
        try (Client admin = cluster.client()) {
            var auth = admin.getAuthClient();
            auth.userAdd(bytes("root"), bytes("rootpw")).get(10, TimeUnit.SECONDS);
            auth.roleAdd(bytes("root")).get(10, TimeUnit.SECONDS);
            auth.userGrantRole(bytes("root"), bytes("root")).get(10, TimeUnit.SECONDS);
            auth.userAdd(bytes("alice"), bytes("alicepw")).get(10, TimeUnit.SECONDS);
            auth.roleAdd(bytes("app")).get(10, TimeUnit.SECONDS);
            auth.roleGrantPermission(bytes("app"), bytes("/a/"), bytes("/a0"), Permission.Type.READWRITE)
                    .get(10, TimeUnit.SECONDS);
            auth.userGrantRole(bytes("alice"), bytes("app")).get(10, TimeUnit.SECONDS);
            auth.authEnable().get(10, TimeUnit.SECONDS);
        }
    }

    @AfterEach
    void close() {
        channels.forEach(ManagedChannel::shutdownNow);
        if (cluster != null) {
            cluster.close();
        }
    }

    private static ByteSequence bytes(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }

    private ManagedChannel channel(int member) {
        URI u = URI.create(cluster.endpoints.get(member));
        ManagedChannel c = ManagedChannelBuilder.forAddress(u.getHost(), u.getPort()).usePlaintext().build();
        channels.add(c);
        return c;
    }

    private static Metadata token(String token) {
        Metadata m = new Metadata();
        m.put(AuthGuard.TOKEN, token);
        return m;
    }

    @Test
    void aTokenFromOneMember_isAcceptedByTheOthers_andAnUnknownOneIsRefused() throws Exception {
        enableAuthWithAlice();
        String token = AuthGrpc.newBlockingStub(channel(0)).authenticate(AuthenticateRequest.newBuilder()
                .setName("alice").setPassword("alicepw").build()).getToken();
        for (int m = 0; m < 3; m++) {
            var kv = KVGrpc.newBlockingStub(channel(m)).withInterceptors(
                    MetadataUtils.newAttachHeadersInterceptor(token(token)));
            kv.put(PutRequest.newBuilder().setKey(ByteString.copyFromUtf8("/a/" + m)).build());
            assertThat(kv.range(RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8("/a/" + m)).build())
                    .getCount()).isEqualTo(1);
            assertThatThrownBy(() -> kv.put(PutRequest.newBuilder().setKey(ByteString.copyFromUtf8("/b")).build()))
                    .isInstanceOf(StatusRuntimeException.class).hasMessage("PERMISSION_DENIED: etcdserver: permission denied");
        }
        var forged = KVGrpc.newBlockingStub(channel(1)).withInterceptors(
                MetadataUtils.newAttachHeadersInterceptor(token("forged.1")));
        assertThatThrownBy(() -> forged.range(RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8("/a/0"))
                .build())).hasMessage("UNAUTHENTICATED: etcdserver: invalid auth token");
        var anonymous = KVGrpc.newBlockingStub(channel(2));
        assertThatThrownBy(() -> anonymous.range(RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8("/a/0"))
                .build())).hasMessage("INVALID_ARGUMENT: etcdserver: user name is empty");
        assertThatThrownBy(() -> AuthGrpc.newBlockingStub(channel(2)).authenticate(AuthenticateRequest.newBuilder()
                .setName("alice").setPassword("wrong").build()))
                .hasMessage("INVALID_ARGUMENT: etcdserver: authentication failed, invalid user ID or password");
    }

    @Test
    void aWatchOutsideTheUsersPermissions_isCanceled_andOneInsideThemSeesWrites() throws Exception {
        enableAuthWithAlice();
        String token = AuthGrpc.newBlockingStub(channel(0)).authenticate(AuthenticateRequest.newBuilder()
                .setName("alice").setPassword("alicepw").build()).getToken();
        WatchStream watch = new WatchStream(WatchGrpc.newStub(channel(1))
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(token(token))));
        watch.create(WatchCreateRequest.newBuilder().setKey(ByteString.copyFromUtf8("/b")));
        WatchResponse refused = watch.next();
        assertThat(refused.getCanceled()).isTrue();
        assertThat(refused.getCancelReason()).isEqualTo("etcdserver: permission denied");
        watch.create(WatchCreateRequest.newBuilder().setKey(ByteString.copyFromUtf8("/a/"))
                .setRangeEnd(ByteString.copyFromUtf8("/a0")));
        WatchResponse created = watch.next();
        assertThat(created.getCreated()).isTrue();
        assertThat(created.getCanceled()).isFalse();
        try (Client alice = Client.builder().endpoints(cluster.endpoints.get(2)).user(bytes("alice"))
                .password(bytes("alicepw")).build()) {
            alice.getKVClient().put(bytes("/a/watched"), bytes("v")).get(10, TimeUnit.SECONDS);
        }
        WatchResponse event = watch.next();
        assertThat(event.getEvents(0).getKv().getKey().toStringUtf8()).isEqualTo("/a/watched");
        watch.close();
    }

    @Test
    void revokingALease_needsWriteAccessToEveryKeyAttachedToIt() throws Exception {
        enableAuthWithAlice();
        try (Client alice = Client.builder().endpoints(cluster.endpoints.get(0)).user(bytes("alice"))
                .password(bytes("alicepw")).build();
             Client rootUser = Client.builder().endpoints(cluster.endpoints.get(0)).user(bytes("root"))
                     .password(bytes("rootpw")).build()) {
            long others = rootUser.getLeaseClient().grant(60).get(10, TimeUnit.SECONDS).getID();
            rootUser.getKVClient().put(bytes("/b"), bytes("v"), io.etcd.jetcd.options.PutOption.builder()
                    .withLeaseId(others).build()).get(10, TimeUnit.SECONDS);
            assertThatThrownBy(() -> alice.getLeaseClient().revoke(others).get(10, TimeUnit.SECONDS))
                    .hasMessageContaining("etcdserver: permission denied");
            long own = alice.getLeaseClient().grant(60).get(10, TimeUnit.SECONDS).getID();
            alice.getKVClient().put(bytes("/a/leased"), bytes("v"), io.etcd.jetcd.options.PutOption.builder()
                    .withLeaseId(own).build()).get(10, TimeUnit.SECONDS);
            alice.getLeaseClient().revoke(own).get(10, TimeUnit.SECONDS);
            assertThat(alice.getKVClient().get(bytes("/a/leased")).get(10, TimeUnit.SECONDS).getCount()).isZero();
        }
    }

    /** The session of jetcd 0.8.7's AuthClientTest, on a three-member cluster. */
    @Test
    void jetcdsAuthSession() throws Exception {
        try (Client anonymous = cluster.client()) {
            var auth = anonymous.getAuthClient();
            auth.roleAdd(bytes("root")).get(10, TimeUnit.SECONDS);
            auth.roleAdd(bytes("userRole")).get(10, TimeUnit.SECONDS);
            assertThat(auth.roleList().get(10, TimeUnit.SECONDS).getRoles()).containsOnly("root", "userRole");
            auth.roleGrantPermission(bytes("root"), bytes("root"), bytes("root1"), Permission.Type.READWRITE)
                    .get(10, TimeUnit.SECONDS);
            auth.roleGrantPermission(bytes("userRole"), bytes("foo"), bytes("foo1"), Permission.Type.READWRITE)
                    .get(10, TimeUnit.SECONDS);
            auth.userAdd(bytes("root"), bytes("123")).get(10, TimeUnit.SECONDS);
            auth.userAdd(bytes("user"), bytes("userPass")).get(10, TimeUnit.SECONDS);
            auth.userChangePassword(bytes("user"), bytes("newUserPass")).get(10, TimeUnit.SECONDS);
            assertThat(auth.userList().get(10, TimeUnit.SECONDS).getUsers()).containsOnly("root", "user");
            auth.userGrantRole(bytes("root"), bytes("root")).get(10, TimeUnit.SECONDS);
            auth.userGrantRole(bytes("user"), bytes("root")).get(10, TimeUnit.SECONDS);
            auth.userGrantRole(bytes("user"), bytes("userRole")).get(10, TimeUnit.SECONDS);
            assertThat(auth.userGet(bytes("user")).get(10, TimeUnit.SECONDS).getRoles())
                    .containsOnly("root", "userRole");
            auth.authEnable().get(10, TimeUnit.SECONDS);

            try (Client user = Client.builder().endpoints(cluster.endpoints.toArray(String[]::new))
                    .user(bytes("user")).password(bytes("newUserPass")).build();
                 Client rootUser = Client.builder().endpoints(cluster.endpoints.toArray(String[]::new))
                         .user(bytes("root")).password(bytes("123")).build()) {
                user.getKVClient().put(bytes("root"), bytes("b")).get(10, TimeUnit.SECONDS);
                user.getKVClient().put(bytes("foo"), bytes("bar")).get(10, TimeUnit.SECONDS);
                assertThatThrownBy(() -> anonymous.getKVClient().get(bytes("foo")).get(10, TimeUnit.SECONDS))
                        .hasMessageContaining("etcdserver: user name is empty");
                assertThat(user.getAuthClient().roleGet(bytes("userRole")).get(10, TimeUnit.SECONDS)
                        .getPermissions()).hasSize(1);
                rootUser.getAuthClient().userRevokeRole(bytes("user"), bytes("root")).get(10, TimeUnit.SECONDS);
                assertThatThrownBy(() -> user.getKVClient().get(bytes("root")).get(10, TimeUnit.SECONDS))
                        .hasMessageContaining("etcdserver: permission denied");
                assertThat(user.getKVClient().get(bytes("foo")).get(10, TimeUnit.SECONDS).getCount()).isOne();
                rootUser.getAuthClient().roleRevokePermission(bytes("userRole"), bytes("foo"), bytes("foo1"))
                        .get(10, TimeUnit.SECONDS);
                assertThatThrownBy(() -> user.getKVClient().get(bytes("foo")).get(10, TimeUnit.SECONDS))
                        .hasMessageContaining("etcdserver: permission denied");
                rootUser.getAuthClient().authDisable().get(10, TimeUnit.SECONDS);
            }
            auth.userDelete(bytes("root")).get(10, TimeUnit.SECONDS);
            auth.userDelete(bytes("user")).get(10, TimeUnit.SECONDS);
            auth.roleDelete(bytes("root")).get(10, TimeUnit.SECONDS);
            auth.roleDelete(bytes("userRole")).get(10, TimeUnit.SECONDS);
            assertThat(auth.roleList().get(10, TimeUnit.SECONDS).getRoles()).isEmpty();
        }
    }

    @Test
    void aDeletedUsersToken_stopsWorking_andRootManagesUsers() throws Exception {
        enableAuthWithAlice();
        try (Client alice = Client.builder().endpoints(cluster.endpoints.get(0)).user(bytes("alice"))
                .password(bytes("alicepw")).build();
             Client rootUser = Client.builder().endpoints(cluster.endpoints.get(1)).user(bytes("root"))
                     .password(bytes("rootpw")).build()) {
            alice.getKVClient().put(bytes("/a/k"), bytes("v")).get(10, TimeUnit.SECONDS);
            assertThatThrownBy(() -> alice.getAuthClient().userList().get(10, TimeUnit.SECONDS))
                    .hasMessageContaining("etcdserver: permission denied");
            assertThat(rootUser.getAuthClient().userList().get(10, TimeUnit.SECONDS).getUsers())
                    .containsExactly("alice", "root");
            assertThat(rootUser.getKVClient().get(bytes("/"), GetOption.builder().isPrefix(true).build())
                    .get(10, TimeUnit.SECONDS).getCount()).isEqualTo(1);
            rootUser.getAuthClient().userDelete(bytes("alice")).get(10, TimeUnit.SECONDS);
            // jetcd asks for a new token when its own is refused; alice no longer exists to get one
            assertThatThrownBy(() -> alice.getKVClient().put(bytes("/a/k"), bytes("again")).get(10, TimeUnit.SECONDS))
                    .hasStackTraceContaining("UNAUTHENTICATED")
                    .hasStackTraceContaining("etcdserver: authentication failed, invalid user ID or password");
        }
    }
}
