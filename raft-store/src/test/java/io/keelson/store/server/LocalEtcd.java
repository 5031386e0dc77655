package io.keelson.store.server;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A single-member etcd (Debian's etcd-server, which .ci/run installs) on free loopback ports, for tests that
 * compare with or run against real etcd. Shared with other modules through raft-store's test jar.
 */
public final class LocalEtcd implements AutoCloseable {
    private final Process process;
    private final String endpoint;

    private LocalEtcd(Process process, String endpoint) {
        this.process = process;
        this.endpoint = endpoint;
    }

    /** Whether etcd and etcdctl are installed; CI installs them, so tests only skip without them elsewhere. */
    public static boolean installed() {
        boolean present = Etcdctl.onPath("etcd") && Etcdctl.onPath("etcdctl");
        if (!present && System.getenv("CI") != null) {
            throw new IllegalStateException(
                    "etcd and etcdctl must be on the PATH in CI (apt-get install etcd-server etcd-client)");
        }
        return present;
    }

    /** Starts etcd with its data under {@code dir} and waits until it is healthy. */
    public static LocalEtcd start(Path dir) throws Exception {
        int client = freePort();
        int peer = freePort();
        String endpoint = "127.0.0.1:" + client;
        Path log = dir.resolve("etcd.log");
        Process process = new ProcessBuilder("etcd", "--name", "local", "--data-dir", dir.resolve("etcd").toString(),
                "--listen-client-urls", "http://" + endpoint, "--advertise-client-urls", "http://" + endpoint,
                "--listen-peer-urls", "http://127.0.0.1:" + peer,
                "--initial-advertise-peer-urls", "http://127.0.0.1:" + peer,
                "--initial-cluster", "local=http://127.0.0.1:" + peer)
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        LocalEtcd etcd = new LocalEtcd(process, endpoint);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (Etcdctl.run(endpoint, null, "endpoint", "health").exit() != 0) {
            if (System.nanoTime() > deadline || !process.isAlive()) {
                etcd.close();
                throw new IllegalStateException("etcd did not become healthy: " + Files.readString(log));
            }
            Thread.sleep(200);
        }
        return etcd;
    }

    /** host:port of its client URL. */
    public String endpoint() {
        return endpoint;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
