package io.keelson.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.keelson.store.KeelsonStore;
import io.keelson.store.Peer;
import io.keelson.store.PutRequest;
import io.keelson.store.StoreConfig;
import io.keelson.store.StoreMember;
import io.keelson.store.TestStores;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A group across three JVMs: this one embeds m1, two child processes run m2 and m3 with
 * {@code keelson member}. A member process is killed with SIGKILL under writes; every acknowledged
 * write is still there afterwards, on every member.
 */
class ThreeProcessIT {
    @TempDir
    Path root;
    final List<Process> processes = new ArrayList<>();
    final List<StoreMember> embedded = new ArrayList<>();

    @AfterEach
    void stop() {
        processes.forEach(Process::destroyForcibly);
        embedded.forEach(StoreMember::close);
    }

    private static List<Peer> peers() throws IOException {
        List<Peer> peers = new ArrayList<>();
        for (String name : List.of("m1", "m2", "m3")) {
            try (ServerSocket s = new ServerSocket(0)) {
                peers.add(new Peer(name, "127.0.0.1", s.getLocalPort()));
            }
        }
        return peers;
    }

    private Process startProcess(Peer self, List<Peer> peers) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djava.util.concurrent.ForkJoinPool.common.parallelism=4", "-Xmx512m",
                "-cp", System.getProperty("java.class.path"), "io.keelson.cli.Main", "member",
                "--name", self.name(), "--data-dir", root.resolve(self.name()).toString()));
        for (Peer p : peers) {
            cmd.add("--peer");
            cmd.add(p.name() + "=" + p.address());
        }
        return new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(root.resolve(self.name() + ".log").toFile()).start();
    }

    private static StoreConfig config(Path root, Peer self, List<Peer> peers) {
        return StoreConfig.member(root.resolve(self.name()), self.name(), peers);
    }

    @Test
    void memberProcessKilled_underWrites_losesNoAcknowledgedWrite() throws Exception {
        List<Peer> peers = peers();
        processes.add(startProcess(peers.get(1), peers));
        processes.add(startProcess(peers.get(2), peers));
        StoreMember m1 = KeelsonStore.open(config(root, peers.get(0), peers));
        embedded.add(m1);
        awaitLeader(m1);

        Map<String, String> acknowledged = new ConcurrentHashMap<>();
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> writers = new ArrayList<>();
        for (int w = 0; w < 4; w++) {
            int writer = w;
            Thread t = new Thread(() -> {
                for (int i = 0; !stop.get(); i++) {
                    try {
                        m1.put(PutRequest.of("p" + writer + "/" + i, "v" + i)).get(20, TimeUnit.SECONDS);
                        acknowledged.put("p" + writer + "/" + i, "v" + i);
                    } catch (Exception e) {
                        // not acknowledged: may or may not have been applied
                    }
                }
            });
            t.start();
            writers.add(t);
        }
        awaitCount(acknowledged, 300);
        String leader = m1.status().leader().orElseThrow();
        // SIGKILL the leader if it is a child process, otherwise a follower process
        int victim = leader.equals("m3") ? 1 : 0;
        Peer victimPeer = peers.get(victim + 1);
        processes.get(victim).destroyForcibly().waitFor();
        int before = acknowledged.size();
        awaitCount(acknowledged, before + 300);
        processes.set(victim, startProcess(victimPeer, peers));
        awaitCount(acknowledged, acknowledged.size() + 100);
        stop.set(true);
        for (Thread t : writers) {
            t.join();
        }

        // stop the processes cleanly, then open all three data directories here and compare
        for (Process p : processes) {
            p.destroy();
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        processes.clear();
        m1.close();
        embedded.clear();
        for (Peer p : peers) {
            embedded.add(KeelsonStore.open(config(root, p, peers)));
        }
        StoreMember anyMember = embedded.get(0);
        awaitLeader(anyMember);
        Map<String, String> all = TestStores.contents(anyMember, false);
        assertThat(all).containsAllEntriesOf(acknowledged);
        for (StoreMember m : embedded) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!TestStores.contents(m, true).equals(all) && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(TestStores.contents(m, true)).isEqualTo(all);
        }
    }

    private static void awaitLeader(StoreMember m) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (m.status().leader().isEmpty()) {
            assertThat(System.nanoTime()).as("a leader is elected").isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    private static void awaitCount(Map<String, String> acknowledged, int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (acknowledged.size() < count) {
            assertThat(System.nanoTime()).as("writes keep being acknowledged").isLessThan(deadline);
            Thread.sleep(20);
        }
    }
}
