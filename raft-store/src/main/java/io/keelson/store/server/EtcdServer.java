package io.keelson.store.server;

import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import io.keelson.store.StoreMember;
import io.keelson.store.raft.PemFiles;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves etcd's v3 gRPC API ({@code KV}, {@code Watch}, {@code Lease}, {@code Maintenance},
 * {@code Cluster}, {@code Lock}, {@code Election}) for one store member, so etcdctl and other etcd clients work
 * against it; on the same port, etcd's HTTP endpoints {@code /health}, {@code /version} and {@code /metrics}.
 */
public final class EtcdServer implements AutoCloseable {
    /** etcd accepts this much gRPC framing on top of the largest request. */
    private static final int GRPC_OVERHEAD_BYTES = 512 * 1024;

    private static final Logger LOG = LoggerFactory.getLogger(EtcdServer.class);

    private final Server server;
    private final ExecutorService maintenance;
    private final HttpEndpoints http;
    private final ServerMetrics metrics;
    private final List<Channel> metricsListeners = new ArrayList<>();
    private EventLoopGroup metricsLoop;
    private volatile boolean closed;

    private EtcdServer(Server server, ExecutorService maintenance, HttpEndpoints http, ServerMetrics metrics) {
        this.server = server;
        this.maintenance = maintenance;
        this.http = http;
        this.metrics = metrics;
    }

    /**
     * Starts serving {@code member} on every address in {@code listen}.
     *
     * @param clientUrls the URLs advertised to clients in the member list
     */
    public static EtcdServer start(StoreMember member, List<InetSocketAddress> listen, List<String> clientUrls)
            throws IOException {
        return start(member, listen, clientUrls, Transport.ETCD_DEFAULTS);
    }

    /**
     * etcd's gRPC transport settings ({@code --max-concurrent-streams}, {@code --grpc-keepalive-min-time},
     * {@code --grpc-keepalive-interval}, {@code --grpc-keepalive-timeout}).
     *
     * @param maxConcurrentStreams most concurrent calls on one client connection
     * @param keepaliveMinTime     the shortest interval between a client's keepalive pings the server allows
     *                             (more frequent pings end the connection, as gRPC's enforcement does)
     * @param keepaliveInterval    how long a connection may be quiet before the server pings it
     * @param keepaliveTimeout     how long the server waits for the answer to its ping before closing
     */
    public record Transport(int maxConcurrentStreams, Duration keepaliveMinTime,
                            Duration keepaliveInterval, Duration keepaliveTimeout) {
        /** etcd 3.4's defaults: no stream limit (2^32-1), 5 s, 2 h and 20 s. */
        public static final Transport ETCD_DEFAULTS = new Transport(Integer.MAX_VALUE,
                Duration.ofSeconds(5), Duration.ofHours(2), Duration.ofSeconds(20));
    }

    /**
     * TLS on the client port, as etcd's {@code --cert-file}, {@code --key-file} and {@code --trusted-ca-file}: PEM
     * files, the key in any of the forms etcd takes (PKCS#8, PKCS#1 RSA, SEC1 EC). As in etcd, a trusted CA makes
     * the server require a client certificate signed by it ({@code --client-cert-auth} asks for the same).
     *
     * @param trustedCaFile the CA bundle client certificates must chain to; null when clients need none
     */
    public record ClientTls(Path certFile, Path keyFile, Path trustedCaFile) {
        public ClientTls {
            Objects.requireNonNull(certFile, "certFile");
            Objects.requireNonNull(keyFile, "keyFile");
        }

        /** The server's TLS context; a file that cannot be read or parsed is an IOException naming it. */
        SslContext serverContext() throws IOException {
            try {
                SslContextBuilder b = SslContextBuilder.forServer(PemFiles.privateKey(keyFile),
                                PemFiles.certificates(certFile))
                        .sslProvider(SslProvider.JDK); // ALPN's choice is made through the JDK's engine
                if (trustedCaFile != null) {
                    b.trustManager(PemFiles.certificates(trustedCaFile)).clientAuth(ClientAuth.REQUIRE);
                }
                return b.build();
            } catch (IOException | IllegalArgumentException e) {
                throw new IOException("cannot load TLS certificate " + certFile + " and key " + keyFile
                        + (trustedCaFile == null ? "" : " (trusted CA " + trustedCaFile + ")") + ": "
                        + e.getMessage(), e);
            }
        }
    }

    /** Starts serving {@code member} as {@link #start(StoreMember, List, List)}, with these transport settings. */
    public static EtcdServer start(StoreMember member, List<InetSocketAddress> listen, List<String> clientUrls,
                                   Transport transport) throws IOException {
        return start(member, listen, clientUrls, transport, null);
    }

