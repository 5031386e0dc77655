package io.keelson.store.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.keelson.store.KeelsonStore;
import io.keelson.store.Peer;
import io.keelson.store.StoreConfig;
import io.keelson.store.StoreMember;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's membership sessions through etcdctl: a cluster grown from one member to three, and a failed member
 * replaced, each new member started to join as {@code --initial-cluster-state existing} starts it.
 */
class MemberCommandsIT {
    /** etcdctl prints ids as {@code %16x}: a short one is padded with spaces. */
    private static final Pattern ADDED = Pattern.compile("Member +([0-9a-f]+) added to cluster +([0-9a-f]+)");

    @TempDir
    Path root;
    /** Every member started so far, by name, with its peer; the order of --initial-cluster. */
    final Map<String, Peer> peers = new LinkedHashMap<>();
    final Map<String, StoreMember> members = new LinkedHashMap<>();
    final Map<String, EtcdServer> servers = new LinkedHashMap<>();
    final Map<String, String> endpoints = new LinkedHashMap<>();

    @BeforeEach
    void etcdctlInstalled() {
        Assumptions.assumeTrue(Etcdctl.onPath("etcdctl"), "etcdctl 3.4 is not on the PATH (apt-get install etcd-client)");
    }

    @AfterEach
    void closeAll() {
        servers.values().forEach(EtcdServer::close);
        members.values().forEach(StoreMember::close);
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private Peer reserve(String name) throws Exception {
        Peer p = new Peer(name, "127.0.0.1", freePort());
        peers.put(name, p);
        return p;
    }

    /** Starts member {@code name} with the peers known so far, serving etcd's API; {@code join} as "existing". */
    private void start(String name, boolean join) throws Exception {
        StoreConfig config = StoreConfig.member(root.resolve(name), name, List.copyOf(peers.values()))
                .withElectionTimeout(Duration.ofMillis(300));
        StoreMember m = KeelsonStore.open(join ? config.withJoinExisting() : config);
        members.put(name, m);
        int port = freePort();
        String url = "http://127.0.0.1:" + port;
        servers.put(name, EtcdServer.start(m, List.of(new InetSocketAddress("127.0.0.1", port)), List.of(url)));
        endpoints.put(name, url);
        m.publishClientUrls(List.of(url)).join();
    }

    private String etcdctl(String member, String... args) throws Exception {
        Etcdctl.Result r = Etcdctl.run(endpoints.get(member), null, args);
        assertThat(r.exit()).as("etcdctl " + String.join(" ", args) + ": " + r.out()).isZero();
        return r.out();
    }

    private static String url(Peer p) {
        return "http://" + p.address();
    }

    /** {@code etcdctl member add}; returns the new member's id (hex) after checking what it prints. */
    private String memberAdd(String via, String name) throws Exception {
        Peer p = reserve(name);
        String out = etcdctl(via, "member", "add", name, "--peer-urls=" + url(p));
        Matcher m = ADDED.matcher(out);
        assertThat(m.find()).as(out).isTrue();
        List<String> cluster = new ArrayList<>();
        peers.values().stream().filter(q -> members.containsKey(q.name()) || q == p)
                .forEach(q -> cluster.add(q.name() + "=" + url(q)));
        assertThat(out).contains("ETCD_NAME=\"" + name + "\"")
                .contains("ETCD_INITIAL_CLUSTER_STATE=\"existing\"");
        assertThat(out.lines().filter(l -> l.startsWith("ETCD_INITIAL_CLUSTER=")).findFirst().orElseThrow())
                .contains(cluster.toArray(String[]::new));
        return m.group(1);
    }

    @Test
    void aClusterGrowsFromOneMemberToThree_andAFailedMemberIsReplaced() throws Exception {
        reserve("a");
        start("a", false);
        etcdctl("a", "put", "before", "growth");

        String b = memberAdd("a", "b");
        assertThat(etcdctl("a", "member", "list")).contains(b + ", unstarted, , " + url(peers.get("b")) + ", , false");
        start("b", true);
        String c = memberAdd("b", "c");
        start("c", true);

        String list = etcdctl("c", "member", "list");
        assertThat(list.lines()).hasSize(3).allMatch(l -> l.contains(", started, "));
        assertThat(list).contains(b + ", started, b, " + url(peers.get("b")) + ", " + endpoints.get("b") + ", false")
                .contains(c + ", started, c, ");
        assertThat(etcdctl("c", "get", "before", "--print-value-only").trim()).isEqualTo("growth");
        etcdctl("c", "put", "after", "growth");
        assertThat(etcdctl("a", "get", "after", "--print-value-only").trim()).isEqualTo("growth");

        // c fails for good: it is removed, and d takes its place
        servers.remove("c").close();
        members.remove("c").close();
        assertThat(etcdctl("a", "member", "remove", c)).containsPattern("Member +" + c + " removed from cluster");
        peers.remove("c");
        String d = memberAdd("a", "d");
        start("d", true);
        assertThat(etcdctl("d", "member", "list").lines()).hasSize(3)
                .noneMatch(l -> l.startsWith(c)).anyMatch(l -> l.startsWith(d + ", started, d, "));
        etcdctl("d", "put", "replaced", "c");
        assertThat(etcdctl("b", "get", "replaced", "--print-value-only").trim()).isEqualTo("c");
        assertThat(etcdctl("d", "get", "before", "--print-value-only").trim()).isEqualTo("growth");
    }

    @Test
    void aLearnerServesSerializableReadsAndItsStatusOnly_untilPromoted() throws Exception {
        reserve("a");
        start("a", false);
        etcdctl("a", "put", "k", "v");
        Peer pl = reserve("l");
        String out = etcdctl("a", "member", "add", "l", "--learner", "--peer-urls=" + url(pl));
        Matcher added = ADDED.matcher(out);
        assertThat(added.find()).isTrue();
        Etcdctl.Result early = Etcdctl.run(endpoints.get("a"), null, "member", "promote", added.group(1));
        assertThat(early.out()).contains("etcdserver: can only promote a learner member which is in sync with leader");
        start("l", true);

        // endpoint, id, version, db size, is leader, is learner, ...
        String[] status = etcdctl("l", "endpoint", "status").split(", ");
        assertThat(status[1]).isEqualTo(added.group(1));
        assertThat(status[5]).as("is learner").isEqualTo("true");
        assertThat(etcdctl("l", "get", "k", "--consistency=s", "--print-value-only").trim()).isEqualTo("v");
        for (String[] refused : List.of(new String[] {"put", "x", "y"}, new String[] {"get", "k"},
                new String[] {"member", "list"})) {
            Etcdctl.Result r = Etcdctl.run(endpoints.get("l"), null, refused);
            assertThat(r.exit()).as(String.join(" ", refused)).isNotZero();
            assertThat(r.out()).contains("etcdserver: rpc not supported for learner");
        }
        assertThat(etcdctl("a", "member", "promote", added.group(1)))
                .containsPattern("Member +" + added.group(1) + " promoted in cluster +" + added.group(2));
        etcdctl("l", "put", "x", "y");
        assertThat(etcdctl("a", "member", "list")).contains(added.group(1) + ", started, l, ")
                .doesNotContain("true");
    }

    @Test
    void refusals_printEtcdsErrors() throws Exception {
        reserve("a");
        start("a", false);
        Etcdctl.Result notFound = Etcdctl.run(endpoints.get("a"), null, "member", "remove", "1234");
        assertThat(notFound.exit()).isNotZero();
        assertThat(notFound.out()).contains("etcdserver: member not found");
        Etcdctl.Result taken = Etcdctl.run(endpoints.get("a"), null, "member", "add", "x",
                "--peer-urls=" + url(peers.get("a")));
        assertThat(taken.out()).contains("etcdserver: Peer URLs already exists");
        Etcdctl.Result updateNotFound = Etcdctl.run(endpoints.get("a"), null, "member", "update", "1234",
                "--peer-urls=http://127.0.0.1:9");
        assertThat(updateNotFound.out()).contains("etcdserver: member not found");
    }

    @Test
    void memberUpdate_changesAMembersPeerUrls() throws Exception {
        reserve("a");
        start("a", false);
        String b = memberAdd("a", "b");
        Etcdctl.Result taken = Etcdctl.run(endpoints.get("a"), null, "member", "update", b,
                "--peer-urls=" + url(peers.get("a")));
        assertThat(taken.out()).contains("etcdserver: Peer URLs already exists");
        // b was added at one address and starts at another
        Peer moved = new Peer("b", "127.0.0.1", freePort());
        peers.put("b", moved);
        assertThat(etcdctl("a", "member", "update", b, "--peer-urls=" + url(moved)))
                .containsPattern("Member +" + b + " updated in cluster +[0-9a-f]+");
        assertThat(etcdctl("a", "member", "list")).contains(b + ", unstarted, , " + url(moved) + ", , false");
        start("b", true);
        etcdctl("b", "put", "moved", "b");
        assertThat(etcdctl("a", "get", "moved", "--print-value-only").trim()).isEqualTo("b");
        assertThat(etcdctl("a", "member", "list")).contains(b + ", started, b, " + url(moved));
    }
}
