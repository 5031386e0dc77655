package io.keelson.store.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.api.AuthGrpc;
import io.etcd.jetcd.api.AuthenticateRequest;
import io.etcd.jetcd.api.KVGrpc;
import io.etcd.jetcd.api.RangeRequest;
import io.etcd.jetcd.api.WatchCreateRequest;
import io.etcd.jetcd.api.WatchGrpc;
import io.etcd.jetcd.api.WatchResponse;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import io.keelson.store.KeelsonStore;
import io.keelson.store.StoreMember;
import io.keelson.store.TestStores;
import io.keelson.store.auth.AuthChange;
import io.keelson.store.auth.JwtTokens;
import io.keelson.store.raft.PemFiles;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** etcd's {@code --auth-token jwt,...}: signed tokens, refused once forged or expired; jetcd renews them. */
class JwtTokensIT {
    @TempDir
    Path dir;
    StoreMember member;
    EtcdServer server;
    ManagedChannel channel;
    String endpoint;

    @AfterEach
    void stop() {
        if (channel != null) {
            channel.shutdownNow();
        }
        if (server != null) {
            server.close();
        }
        if (member != null) {
            member.close();
        }
    }

    private void serve(String tokenOption) throws Exception {
        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        KeyPair keys = rsa.generateKeyPair();
        PemFiles.write(dir.resolve("jwt.pub"), keys.getPublic());
        PemFiles.write(dir.resolve("jwt.pem"), keys.getPrivate());
        JwtTokens jwt = JwtTokens.parse(tokenOption.replace("PUB", dir.resolve("jwt.pub").toString())
                .replace("PRIV", dir.resolve("jwt.pem").toString()));
        member = KeelsonStore.open(TestStores.singleNode(dir.resolve("data")).withJwtTokens(jwt));
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        endpoint = "http://127.0.0.1:" + port;
        server = EtcdServer.start(member, List.of(new InetSocketAddress("127.0.0.1", port)), List.of(endpoint));
        for (AuthChange change : List.of(AuthChange.userAdd("root", "rootpw"), AuthChange.grantRole("root", "root"),
                AuthChange.enable())) {
            member.changeAuth(change).get(10, TimeUnit.SECONDS);
        }
        channel = ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    }

    private String authenticate() {
        return AuthGrpc.newBlockingStub(channel).authenticate(AuthenticateRequest.newBuilder().setName("root")
                .setPassword("rootpw").build()).getToken();
    }

    private long rangeWith(String token) {
        Metadata m = new Metadata();
        m.put(AuthGuard.TOKEN, token);
        return KVGrpc.newBlockingStub(channel).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(m))
                .range(RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8("k")).build()).getCount();
    }

    /** The first response to a watch of {@code key} opened with {@code token}. */
    private WatchResponse firstWatchResponse(String token, String key) throws InterruptedException {
        Metadata m = new Metadata();
        m.put(AuthGuard.TOKEN, token);
        try (WatchStream watch = new WatchStream(WatchGrpc.newStub(channel)
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(m)))) {
            watch.create(WatchCreateRequest.newBuilder().setKey(ByteString.copyFromUtf8(key)));
            return watch.next();
        }
    }

    @Test
    void aSignedToken_namesItsUser_andAForgedOneIsRefused() throws Exception {
        serve("jwt,pub-key=PUB,priv-key=PRIV,sign-method=RS256,ttl=5m");
        String token = authenticate();
        String[] parts = token.split("\\.");
        assertThat(parts).hasSize(3);
        String claims = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);
        assertThat(claims).contains("\"username\":\"root\"").contains("\"revision\":").contains("\"exp\":");
        assertThat(rangeWith(token)).isZero();
        // the same claims for another user, with root's signature: refused
        String forgedClaims = Base64.getUrlEncoder().withoutPadding().encodeToString(
                claims.replace("\"root\"", "\"mallory\"").getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> rangeWith(parts[0] + "." + forgedClaims + "." + parts[2]))
                .hasMessage("UNAUTHENTICATED: etcdserver: invalid auth token");
    }

    @Test
    void aTokenIssuedBeforeAnAuthChange_isStaleForKeyRequests_untilTheClientAuthenticatesAgain() throws Exception {
        serve("jwt,pub-key=PUB,priv-key=PRIV,sign-method=RS256,ttl=5m");
        String token = authenticate();
        assertThat(rangeWith(token)).isZero();
        member.changeAuth(AuthChange.userAdd("alice", "a")).get(10, TimeUnit.SECONDS);
        // etcd checks a key request at the revision the token carries
        assertThatThrownBy(() -> rangeWith(token))
                .hasMessage("INVALID_ARGUMENT: etcdserver: revision of auth store is old");
        WatchResponse stale = firstWatchResponse(token, "k"); // etcd reports a stale token's watch as not permitted
        assertThat(stale.getCanceled()).isTrue();
        assertThat(stale.getCancelReason()).isEqualTo("etcdserver: permission denied");
        String fresh = authenticate();
        assertThat(rangeWith(fresh)).isZero();
        assertThat(firstWatchResponse(fresh, "k").getCanceled()).isFalse();
        ByteSequence key = ByteSequence.from("k", StandardCharsets.UTF_8);
        try (Client root = Client.builder().endpoints(endpoint).user(ByteSequence.from("root", StandardCharsets.UTF_8))
                .password(ByteSequence.from("rootpw", StandardCharsets.UTF_8)).build()) {
            root.getKVClient().put(key, key).get(10, TimeUnit.SECONDS);
            member.changeAuth(AuthChange.userAdd("bob", "b")).get(10, TimeUnit.SECONDS);
            // jetcd authenticates again on "revision of auth store is old" and retries
            assertThat(root.getKVClient().get(key).get(10, TimeUnit.SECONDS).getCount()).isOne();
        }
    }

    @Test
    void anExpiredToken_isRefused_andJetcdAuthenticatesAgain() throws Exception {
        serve("jwt,pub-key=PUB,priv-key=PRIV,sign-method=RS256,ttl=1s");
        String token = authenticate();
        assertThat(rangeWith(token)).isZero();
        Thread.sleep(1_500);
        assertThatThrownBy(() -> rangeWith(token)).hasMessage("UNAUTHENTICATED: etcdserver: invalid auth token");
        ByteSequence key = ByteSequence.from("k", StandardCharsets.UTF_8);
        try (Client root = Client.builder().endpoints(endpoint).user(ByteSequence.from("root", StandardCharsets.UTF_8))
                .password(ByteSequence.from("rootpw", StandardCharsets.UTF_8)).build()) {
            root.getKVClient().put(key, key).get(10, TimeUnit.SECONDS);
            Thread.sleep(1_500); // its token has expired
            assertThat(root.getKVClient().get(key).get(10, TimeUnit.SECONDS).getCount()).isOne();
        }
    }
}
