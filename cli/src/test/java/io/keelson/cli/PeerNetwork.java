package io.keelson.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Three network namespaces made by a test, one per member, joined by a bridge in this namespace (where
 * the test's clients run), so that the links between members can be cut while clients still reach every
 * member: {@link #cut} adds blackhole routes between one member's address and the others', in each of
 * their namespaces, and {@link #heal} removes them. Needs root and {@code ip} (iproute2); everything is
 * removed on {@link #close}.
 */
final class PeerNetwork implements AutoCloseable {
    private static final String SUBNET = "10.213.37.";

    private final String prefix;
    private final int members;
    private final List<String> cuts = new ArrayList<>(); // "namespace address" of each blackhole route

    private PeerNetwork(String prefix, int members) {
        this.prefix = prefix;
        this.members = members;
    }

    /**
     * Makes the namespaces and the bridge. Fails if this process may not (it is not root, or iproute2 is
     * missing); callers decide whether that skips their test.
     */
    static PeerNetwork create(int members) throws IOException {
        // interface names are at most 15 characters; the pid keeps concurrent or leftover runs apart
        PeerNetwork net = new PeerNetwork("kn" + ProcessHandle.current().pid() % 100_000, members);
        try {
            net.ip("link", "add", net.bridge(), "type", "bridge");
            net.ip("addr", "add", SUBNET + "1/24", "dev", net.bridge());
            net.ip("link", "set", net.bridge(), "up");
            for (int i = 0; i < members; i++) {
                String ns = net.namespace(i);
                net.ip("netns", "add", ns);
                net.ip("link", "add", net.prefix + "h" + i, "type", "veth", "peer", "name", net.prefix + "n" + i);
                net.ip("link", "set", net.prefix + "n" + i, "netns", ns);
                net.ip("link", "set", net.prefix + "h" + i, "master", net.bridge(), "up");
                net.ip("-n", ns, "addr", "add", net.address(i) + "/24", "dev", net.prefix + "n" + i);
                net.ip("-n", ns, "link", "set", net.prefix + "n" + i, "up");
                net.ip("-n", ns, "link", "set", "lo", "up");
            }
        } catch (IOException | RuntimeException e) {
            net.close();
            throw e;
        }
        return net;
    }

    String namespace(int member) {
        return prefix + "ns" + member;
    }

    /** The member's address, reached from this namespace through the bridge. */
    String address(int member) {
        return SUBNET + (11 + member);
    }

    private String bridge() {
        return prefix + "br";
    }

    /** Cuts every link between {@code member} and the other members, in both directions. */
    synchronized void cut(int member) throws IOException {
        for (int other = 0; other < members; other++) {
            if (other != member) {
                blackhole(namespace(member), address(other));
                blackhole(namespace(other), address(member));
            }
        }
    }

    private void blackhole(String namespace, String address) throws IOException {
        ip("-n", namespace, "route", "add", "blackhole", address + "/32");
        cuts.add(namespace + " " + address);
    }

    /** Restores every cut link. */
    synchronized void heal() throws IOException {
        for (String cut : cuts) {
            String[] parts = cut.split(" ");
            ip("-n", parts[0], "route", "del", "blackhole", parts[1] + "/32");
        }
        cuts.clear();
    }

    @Override
    public void close() {
        for (int i = 0; i < members; i++) {
            quietly("netns", "del", namespace(i)); // takes the veth pair with it
        }
        quietly("link", "del", bridge());
    }

    private void quietly(String... args) {
        try {
            ip(args);
        } catch (IOException | RuntimeException e) {
            // already gone, or never made
        }
    }

    private void ip(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("ip"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", cmd) + " did not finish");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + out);
        }
    }
}
