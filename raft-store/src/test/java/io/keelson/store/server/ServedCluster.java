package io.keelson.store.server;

import io.keelson.store.KeelsonStore;
import io.keelson.store.StoreConfig;
import io.keelson.store.StoreMember;
import io.keelson.store.TestStores;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Three store members, each serving etcd's gRPC API on a free port, with a leader elected. */
final class ServedCluster implements AutoCloseable {
    final List<StoreMember> members = new ArrayList<>();
    final List<EtcdServer> servers = new ArrayList<>();
    final List<String> endpoints = new ArrayList<>();

    static ServedCluster start(Path root) throws Exception {
        ServedCluster c = new ServedCluster();
        for (StoreConfig config : TestStores.threeMembers(root)) {
            StoreMember m = KeelsonStore.open(config);
            c.members.add(m);
            int port;
            try (ServerSocket s = new ServerSocket(0)) {
                port = s.getLocalPort();
            }
            String url = "http://127.0.0.1:" + port;
            c.servers.add(EtcdServer.start(m, List.of(new InetSocketAddress("127.0.0.1", port)), List.of(url)));
            c.endpoints.add(url);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (c.members.stream().noneMatch(m -> m.status().isLeader()) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        return c;
    }

    /** A jetcd client over every member's endpoint. */
    io.etcd.jetcd.Client client() {
        return io.etcd.jetcd.Client.builder().endpoints(endpoints.toArray(String[]::new)).build();
    }

    @Override
    public void close() {
        servers.forEach(EtcdServer::close);
        members.forEach(StoreMember::close);
    }
}
