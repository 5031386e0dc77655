package io.keelson.store.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.keelson.store.StoreMember;
import io.keelson.store.TestStores;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import com.google.protobuf.ByteString;
import io.keelson.store.auth.AuthChange;
import io.keelson.store.auth.Permission;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TLS on the client port (etcd's --cert-file, --key-file, --trusted-ca-file, --client-cert-auth). */
class ClientTlsIT {
    private static final ByteSequence KEY = ByteSequence.from("tls-key", StandardCharsets.UTF_8);
    private static final ByteSequence VALUE = ByteSequence.from("secret", StandardCharsets.UTF_8);

    @TempDir
    Path dir;
    TestCertificates certs;
    TestCertificates.Issued serverCert;
    StoreMember member;
    EtcdServer server;
    String endpoint;

    @BeforeEach
    void certificates() throws Exception {
        certs = TestCertificates.newCa(dir, "client");
        serverCert = certs.issue("server");
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        if (member != null) {
            member.close();
        }
    }

    private void serve(EtcdServer.ClientTls tls) throws Exception {
        member = TestStores.openSingle(dir.resolve("data"));
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        endpoint = "https://127.0.0.1:" + port;
        server = EtcdServer.start(member, List.of(new InetSocketAddress("127.0.0.1", port)), List.of(endpoint),
                EtcdServer.Transport.ETCD_DEFAULTS, tls);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!member.status().isLeader() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
    }

    private Client client(TestCertificates.Issued clientCert) throws Exception {
        return Client.builder().endpoints(endpoint).connectTimeout(Duration.ofSeconds(5))
                .retryMaxDuration(Duration.ofSeconds(3))
                .sslContext(b -> {
                    b.trustManager(certs.caFile().toFile());
                    if (clientCert != null) {
                        b.keyManager(clientCert.cert().toFile(), clientCert.key().toFile());
                    }
                }).build();
    }

    private HttpClient https() throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(certs.caFile())) {
            trust.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), null);
        // HTTP/2 preferred, as curl and Prometheus ask: the server must still answer as HTTP/1.1
        return HttpClient.newBuilder().sslContext(ssl).version(HttpClient.Version.HTTP_2)
                .connectTimeout(Duration.ofSeconds(5)).build();
    }

    @Test
    void grpcAndHttp_overTls_onTheSamePort() throws Exception {
        serve(new EtcdServer.ClientTls(serverCert.cert(), serverCert.key(), null));

        try (Client client = client(null)) {
            client.getKVClient().put(KEY, VALUE).get(10, TimeUnit.SECONDS);
            assertThat(client.getKVClient().get(KEY).get(10, TimeUnit.SECONDS).getKvs()).singleElement()
                    .satisfies(kv -> assertThat(kv.getValue()).isEqualTo(VALUE));
        }
        HttpResponse<String> health = https().send(HttpRequest.newBuilder(URI.create(endpoint + "/health")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
        assertThat(health.body()).isEqualTo("{\"health\":\"true\"}");
    }

    @Test
    void aPlaintextClient_getsNoAnswer_andTheServerKeepsServing() throws Exception {
        serve(new EtcdServer.ClientTls(serverCert.cert(), serverCert.key(), null));

        try (Client plain = Client.builder().endpoints(endpoint.replace("https", "http"))
                .connectTimeout(Duration.ofSeconds(2)).retryMaxDuration(Duration.ofSeconds(2)).build()) {
            assertNoAnswer(plain);
        }
        try (Client client = client(null)) {
            client.getKVClient().put(KEY, VALUE).get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aTrustedCa_refusesClientsWithoutACertificateItSigned() throws Exception {
        serve(new EtcdServer.ClientTls(serverCert.cert(), serverCert.key(), certs.caFile()));

        try (Client anonymous = client(null)) {
            assertNoAnswer(anonymous);
        }
        TestCertificates other = TestCertificates.newCa(dir, "other");
        try (Client stranger = client(other.issue("stranger"))) {
            assertNoAnswer(stranger);
        }
        try (Client known = client(certs.issue("app"))) {
            known.getKVClient().put(KEY, VALUE).get(10, TimeUnit.SECONDS);
        }
        assertThatThrownBy(() -> https().send(HttpRequest.newBuilder(URI.create(endpoint + "/health")).build(),
                HttpResponse.BodyHandlers.ofString())).isInstanceOf(IOException.class);
    }

    @Test
    void withAuthEnabled_aCertificatesCommonNameIsItsUser() throws Exception {
        serve(new EtcdServer.ClientTls(serverCert.cert(), serverCert.key(), certs.caFile()));
        ByteString appPrefix = ByteString.copyFromUtf8("/app/");
        for (AuthChange change : List.of(AuthChange.userAdd("root", "rootpw"), AuthChange.grantRole("root", "root"),
                AuthChange.userAdd("app", ""), AuthChange.roleAdd("app"),
                AuthChange.grantPermission("app", new Permission(Permission.Type.READWRITE, appPrefix,
                        io.keelson.store.KeyRanges.prefixEnd(appPrefix))),
                AuthChange.grantRole("app", "app"), AuthChange.enable())) {
            member.changeAuth(change).get(10, TimeUnit.SECONDS);
        }
        try (Client app = client(certs.issue("app")); Client nobody = client(certs.issue("nobody"))) {
            ByteSequence mine = ByteSequence.from("/app/x", StandardCharsets.UTF_8);
            app.getKVClient().put(mine, VALUE).get(10, TimeUnit.SECONDS);
            assertThat(app.getKVClient().get(mine).get(10, TimeUnit.SECONDS).getCount()).isOne();
            assertThatThrownBy(() -> app.getKVClient().put(KEY, VALUE).get(10, TimeUnit.SECONDS))
                    .hasMessageContaining("etcdserver: permission denied");
            assertThatThrownBy(() -> nobody.getKVClient().get(mine).get(10, TimeUnit.SECONDS))
                    .hasMessageContaining("etcdserver: permission denied");
        }
    }

    @Test
    void etcdctl_withCaCertAndKey() throws Exception {
        Assumptions.assumeTrue(Etcdctl.onPath("etcdctl"), "etcdctl 3.4 is not on the PATH (apt-get install etcd-client)");
        serve(new EtcdServer.ClientTls(serverCert.cert(), serverCert.key(), certs.caFile()));
        TestCertificates.Issued user = certs.issue("etcdctl");
        String[] tls = {"--cacert=" + certs.caFile(), "--cert=" + user.cert(), "--key=" + user.key()};

        Etcdctl.Result put = Etcdctl.run(endpoint, null, concat(tls, "put", "k", "v"));
        assertThat(put.out()).isEqualTo("OK\n");
        Etcdctl.Result get = Etcdctl.run(endpoint, null, concat(tls, "get", "k", "--print-value-only"));
        assertThat(get.out()).isEqualTo("v\n");
        Etcdctl.Result noCert = Etcdctl.run(endpoint, null, "--cacert=" + certs.caFile(), "--dial-timeout=2s",
                "--command-timeout=3s", "get", "k");
        assertThat(noCert.exit()).isNotZero();
    }

    @Test
    void anUnreadableKey_isAnErrorNamingTheFiles() throws Exception {
        Path broken = dir.resolve("broken.key");
        Files.writeString(broken, "-----BEGIN EC PRIVATE KEY-----\nnot a key\n-----END EC PRIVATE KEY-----\n");
        member = TestStores.openSingle(dir.resolve("data"));

        assertThatThrownBy(() -> EtcdServer.start(member, List.of(new InetSocketAddress("127.0.0.1", 0)),
                List.of("https://127.0.0.1:0"), EtcdServer.Transport.ETCD_DEFAULTS,
                new EtcdServer.ClientTls(serverCert.cert(), broken, null)))
                .isInstanceOf(IOException.class).hasMessageContaining("cannot load TLS certificate " + serverCert.cert())
                .hasMessageContaining("and key " + broken);
    }

    /** The client's request fails, or (jetcd retrying the connection) gets no answer at all. */
    private static void assertNoAnswer(Client client) {
        assertThatThrownBy(() -> client.getKVClient().put(KEY, VALUE).get(4, TimeUnit.SECONDS))
                .isInstanceOfAny(ExecutionException.class, TimeoutException.class);
    }

    private static String[] concat(String[] first, String... rest) {
        String[] all = java.util.Arrays.copyOf(first, first.length + rest.length);
        System.arraycopy(rest, 0, all, first.length, rest.length);
        return all;
    }
}
