package io.keelson.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.options.GetOption;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three server processes started as an operator would ({@code keelson} with etcd's flags); the
 * leader is killed with SIGKILL while a jetcd client writes. The client keeps working through the
 * other endpoints, and after the killed member restarts every acknowledged write is on every member.
 */
class ServerProcessIT {
    @TempDir
    Path root;
    final List<Process> processes = new ArrayList<>();

    @AfterEach
    void stop() {
        processes.forEach(p -> {
            if (p != null) {
                p.destroyForcibly();
            }
        });
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private Process start(int i, int[] client, int[] peer) throws IOException {
        StringBuilder cluster = new StringBuilder();
        for (int j = 0; j < 3; j++) {
            cluster.append(j == 0 ? "" : ",").append("m").append(j).append("=http://127.0.0.1:").append(peer[j]);
        }
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djava.util.concurrent.ForkJoinPool.common.parallelism=4", "-Xmx512m",
                "-cp", System.getProperty("java.class.path"), "io.keelson.cli.Main",
                "--name", "m" + i, "--data-dir", root.resolve("m" + i).toString(),
                "--listen-client-urls", "http://127.0.0.1:" + client[i],
                "--advertise-client-urls", "http://127.0.0.1:" + client[i],
                "--listen-peer-urls", "http://127.0.0.1:" + peer[i],
                "--initial-advertise-peer-urls", "http://127.0.0.1:" + peer[i],
                "--initial-cluster", cluster.toString(), "--election-timeout", "500");
        return new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(root.resolve("m" + i + ".log").toFile()).start();
    }

    static ByteSequence bs(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }

    @Test
    void leaderProcessKilled_clientKeepsWriting_andNoAcknowledgedWriteIsLost() throws Exception {
        int[] client = {freePort(), freePort(), freePort()};
        int[] peer = {freePort(), freePort(), freePort()};
        for (int i = 0; i < 3; i++) {
            processes.add(start(i, client, peer));
        }
        String[] endpoints = new String[3];
        for (int i = 0; i < 3; i++) {
            endpoints[i] = "http://127.0.0.1:" + client[i];
        }
        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        AtomicBoolean stop = new AtomicBoolean();
        try (Client etcd = Client.builder().endpoints(endpoints).build()) {
            awaitLeader(etcd, endpoints);
            Thread writer = new Thread(() -> {
                for (int n = 0; !stop.get(); n++) {
                    try {
                        etcd.getKVClient().put(bs("/fault/" + n), bs("v" + n)).get(10, TimeUnit.SECONDS);
                        acknowledged.add("/fault/" + n);
                    } catch (Exception e) {
                        // not acknowledged: retried under a new key
                    }
                }
            });
            writer.start();
            awaitCount(acknowledged, 200);
            int leader = awaitLeader(etcd, endpoints);
            processes.get(leader).destroyForcibly().waitFor(); // SIGKILL
            int before = acknowledged.size();
            awaitCount(acknowledged, before + 200);
            processes.set(leader, start(leader, client, peer));
            awaitCount(acknowledged, acknowledged.size() + 50);
            stop.set(true);
            writer.join();

            Set<String> stored = keys(etcd.getKVClient().get(bs("/fault/"), GetOption.builder().isPrefix(true)
                    .build()).get(30, TimeUnit.SECONDS).getKvs());
            assertThat(stored).containsAll(acknowledged);
        }
        // the restarted member has them too, read on its own (serializable) state
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        for (int i = 0; i < 3; i++) {
            try (Client one = Client.builder().endpoints(endpoints[i]).build()) {
                Set<String> local = Set.of();
                while (System.nanoTime() < deadline) {
                    local = keys(one.getKVClient().get(bs("/fault/"), GetOption.builder().isPrefix(true)
                            .withSerializable(true).build()).get(30, TimeUnit.SECONDS).getKvs());
                    if (local.containsAll(acknowledged)) {
                        break;
                    }
                    Thread.sleep(100);
                }
                assertThat(local).as("member m" + i).containsAll(acknowledged);
            }
        }
    }

    private static Set<String> keys(List<KeyValue> kvs) {
        Set<String> out = new HashSet<>();
        kvs.forEach(kv -> out.add(kv.getKey().toString(StandardCharsets.UTF_8)));
        return out;
    }

    /** Index of the endpoint whose member is the leader. */
    private static int awaitLeader(Client etcd, String[] endpoints) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            for (int i = 0; i < endpoints.length; i++) {
                try {
                    var status = etcd.getMaintenanceClient().statusMember(endpoints[i]).get(2, TimeUnit.SECONDS);
                    if (status.getLeader() != 0 && status.getLeader() == status.getHeader().getMemberId()) {
                        return i;
                    }
                } catch (Exception e) {
                    // not up yet, or being killed
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no leader");
    }

    private static void awaitCount(Set<String> acknowledged, int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (acknowledged.size() < count) {
            assertThat(System.nanoTime()).as("writes keep being acknowledged").isLessThan(deadline);
            Thread.sleep(20);
        }
    }
}
