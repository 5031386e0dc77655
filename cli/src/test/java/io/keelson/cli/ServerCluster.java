package io.keelson.cli;

import io.etcd.jetcd.Client;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Three {@code keelson} server processes started as an operator starts them (etcd's flags), on loopback
 * or each in its own namespace of a {@link PeerNetwork}, with the faults a process meets: SIGKILL and
 * restart, SIGSTOP and SIGCONT.
 */
final class ServerCluster implements AutoCloseable {
    static final int MEMBERS = 3;

    private final Path root;
    private final PeerNetwork network; // null: every member on loopback
    private final String[] hosts = new String[MEMBERS];
    private final int[] clientPorts = new int[MEMBERS];
    private final int[] peerPorts = new int[MEMBERS];
    private final Process[] processes = new Process[MEMBERS];

    private ServerCluster(Path root, PeerNetwork network) throws IOException {
        this.root = root;
        this.network = network;
        for (int i = 0; i < MEMBERS; i++) {
            hosts[i] = network == null ? "127.0.0.1" : network.address(i);
            clientPorts[i] = network == null ? freePort() : 2379;
            peerPorts[i] = network == null ? freePort() : 2380;
        }
    }

    static ServerCluster onLoopback(Path root) throws IOException {
        return new ServerCluster(root, null);
    }

    static ServerCluster in(PeerNetwork network, Path root) throws IOException {
        return new ServerCluster(root, network);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    void startAll() throws IOException {
        for (int i = 0; i < MEMBERS; i++) {
            start(i);
        }
    }

    /** Starts member {@code i} (again: a restarted member recovers from its data dir). */
    void start(int i) throws IOException {
        StringBuilder cluster = new StringBuilder();
        for (int j = 0; j < MEMBERS; j++) {
            cluster.append(j == 0 ? "" : ",").append(name(j)).append("=http://").append(hosts[j]).append(':')
                    .append(peerPorts[j]);
        }
        List<String> cmd = new ArrayList<>();
        if (network != null) {
            cmd.addAll(List.of("ip", "netns", "exec", network.namespace(i))); // execs java: the same pid
        }
        String client = "http://" + hosts[i] + ":" + clientPorts[i];
        String peer = "http://" + hosts[i] + ":" + peerPorts[i];
        cmd.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djava.util.concurrent.ForkJoinPool.common.parallelism=4", "-Xmx384m", "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), "io.keelson.cli.Main",
                "--name", name(i), "--data-dir", root.resolve(name(i)).toString(),
                "--listen-client-urls", client, "--advertise-client-urls", client,
                "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
                "--initial-cluster", cluster.toString()));
        processes[i] = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(root.resolve(name(i) + ".log").toFile())).start();
    }

    /**
     * Gives member {@code i} a new peer port, for its next {@link #start} (etcd's MemberUpdate moves it there).
     *
     * @return its new peer URL
     */
    String movePeer(int i) throws IOException {
        peerPorts[i] = network == null ? freePort() : peerPorts[i] + 1;
        return "http://" + hosts[i] + ":" + peerPorts[i];
    }

    static String name(int i) {
        return "m" + (i + 1);
    }

    String endpoint(int i) {
        return "http://" + hosts[i] + ":" + clientPorts[i];
    }

    String[] endpoints() {
        String[] all = new String[MEMBERS];
        for (int i = 0; i < MEMBERS; i++) {
            all[i] = endpoint(i);
        }
        return all;
    }

    /** SIGKILL: the process ends at once, with whatever it had not fsynced. */
    void kill(int i) throws InterruptedException {
        processes[i].destroyForcibly().waitFor();
    }

    /** SIGSTOP: the process is frozen, as in a long GC pause or a stalled VM. */
    void pause(int i) throws IOException, InterruptedException {
        signal("STOP", i);
    }

    /** SIGCONT after {@link #pause}. */
    void resume(int i) throws IOException, InterruptedException {
        signal("CONT", i);
    }

    private void signal(String signal, int i) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(processes[i].pid())).start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new IOException("kill -" + signal + " " + processes[i].pid() + " failed");
        }
    }

    /** The last {@code lines} lines of member {@code i}'s log, for a failure's message. */
    String logTail(int i, int lines) {
        try {
            List<String> all = java.nio.file.Files.readAllLines(root.resolve(name(i) + ".log"));
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** The index of the member that says it leads, or -1 if none says so within {@code wait}. */
    int leader(Client client, Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        do {
            for (int i = 0; i < MEMBERS; i++) {
                try {
                    var status = client.getMaintenanceClient().statusMember(endpoint(i)).get(1, TimeUnit.SECONDS);
                    if (status.getLeader() != 0 && status.getLeader() == status.getHeader().getMemberId()) {
                        return i;
                    }
                } catch (Exception e) {
                    // down, frozen or cut off: ask the next
                }
            }
            Thread.sleep(100);
        } while (System.nanoTime() < deadline);
        return -1;
    }

    @Override
    public void close() {
        for (int i = 0; i < MEMBERS; i++) {
            Process p = processes[i];
            if (p != null) {
                try {
                    resume(i); // a stopped process does not act on SIGKILL's exit until continued
                } catch (IOException | InterruptedException e) {
                    // ended already
                }
                p.destroyForcibly();
                try {
                    p.waitFor(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }
}