    /**
     * Starts serving {@code member} as {@link #start(StoreMember, List, List, Transport)}, over TLS when {@code tls}
     * is given (gRPC and the HTTP endpoints alike, as etcd's https client URLs).
     */
    public static EtcdServer start(StoreMember member, List<InetSocketAddress> listen, List<String> clientUrls,
                                   Transport transport, ClientTls tls) throws IOException {
        SslContext ssl = tls == null ? null : tls.serverContext();
        NettyServerBuilder builder = NettyServerBuilder.forAddress(listen.get(0))
                .maxConcurrentCallsPerConnection(transport.maxConcurrentStreams())
                // gRPC Java's default allows a client ping only every 5 minutes: clients that ping every 30 s, as
                // jetcd does, would be sent away; etcd allows one every 5 s
                .permitKeepAliveTime(transport.keepaliveMinTime().toMillis(), TimeUnit.MILLISECONDS)
                .keepAliveTime(transport.keepaliveInterval().toMillis(), TimeUnit.MILLISECONDS)
                .keepAliveTimeout(transport.keepaliveTimeout().toMillis(), TimeUnit.MILLISECONDS);
        for (InetSocketAddress extra : listen.subList(1, listen.size())) {
            builder.addListenAddress(extra);
        }
        // handlers run on the transport threads: every store call is asynchronous, and a hand-off to
        // an executor per call cost about half the write throughput on two cores; what reads the
        // whole keyspace or the disk runs on `maintenance`
        ExecutorService maintenance = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "keelson-maintenance");
            t.setDaemon(true);
            return t;
        });
        ServerMetrics metrics = new ServerMetrics(member);
        HttpEndpoints http = new HttpEndpoints(member, metrics::text);
        // HTTP/1.1 (/health, /version, /metrics) and gRPC share the client port, as etcd's do
        builder.protocolNegotiator(new ClientPort(http::newHandler, ssl));
        Server server;
        try {
            server = builder.directExecutor()
                    .maxInboundMessageSize((int) member.config().maxRequestBytes() + GRPC_OVERHEAD_BYTES)
                    .intercept(new RequireLeader(member))
                    .intercept(new AuthGuard(member, tls != null && tls.trustedCaFile() != null))
                    .intercept(new LearnerGuard(member))
                    .intercept(metrics) // outermost: counts the calls RequireLeader refuses too
                    .addService(new KvService(member))
                    .addService(new WatchService(member, (int) member.config().maxRequestBytes(),
                            WatchService.DEFAULT_OUTBOX_LIMIT_BYTES))
                    .addService(LeaseLeasesMethod.with(new LeaseService(member), member))
                    .addService(new MaintenanceService(member, maintenance))
                    .addService(new ClusterService(member, clientUrls))
                    .addService(new LockService(member))
                    .addService(new ElectionService(member))
                    .addService(new AuthService(member))
                    .build()
                    .start();
        } catch (IOException | RuntimeException e) {
            maintenance.shutdownNow();
            metrics.close();
            throw e;
        }
        EtcdServer etcd = new EtcdServer(server, maintenance, http, metrics);
        etcd.publish(member, clientUrls);
        return etcd;
    }

    /** Publishes the client URLs through the log, retrying every second until a leader takes them. */
    private void publish(StoreMember member, List<String> clientUrls) {
        member.publishClientUrls(clientUrls).whenComplete((ok, failure) -> {
            if (failure != null && !closed) {
                LOG.debug("publishing client URLs failed ({}); retrying", failure.toString());
                CompletableFuture.delayedExecutor(1, TimeUnit.SECONDS).execute(() -> {
                    if (!closed) {
                        publish(member, clientUrls);
                    }
                });
            }
        });
    }

    /**
     * Also serves {@code /metrics} and {@code /health} as plain HTTP on each of {@code listen}, as etcd's
     * {@code --listen-metrics-urls} does (no gRPC there, and no {@code /version}).
     */
    public synchronized void serveMetrics(List<InetSocketAddress> listen) throws IOException {
        if (metricsLoop == null) {
            metricsLoop = new MultiThreadIoEventLoopGroup(1,
                    NioIoHandler.newFactory());
        }
        ServerBootstrap b = new ServerBootstrap().group(metricsLoop)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(),
                                new HttpObjectAggregator(64 * 1024),
                                http.newMetricsHandler());
                    }
                });
        for (InetSocketAddress a : listen) {
            try {
                metricsListeners.add(b.bind(a).sync().channel());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while binding " + a, e);
            } catch (RuntimeException e) {
                throw new IOException("cannot listen on " + a + ": " + e.getMessage(), e);
            }
        }
    }

    /** The port of the first listen address (useful when it was 0). */
    public int port() {
        return server.getPort();
    }

    @Override
    public void close() {
        closed = true;
        synchronized (this) {
            metricsListeners.forEach(Channel::close);
            if (metricsLoop != null) {
                metricsLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            }
        }
        maintenance.shutdownNow();
        metrics.close();
        server.shutdown();
        try {
            if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
                server.shutdownNow();
            }
        } catch (InterruptedException e) {
            server.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
