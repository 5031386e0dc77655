package io.keelson.store.server;

import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import io.keelson.store.StoreMember;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Serves etcd's v3 gRPC API ({@code KV}, {@code Watch}, {@code Lease}, {@code Maintenance},
 * {@code Cluster}) for one store member, so etcdctl and other etcd clients work against it.
 */
public final class EtcdServer implements AutoCloseable {
    /** etcd accepts this much gRPC framing on top of the largest request. */
    private static final int GRPC_OVERHEAD_BYTES = 512 * 1024;

    private final Server server;

    private EtcdServer(Server server) {
        this.server = server;
    }

    /**
     * Starts serving {@code member} on every address in {@code listen}.
     *
     * @param clientUrls the URLs advertised to clients in the member list
     */
    public static EtcdServer start(StoreMember member, List<InetSocketAddress> listen, List<String> clientUrls)
            throws IOException {
        NettyServerBuilder builder = NettyServerBuilder.forAddress(listen.get(0));
        for (InetSocketAddress extra : listen.subList(1, listen.size())) {
            builder.addListenAddress(extra);
        }
        Server server = builder
                .maxInboundMessageSize((int) member.config().maxRequestBytes() + GRPC_OVERHEAD_BYTES)
                .intercept(new RequireLeader(member))
                .addService(new KvService(member))
                .addService(new WatchService(member))
                .addService(LeaseLeasesMethod.with(new LeaseService(member), member))
                .addService(new MaintenanceService(member))
                .addService(new ClusterService(member, clientUrls))
                .build()
                .start();
        return new EtcdServer(server);
    }

    /** The port of the first listen address (useful when it was 0). */
    public int port() {
        return server.getPort();
    }

    @Override
    public void close() {
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
