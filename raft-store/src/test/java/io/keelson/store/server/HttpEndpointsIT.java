package io.keelson.store.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.keelson.store.MemberAlarm;
import io.keelson.store.StoreMember;
import io.keelson.store.TestStores;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** etcd's HTTP endpoints on the client port, beside gRPC on the same port. */
class HttpEndpointsIT {
    @TempDir
    static Path dir;
    static StoreMember member;
    static EtcdServer server;
    static String url;
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void start() throws Exception {
        member = TestStores.openSingle(dir);
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        url = "http://127.0.0.1:" + port;
        server = EtcdServer.start(member, List.of(new InetSocketAddress("127.0.0.1", port)), List.of(url));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!member.status().isLeader() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
    }

    @AfterAll
    static void stop() {
        server.close();
        member.close();
    }

    static HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void health_andVersion_answerAsEtcds() throws Exception {
        HttpResponse<String> health = get("/health");
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).isEqualTo("{\"health\":\"true\"}");
        HttpResponse<String> version = get("/version");
        assertThat(version.statusCode()).isEqualTo(200);
        assertThat(version.headers().firstValue("content-type")).hasValue("application/json");
        assertThat(version.body()).isEqualTo("{\"etcdserver\":\"" + MaintenanceService.VERSION
                + "\",\"etcdcluster\":\"3.5.0\"}");
    }

    @Test
    void anAlarm_makesTheMemberUnhealthy_unlessItIsExcluded() throws Exception {
        MemberAlarm noSpace = new MemberAlarm(member.status().memberId(), MemberAlarm.Type.NOSPACE);
        member.setAlarm(noSpace, true).get(10, TimeUnit.SECONDS);
        try {
            HttpResponse<String> unhealthy = get("/health");
            assertThat(unhealthy.statusCode()).isEqualTo(503);
            assertThat(unhealthy.body()).isEqualTo("{\"health\":\"false\"}\n");
            assertThat(get("/health?exclude=NOSPACE").statusCode()).isEqualTo(200);
        } finally {
            member.setAlarm(noSpace, false).get(10, TimeUnit.SECONDS);
        }
        assertThat(get("/health").statusCode()).isEqualTo(200);
    }

    @Test
    void otherMethodsAndPaths_getGosAnswers() throws Exception {
        HttpResponse<String> post = HTTP.send(HttpRequest.newBuilder(URI.create(url + "/health"))
                .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("allow")).hasValue("GET");
        HttpResponse<String> missing = get("/nowhere");
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.body()).isEqualTo("404 page not found\n");
    }

    @Test
    void metrics_countTheGrpcCallsOfTheSamePort_underEtcdsNames() throws Exception {
        try (Client client = Client.builder().endpoints(url).build()) {
            client.getKVClient().put(ByteSequence.from("k", StandardCharsets.UTF_8),
                    ByteSequence.from("v", StandardCharsets.UTF_8)).get(10, TimeUnit.SECONDS);
        }
        HttpResponse<String> metrics = get("/metrics");
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body()).contains("# TYPE etcd_server_has_leader gauge", "etcd_server_has_leader 1",
                "etcd_server_is_leader 1", "# TYPE etcd_server_leader_changes_seen_total counter",
                "etcd_server_leader_changes_seen_total 1", "# TYPE etcd_mvcc_db_total_size_in_bytes gauge",
                "# TYPE etcd_server_proposals_committed_total gauge",
                "# TYPE etcd_server_proposals_applied_total gauge", "etcd_server_id{server_id=\""
                        + Long.toHexString(member.status().memberId()) + "\"} 1",
                "grpc_server_started_total{grpc_method=\"Put\",grpc_service=\"etcdserverpb.KV\","
                        + "grpc_type=\"unary\"} 1",
                "grpc_server_handled_total{grpc_code=\"OK\",grpc_method=\"Put\",grpc_service=\"etcdserverpb.KV\","
                        + "grpc_type=\"unary\"} 1");
    }

    @Test
    void metrics_haveTheWalsFsyncDurations_inEtcdsBuckets() throws Exception {
        // straight to the member: the gRPC counters of another test stay as it expects them
        member.put(io.keelson.store.PutRequest.of("synced", "v")).get(10, TimeUnit.SECONDS);
        String body = get("/metrics").body();

        assertThat(body).contains("# HELP etcd_disk_wal_fsync_duration_seconds The latency distributions of fsync"
                        + " called by WAL.", "# TYPE etcd_disk_wal_fsync_duration_seconds histogram",
                "etcd_disk_wal_fsync_duration_seconds_bucket{le=\"0.001\"}",
                "etcd_disk_wal_fsync_duration_seconds_bucket{le=\"8.192\"}")
                .doesNotContain("etcd_network_peer_round_trip_time_seconds_count"); // no peers
        assertThat(sample(body, "etcd_disk_wal_fsync_duration_seconds_count")).as("an fsync per write at least")
                .isGreaterThanOrEqualTo(1);
    }

    /** The value of the sample named {@code series} (with its labels) in Prometheus' text. */
    static double sample(String text, String series) {
        return text.lines().filter(l -> l.startsWith(series + " ")).mapToDouble(l ->
                Double.parseDouble(l.substring(series.length() + 1).trim())).findFirst().orElseThrow(() ->
                new AssertionError("no sample " + series + " in\n" + text));
    }
}
