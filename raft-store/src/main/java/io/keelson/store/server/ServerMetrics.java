package io.keelson.store.server;

import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.keelson.store.StoreMember;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The metrics {@code /metrics} serves, under etcd's names and help texts for the ones operators alert on: whether
 * there is a leader and whether it is this member, leader changes, the proposals committed and applied, the size of
 * the data on disk, the member id, the Raft log's fsync durations, heartbeat round trips to each peer while this
 * member leads, and gRPC's started and handled calls by service, method and code. One registry
 * per served member, so that several members in one JVM keep theirs apart.
 */
final class ServerMetrics implements ServerInterceptor, AutoCloseable {
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Counter started;
    private final Counter handled;
    private final Runnable stopWalFsync;
    private final Runnable stopRoundTrips;

    ServerMetrics(StoreMember member) {
        GaugeWithCallback.builder().name("etcd_server_has_leader")
                .help("Whether or not a leader exists. 1 is existence, 0 is not.")
                .callback(cb -> cb.call(member.status().leader().isPresent() ? 1 : 0)).register(registry);
        GaugeWithCallback.builder().name("etcd_server_is_leader")
                .help("Whether or not this member is a leader. 1 if is, 0 otherwise.")
                .callback(cb -> cb.call(member.status().isLeader() ? 1 : 0)).register(registry);
        GaugeWithCallback.builder().name("etcd_server_id")
                .help("Server or member ID in hexadecimal format. 1 for 'server_id' label with current ID.")
                .labelNames("server_id")
                .callback(cb -> cb.call(1, Long.toHexString(member.status().memberId()))).register(registry);
        CounterWithCallback.builder().name("etcd_server_leader_changes_seen")
                .help("The number of leader changes seen.")
                .callback(cb -> cb.call(member.leaderChangesSeen())).register(registry);
        GaugeWithCallback.builder().name("etcd_server_proposals_committed_total")
                .help("The total number of consensus proposals committed.")
                .callback(cb -> cb.call(member.status().raftIndex())).register(registry);
        GaugeWithCallback.builder().name("etcd_server_proposals_applied_total")
                .help("The total number of consensus proposals applied.")
                .callback(cb -> cb.call(member.status().appliedIndex())).register(registry);
        GaugeWithCallback.builder().name("etcd_mvcc_db_total_size_in_bytes")
                .help("Total size of the underlying database physically allocated in bytes.")
                .callback(cb -> cb.call(MaintenanceService.dataSize(member.config().dataDir()))).register(registry);
        started = Counter.builder().name("grpc_server_started")
                .help("Total number of RPCs started on the server.")
                .labelNames("grpc_type", "grpc_service", "grpc_method").register(registry);
        handled = Counter.builder().name("grpc_server_handled")
                .help("Total number of RPCs completed on the server, regardless of success or failure.")
                .labelNames("grpc_type", "grpc_service", "grpc_method", "grpc_code").register(registry);
        Histogram walFsync = Histogram.builder().name("etcd_disk_wal_fsync_duration_seconds")
                .help("The latency distributions of fsync called by WAL.")
                .classicOnly().classicExponentialUpperBounds(0.001, 2, 14).register(registry);
        stopWalFsync = member.onWalFsync(walFsync::observe);
        // etcd's help text has no final period; the label is the peer's member id in hex
        Histogram roundTrips = Histogram.builder().name("etcd_network_peer_round_trip_time_seconds")
                .help("Round-Trip-Time histogram between peers")
                .labelNames("To").classicOnly().classicExponentialUpperBounds(0.0001, 2, 16).register(registry);
        stopRoundTrips = member.onPeerRoundTrip((id, seconds) ->
                roundTrips.labelValues(Long.toHexString(id)).observe(seconds));
    }

    /** Stops listening to the member (which may outlive this server). */
    @Override
    public void close() {
        stopWalFsync.run();
        stopRoundTrips.run();
    }

    /** The metrics in Prometheus' text format. */
    String text() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            PrometheusTextFormatWriter.create().write(out, registry.scrape());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                       ServerCallHandler<Q, R> next) {
        MethodDescriptor<Q, R> m = call.getMethodDescriptor();
        String type = switch (m.getType()) {
            case UNARY -> "unary";
            case CLIENT_STREAMING -> "client_stream";
            case SERVER_STREAMING -> "server_stream";
            case BIDI_STREAMING -> "bidi_stream";
            case UNKNOWN -> "unknown";
        };
        String service = m.getServiceName() == null ? "" : m.getServiceName();
        String method = m.getBareMethodName() == null ? "" : m.getBareMethodName();
        started.labelValues(type, service, method).inc();
        return next.startCall(new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
            @Override
            public void close(Status status, Metadata trailers) {
                handled.labelValues(type, service, method, codeName(status.getCode())).inc();
                super.close(status, trailers);
            }
        }, headers);
    }

    /** Go's names for gRPC codes ({@code OK}, {@code NotFound}, {@code Unavailable}...), as etcd's labels carry. */
    static String codeName(Status.Code code) {
        StringBuilder b = new StringBuilder();
        for (String part : code.name().split("_")) {
            b.append(part.charAt(0)).append(part.substring(1).toLowerCase(java.util.Locale.ROOT));
        }
        String name = b.toString();
        return switch (name) {
            case "Ok" -> "OK";
            case "Cancelled" -> "Canceled";
            default -> name;
        };
    }
}
