package io.keelson.store.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.keelson.store.KeelsonStore;
import io.keelson.store.StoreMember;
import io.keelson.store.TestStores;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same etcdctl session against a live etcd 3.4 (Debian's etcd-server, installed by .ci/run) and
 * against Keelson, both fresh: every command must print the same thing and exit the same way. Only
 * what legitimately differs is masked: cluster and member ids, lease ids (random), ports and client log lines
 * with timestamps. The Raft term is compared too: both count it as etcd does (a fresh member leads at term 2).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EtcdctlParityIT {
    @TempDir
    static Path dir;
    static LocalEtcd etcd;
    static String etcdEndpoint;
    static StoreMember member;
    static EtcdServer server;
    static String keelsonEndpoint;

    @BeforeAll
    static void start() throws Exception {
        Assumptions.assumeTrue(LocalEtcd.installed(),
                "etcd and etcdctl 3.4 are not on the PATH (apt-get install etcd-server etcd-client)");
        etcd = LocalEtcd.start(dir);
        etcdEndpoint = etcd.endpoint();
        member = KeelsonStore.open(TestStores.singleNode(dir.resolve("keelson")));
        int port = LocalEtcd.freePort();
        keelsonEndpoint = "127.0.0.1:" + port;
        server = EtcdServer.start(member, List.of(new InetSocketAddress("127.0.0.1", port)),
                List.of("http://" + keelsonEndpoint));
    }

    @AfterAll
    static void stop() throws Exception {
        if (etcd != null) {
            etcd.close();
        }
        if (server != null) {
            server.close();
        }
        if (member != null) {
            member.close();
        }
    }


    /** Masks what differs between two correct servers. */
    static String normalize(String out) {
        return out.lines()
                .filter(l -> !l.startsWith("{\"level\""))
                .map(l -> l.replaceAll("\"cluster_id\":\\d+", "\"cluster_id\":C")
                        .replaceAll("\"member_id\":\\d+", "\"member_id\":M")
                        .replaceAll("\"ID\":\\d+", "\"ID\":L")
                        .replaceAll("lease [0-9a-f]+ ", "lease L ")
                        .replaceAll("127\\.0\\.0\\.1:\\d+", "127.0.0.1:P"))
                .collect(Collectors.joining("\n"));
    }

    /** Runs one command on both and expects the same exit status and output. */
    private static String same(String stdin, String... args) throws Exception {
        Etcdctl.Result e = Etcdctl.run(etcdEndpoint, stdin, args);
        Etcdctl.Result k = Etcdctl.run(keelsonEndpoint, stdin, args);
        String what = "etcdctl " + String.join(" ", args);
        assertThat(normalize(k.out())).as(what + " prints what etcd prints").isEqualTo(normalize(e.out()));
        assertThat(k.exit()).as(what + " exits as with etcd").isEqualTo(e.exit());
        return e.out();
    }

    /** Like {@link #same}, for a watch: the events printed within a few seconds. */
    private static void sameWatch(String... args) throws Exception {
        List<String> outputs = new ArrayList<>();
        for (String endpoint : List.of(etcdEndpoint, keelsonEndpoint)) {
            Path out = Files.createTempFile(dir, "watch", ".out");
            List<String> cmd = new ArrayList<>(List.of("etcdctl", "--endpoints=" + endpoint, "watch"));
            cmd.addAll(List.of(args));
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile());
            pb.environment().put("ETCDCTL_API", "3");
            Process p = pb.start();
            Thread.sleep(2000);
            p.destroy();
            p.waitFor(10, TimeUnit.SECONDS);
            outputs.add(normalize(Files.readString(out)));
        }
        assertThat(outputs.get(1)).as("etcdctl watch " + String.join(" ", args)).isEqualTo(outputs.get(0));
    }

    @Test
    @Order(1)
    void aWholeEtcdctlSession_printsTheSameAsEtcd() throws Exception {
        same(null, "put", "/p/a", "1");
        same(null, "put", "/p/b", "2", "-w", "json");
        same(null, "put", "/p/c", "3");
        same(null, "put", "/p/a", "10", "--prev-kv");
        same(null, "get", "/p/", "--prefix");
        same(null, "get", "/p/", "--prefix", "-w", "json");
        same(null, "get", "/p/b", "--from-key", "--keys-only");
        same(null, "get", "/p/", "--prefix", "--limit=2");
        same(null, "get", "/p/", "--prefix", "--sort-by=VALUE", "--order=DESCEND");
        same(null, "get", "/p/", "--prefix", "--sort-by=MODIFY", "--order=ASCEND", "-w", "json");
        same(null, "get", "/p/", "--prefix", "--count-only", "-w", "json");
        same(null, "get", "/p/", "--prefix", "--print-value-only");
        same(null, "get", "/p/a", "--rev=2");
        same(null, "get", "/p/a", "--rev=99");
        same(null, "get", "/nothing");
        same("value(\"/p/b\") = \"2\"\n\nput /p/t yes\nget /p/b\n\nput /p/t no\n\n", "txn", "-i");
        same("mod(\"/p/b\") > \"99\"\n\nput /p/t yes\n\nput /p/t no\n\n", "txn", "-i", "-w", "json");
        sameWatch("/p/", "--prefix", "--rev=1", "--prev-kv");
        same(null, "del", "/p/a", "--prev-kv");
        same(null, "del", "/p/", "--prefix");
        same(null, "del", "/p/", "--prefix");
        same(null, "compaction", "3");
        same(null, "get", "/p/a", "--rev=2");
        same(null, "compaction", "2");
        same(null, "put", "", "v");
        same("x".repeat(2 * 1024 * 1024), "put", "/big");
        same(null, "lease", "grant", "60");
        same(null, "lease", "timetolive", "1234");
        same(null, "lease", "revoke", "1234");
        same(null, "lease", "keep-alive", "--once", "1234");
        same(null, "put", "/leased", "v", "--lease=1234");
        same(null, "get", "", "--from-key", "-w", "json");
        String etcdMembers = Etcdctl.run(etcdEndpoint, null, "member", "list", "-w", "json").out();
        String keelsonMembers = Etcdctl.run(keelsonEndpoint, null, "member", "list", "-w", "json").out();
        assertThat(normalize(header(keelsonMembers))).as("member list's header: no revision, as etcd's")
                .isEqualTo(normalize(header(etcdMembers)));
    }

    @Test
    @Order(2) // it leaves auth disabled again, but a session that read every key first must not see its keys
    void anAuthSession_printsTheSameAsEtcd() throws Exception {
        same(null, "user", "add", "root:rootpw");
        same(null, "user", "add", "alice:alicepw");
        same(null, "user", "add", "alice:again");
        same(null, "role", "add", "reader");
        same(null, "role", "add", "reader");
        same(null, "role", "grant-permission", "reader", "read", "/a/", "--prefix");
        same(null, "role", "grant-permission", "reader", "readwrite", "/a/x");
        same(null, "role", "grant-permission", "reader", "write", "/b", "/d");
        same(null, "role", "grant-permission", "nobody", "read", "/a");
        same(null, "role", "get", "reader");
        same(null, "user", "grant-role", "alice", "reader");
        same(null, "user", "grant-role", "alice", "nobody");
        same(null, "user", "get", "alice");
        same(null, "user", "list");
        same(null, "role", "list");
        same(null, "auth", "enable");
        same(null, "put", "/a/x", "1");
        same(null, "--user=alice:alicepw", "put", "/a/x", "1");
        same(null, "--user=alice:alicepw", "put", "/a/y", "1");
        same(null, "--user=alice:alicepw", "put", "/c", "1");
        same(null, "--user=alice:alicepw", "get", "/a/", "--prefix");
        same(null, "--user=alice:alicepw", "get", "/", "--prefix");
        same(null, "--user=alice:alicepw", "del", "/a/x");
        same(null, "--user=alice:wrong", "get", "/a/x");
        same(null, "--user=alice:alicepw", "user", "list");
        same(null, "--user=alice:alicepw", "user", "get", "alice");
        same(null, "--user=alice:alicepw", "role", "get", "reader");
        for (String open : List.of("alarm list", "lease grant 10")) {
            same(null, ("--user=alice:alicepw " + open).split(" "));
        }
        // what these print differs from etcd's (ids, version, sizes), but any user may ask
        for (String open : List.of("endpoint status", "member list", "lease list")) {
            assertThat(Etcdctl.run(keelsonEndpoint, null, ("--user=alice:alicepw " + open).split(" ")).exit())
                    .as(open).isZero();
        }
        for (String admin : List.of("endpoint hashkv", "defrag", "member add x --peer-urls=http://127.0.0.1:1",
                "member remove 1234", "role get root", "auth enable", "auth disable", "lock foo echo hi")) {
            same(null, ("--user=alice:alicepw " + admin).split(" "));
        }
        same(null, "--user=root:rootpw", "user", "list");
        same(null, "--user=root:rootpw", "role", "get", "root");
        same(null, "--user=root:rootpw", "put", "/anything", "root");
        same(null, "--user=root:rootpw", "role", "revoke-permission", "reader", "/a/x");
        same(null, "--user=root:rootpw", "role", "revoke-permission", "reader", "/a/x");
        same(null, "--user=alice:alicepw", "put", "/a/x", "2");
        same(null, "--user=root:rootpw", "user", "revoke-role", "alice", "reader");
        same(null, "--user=root:rootpw", "user", "revoke-role", "alice", "reader");
        same(null, "--user=root:rootpw", "user", "delete", "root");
        same(null, "--user=root:rootpw", "user", "revoke-role", "root", "root");
        same(null, "--user=root:rootpw", "role", "delete", "root");
        same(null, "--user=root:rootpw", "user", "passwd", "alice", "--interactive=false");
        same(null, "--user=root:rootpw", "role", "delete", "reader");
        same(null, "--user=root:rootpw", "auth", "disable");
        same(null, "user", "delete", "alice");
        same(null, "user", "delete", "alice");
        same(null, "user", "delete", "root");
        same(null, "auth", "enable");
        same(null, "role", "delete", "root");
        same(null, "role", "list");
    }

    private static String header(String json) {
        int start = json.indexOf("\"header\":{");
        return json.substring(start, json.indexOf('}', start) + 1);
    }
}
