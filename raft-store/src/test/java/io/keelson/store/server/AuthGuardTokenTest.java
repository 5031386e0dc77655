package io.keelson.store.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.util.concurrent.ListenableFuture;
import com.google.protobuf.ByteString;
import io.etcd.jetcd.api.KVGrpc;
import io.etcd.jetcd.api.PutRequest;
import io.etcd.jetcd.api.PutResponse;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.keelson.store.Peer;
import io.keelson.store.StoreConfig;
import io.keelson.store.StoreMember;
import io.keelson.store.auth.AuthChange;
import io.keelson.store.auth.AuthInfo;
import io.keelson.store.auth.AuthState;
import io.keelson.store.raft.proto.AuthOp;
import java.lang.reflect.Proxy;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A simple token is known on a member once its Authenticate entry has applied there. A call with a token this member
 * does not know yet starts after it has caught up with the leader (a linearizable read of the auth state), and is
 * refused with "invalid auth token" only if the token is still unknown then.
 */
class AuthGuardTokenTest {
    private final Map<String, AuthInfo> tokens = new ConcurrentHashMap<>();
    private volatile CompletableFuture<AuthState> caughtUp = new CompletableFuture<>();
    private Server server;
    private ManagedChannel channel;

    private static AuthState enabled() {
        AuthState state = AuthState.empty();
        for (AuthChange c : List.of(AuthChange.userAdd("root", "pw"), AuthChange.grantRole("root", "root"),
                AuthChange.enable())) {
            state = state.apply(AuthOp.newBuilder().setKind(c.kind().ordinal()).setName(c.name()).setRole(c.role())
                    .setPasswordHash(c.password().isEmpty() ? "" : "hash").build());
        }
        return state;
    }

    @BeforeEach
    void start() throws Exception {
        AuthState auth = enabled();
        StoreConfig config = StoreConfig.member(Path.of("unused"), "m", List.of(new Peer("m", "127.0.0.1", 1)));
        StoreMember member = (StoreMember) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {StoreMember.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "authState" -> auth;
                    case "tokenInfo" -> Optional.ofNullable(tokens.get((String) args[0]));
                    case "readAuthState" -> caughtUp;
                    case "config" -> config;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
        KVGrpc.KVImplBase kv = new KVGrpc.KVImplBase() {
            @Override
            public void put(PutRequest request, StreamObserver<PutResponse> out) {
                out.onNext(PutResponse.getDefaultInstance());
                out.onCompleted();
            }
        };
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).directExecutor()
                .addService(ServerInterceptors.intercept(kv, new AuthGuard(member, false))).build().start();
        channel = ManagedChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
    }

    @AfterEach
    void stop() {
        channel.shutdownNow();
        server.shutdownNow();
    }

    private ListenableFuture<PutResponse> put(String token) {
        Metadata m = new Metadata();
        m.put(AuthGuard.TOKEN, token);
        return KVGrpc.newFutureStub(channel).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(m))
                .put(PutRequest.newBuilder().setKey(ByteString.copyFromUtf8("k")).build());
    }

    @Test
    void aTokenIssuedThroughAnotherMember_isAcceptedOnceThisMemberCaughtUp() throws Exception {
        tokens.put("known", new AuthInfo("root", 0));
        put("known").get(10, TimeUnit.SECONDS);

        ListenableFuture<PutResponse> call = put("issued-elsewhere");
        Thread.sleep(200);
        assertThat(call.isDone()).as("waits for this member to catch up").isFalse();
        tokens.put("issued-elsewhere", new AuthInfo("root", 0)); // its entry applied here
        caughtUp.complete(enabled());
        call.get(10, TimeUnit.SECONDS);
    }

    @Test
    void aTokenStillUnknownAfterCatchingUp_isInvalid() {
        caughtUp.complete(enabled());
        assertThatThrownBy(() -> put("no-such-token").get(10, TimeUnit.SECONDS))
                .hasMessageContaining("UNAUTHENTICATED: etcdserver: invalid auth token");
    }
}
