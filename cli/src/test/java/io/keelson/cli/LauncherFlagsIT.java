package io.keelson.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.PutOption;
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
 * {@code --max-txn-ops}, serves {@code --listen-metrics-urls}, and takes the flags that have no JVM meaning.
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
        Path log = dir.resolve("member.log");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-cp", System.getProperty("java.class.path"), "io.keelson.cli.Main", "--name", "etcd0",
                "--data-dir", dir.resolve("data").toString(),
                "--listen-client-urls", "http://127.0.0.1:" + client,
                "--advertise-client-urls", "http://127.0.0.1:" + client,
                "--listen-peer-urls", "http://127.0.0.1:" + peer,
                "--initial-advertise-peer-urls", "http://127.0.0.1:" + peer,
                "--max-txn-ops", "2", "--logger", "zap", "--log-outputs", "stderr", "--enable-pprof",
                "--enable-v2", "--metrics", "extensive", "--max-concurrent-streams", "100",
                "--grpc-keepalive-min-time", "5s", "--grpc-keepalive-interval", "2h", "--grpc-keepalive-timeout", "20s", "--listen-metrics-urls", "http://127.0.0.1:" + metrics)
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!Files.readString(log).contains("ready to serve client requests") && p.isAlive()
                    && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertThat(Files.readString(log)).contains("ready to serve client requests");

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

    private static Op put(String key) {
        return Op.put(ByteSequence.from(key, StandardCharsets.UTF_8), ByteSequence.from("v", StandardCharsets.UTF_8),
                PutOption.DEFAULT);
    }
}
