package io.keelson.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.keelson.store.raft.SelfSignedCertificate;
import io.keelson.store.server.TestCertificates;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TLS between the members (etcd's --peer-cert-file, --peer-key-file, --peer-trusted-ca-file). */
class PeerTlsIT {
    @TempDir
    Path root;
    final List<StoreMember> members = new ArrayList<>();

    @AfterEach
    void closeAll() {
        members.forEach(StoreMember::close);
    }

    private static PeerTls tls(TestCertificates ca, String member, boolean mutual) throws Exception {
        TestCertificates.Issued cert = ca.issue(member);
        return new PeerTls(cert.cert(), cert.key(), ca.caFile(), mutual);
    }

    private StoreMember awaitLeader() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            for (StoreMember m : members) {
                if (m.status().isLeader()) {
                    return m;
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no leader elected");
    }

    /** The member's own contents once they are {@code expected}, or as they are after {@code seconds}. */
    private static Map<String, String> eventually(StoreMember m, Map<String, String> expected, int seconds)
            throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        Map<String, String> seen = TestStores.contents(m, true);
        while (!seen.equals(expected) && System.nanoTime() < deadline) {
            Thread.sleep(50);
            seen = TestStores.contents(m, true);
        }
        return seen;
    }

    @Test
    void membersWithCertificatesFromTheTrustedCa_replicateOverMutualTls() throws Exception {
        TestCertificates ca = TestCertificates.newCa(root, "peers");
        for (StoreConfig c : TestStores.threeMembers(root)) {
            members.add(KeelsonStore.open(c.withPeerTls(tls(ca, c.memberName(), true))));
        }
        StoreMember leader = awaitLeader();
        for (int i = 0; i < 20; i++) {
            leader.put(PutRequest.of("k" + i, "v" + i)).get(10, TimeUnit.SECONDS);
        }
        Map<String, String> written = TestStores.contents(leader, false);

        assertThat(written).hasSize(20);
        for (StoreMember m : members) {
            assertThat(eventually(m, written, 15)).as(m.config().memberName()).isEqualTo(written);
        }
    }

    @Test
    void selfSignedCertificates_withoutACa_encryptAsPeerAutoTlsDoes() throws Exception {
        for (StoreConfig c : TestStores.threeMembers(root)) {
            SelfSignedCertificate.CertificateFiles cert = SelfSignedCertificate.in(
                    root.resolve(c.memberName() + "-fixtures"), List.of("127.0.0.1"), true);
            members.add(KeelsonStore.open(c.withPeerTls(new PeerTls(cert.cert(), cert.key(), null, false))));
        }
        StoreMember leader = awaitLeader();
        leader.put(PutRequest.of("k", "v")).get(10, TimeUnit.SECONDS);

        for (StoreMember m : members) {
            assertThat(eventually(m, Map.of("k", "v"), 15)).as(m.config().memberName()).isEqualTo(Map.of("k", "v"));
        }
    }

    @Test
    void aMemberWithACertificateFromAnotherCa_isKeptOut_whileTheOthersServe() throws Exception {
        TestCertificates ca = TestCertificates.newCa(root, "peers");
        TestCertificates stranger = TestCertificates.newCa(root, "stranger");
        List<StoreConfig> configs = TestStores.threeMembers(root);
        for (StoreConfig c : configs) {
            TestCertificates.Issued cert = (c.memberName().equals("m3") ? stranger : ca).issue(c.memberName());
            members.add(KeelsonStore.open(c.withPeerTls(new PeerTls(cert.cert(), cert.key(), ca.caFile(), true))));
        }
        StoreMember leader = awaitLeader();
        leader.put(PutRequest.of("k", "v")).get(10, TimeUnit.SECONDS);

        StoreMember m3 = members.get(2);
        assertThat(leader.config().memberName()).isNotEqualTo("m3");
        assertThat(eventually(m3, Map.of("k", "v"), 5)).as("m3 never hears from the others").isEmpty();
        assertThat(m3.status().isLeader()).isFalse();
    }
}
