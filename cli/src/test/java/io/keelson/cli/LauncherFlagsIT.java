package io.keelson.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.PutOption;
import io.keelson.store.server.TestCertificates;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A member started with the flags etcd's launchers pass: it says it is ready as etcd does, honours
 * {@code --max-txn-ops}, serves {@code --listen-metrics-urls}, takes the flags that have no JVM meaning, serves
 * TLS with etcd's certificate flags, and joins a running cluster that added it with
 * {@code --initial-cluster-state existing}.
 */
class LauncherFlagsIT {
    @TempDir
    Path dir;

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void aMemberStartedAsEtcdsLaunchersDo_servesWhatTheyExpect() throws Exception {
        int client = freePort();
        int peer = freePort();
        int metrics = freePort();
        Process p = startMember("http://127.0.0.1:" + client, "http://127.0.0.1:" + peer,
                "--max-txn-ops", "2", "--logger", "zap", "--log-outputs", "stderr", "--enable-pprof",
                "--enable-v2", "--metrics", "extensive", "--max-concurrent-streams", "100",
                "--grpc-keepalive-min-time", "5s", "--grpc-keepalive-interval", "2h", "--grpc-keepalive-timeout", "20s",
                "--listen-metrics-urls", "http://127.0.0.1:" + metrics, "--experimental-initial-corrupt-check",
                "--experimental-corrupt-check-time", "5s", "--experimental-compaction-batch-limit", "1000",
                "--experimental-watch-progress-notify-interval", "1s");
        try {

            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            HttpResponse<String> scraped = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metrics
                    + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(scraped.statusCode()).isEqualTo(200);
            assertThat(scraped.body()).contains("etcd_server_has_leader");
            assertThat(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metrics + "/version"))
                    .build(), HttpResponse.BodyHandlers.ofString()).statusCode()).as("not on a metrics URL")
                    .isEqualTo(404);

            try (Client etcd = Client.builder().endpoints("http://127.0.0.1:" + client).build()) {
                long healthy = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + client + "/health"))
                        .build(), HttpResponse.BodyHandlers.ofString()).statusCode() != 200
                        && System.nanoTime() < healthy) {
                    Thread.sleep(100);
                }
                List<Op> three = List.of(put("a"), put("b"), put("c"));
                assertThatThrownBy(() -> etcd.getKVClient().txn().Then(three.toArray(Op[]::new)).commit()
                        .get(10, TimeUnit.SECONDS)).hasMessageContaining("too many operations in txn request");
                assertThat(etcd.getKVClient().txn().Then(put("a"), put("b")).commit().get(10, TimeUnit.SECONDS)
                        .isSucceeded()).isTrue();
            }
        } finally {
            p.destroy();
            p.waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void aMemberWithEtcdsTlsFlags_servesClientsWithCertificatesOnly() throws Exception {
        TestCertificates certs = TestCertificates.newCa(dir, "etcd");
        TestCertificates.Issued server = certs.issue("server");
        TestCertificates.Issued app = certs.issue("app");
        String url = "https://127.0.0.1:" + freePort();
        String peer = "https://127.0.0.1:" + freePort();
        Process p = startMember(url, peer, "--cert-file", server.cert().toString(),
                "--key-file", server.key().toString(), "--trusted-ca-file", certs.caFile().toString(),
                "--client-cert-auth", "--peer-cert-file", server.cert().toString(), "--peer-key-file",
                server.key().toString(), "--peer-trusted-ca-file", certs.caFile().toString(),
                "--peer-client-cert-auth");
        try (Client etcd = Client.builder().endpoints(url).sslContext(b -> b.trustManager(certs.caFile().toFile())
                .keyManager(app.cert().toFile(), app.key().toFile())).build()) {
            assertPutThenGet(etcd, "secure");
        } finally {
            p.destroy();
            p.waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void autoTls_makesSelfSignedCertificatesInTheDataDir_asEtcdDoes() throws Exception {
        String url = "https://127.0.0.1:" + freePort();
        Process p = startMember(url, "https://127.0.0.1:" + freePort(), "--auto-tls", "--peer-auto-tls");
        try (Client etcd = Client.builder().endpoints(url)
                .sslContext(b -> b.trustManager(io.netty.handler.ssl.util.InsecureTrustManagerFactory.INSTANCE))
                .build()) {
            assertPutThenGet(etcd, "auto");
        } finally {
            p.destroy();
            p.waitFor(30, TimeUnit.SECONDS);
        }
        for (String fixtures : List.of("client", "peer")) {
            Path cert = dir.resolve("data/fixtures").resolve(fixtures).resolve("cert.pem");
            assertThat(Files.readString(cert)).startsWith("-----BEGIN CERTIFICATE-----");
            assertThat(Files.readString(cert.resolveSibling("key.pem"))).startsWith("-----BEGIN EC PRIVATE KEY-----");
        }
    }

    @Test
    void aMemberStartedWithInitialClusterStateExisting_joinsTheClusterThatAddedIt() throws Exception {
        String client0 = "http://127.0.0.1:" + freePort();
        String peer0 = "http://127.0.0.1:" + freePort();
        String client1 = "http://127.0.0.1:" + freePort();
        String peer1 = "http://127.0.0.1:" + freePort();
        Process first = startMember(client0, peer0);
        Process second = null;
        try (Client etcd = Client.builder().endpoints(client0).build()) {
            assertPutThenGet(etcd, "before");
            etcd.getClusterClient().addMember(List.of(URI.create(peer1))).get(30, TimeUnit.SECONDS);
            second = startNamedMember("etcd1", "data1", client1, peer1, "--initial-cluster",
                    "etcd0=" + peer0 + ",etcd1=" + peer1, "--initial-cluster-state", "existing");
            try (Client joined = Client.builder().endpoints(client1).build()) {
                assertThat(joined.getKVClient().get(ByteSequence.from("before", StandardCharsets.UTF_8))
                        .get(30, TimeUnit.SECONDS).getCount()).isEqualTo(1);
                assertPutThenGet(joined, "after");
                assertThat(joined.getClusterClient().listMember().get(10, TimeUnit.SECONDS).getMembers())
                        .extracting(io.etcd.jetcd.cluster.Member::getName).containsExactlyInAnyOrder("etcd0", "etcd1");
            }
            long id = etcd.getClusterClient().listMember().get(10, TimeUnit.SECONDS).getMembers().stream()
                    .filter(m -> m.getName().equals("etcd1")).findFirst().orElseThrow().getId();
            etcd.getClusterClient().removeMember(id).get(30, TimeUnit.SECONDS);
            // as etcd's: a removed member stops, and its process ends
            assertThat(second.waitFor(60, TimeUnit.SECONDS)).as("the removed member's process ended").isTrue();
            assertThat(second.exitValue()).isZero();
            assertThat(Files.readString(dir.resolve("etcd1.log")))
                    .contains("the member has been permanently removed from the cluster");
            assertPutThenGet(etcd, "after-removal");
        } finally {
            if (second != null) {
                second.destroy();
                second.waitFor(30, TimeUnit.SECONDS);
            }
            first.destroy();
            first.waitFor(30, TimeUnit.SECONDS);
        }
    }

    private static void assertPutThenGet(Client etcd, String key) throws Exception {
        ByteSequence k = ByteSequence.from(key, StandardCharsets.UTF_8);
        etcd.getKVClient().put(k, ByteSequence.from("v", StandardCharsets.UTF_8)).get(30, TimeUnit.SECONDS);
        assertThat(etcd.getKVClient().get(k).get(10, TimeUnit.SECONDS).getCount()).isEqualTo(1);
    }

    /**
     * A member process serving clients on {@code clientUrl} and its peers on {@code peerUrl}, with more flags;
     * returns once it says it is ready.
     */
    private Process startMember(String clientUrl, String peerUrl, String... flags) throws Exception {
        return startNamedMember("etcd0", "data", clientUrl, peerUrl, flags);
    }

    /** As above, for member {@code name} with its data in {@code dataDir} under the test's directory. */
    private Process startNamedMember(String name, String dataDir, String clientUrl, String peerUrl, String... flags)
            throws Exception {
        Path log = dir.resolve(name + ".log");
        List<String> cmd = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xmx256m", "-cp", System.getProperty("java.class.path"), "io.keelson.cli.Main",
                "--name", name, "--data-dir", dir.resolve(dataDir).toString(),
                "--listen-client-urls", clientUrl, "--advertise-client-urls", clientUrl,
                "--listen-peer-urls", peerUrl, "--initial-advertise-peer-urls", peerUrl));
        cmd.addAll(List.of(flags));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.readString(log).contains("ready to serve client requests") && p.isAlive()
                && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        if (!Files.readString(log).contains("ready to serve client requests")) {
            p.destroy();
            assertThat(Files.readString(log)).as("the member's log").contains("ready to serve client requests");
        }
        return p;
    }

    private static Op put(String key) {
        return Op.put(ByteSequence.from(key, StandardCharsets.UTF_8), ByteSequence.from("v", StandardCharsets.UTF_8),
                PutOption.DEFAULT);
    }
}
