package io.keelson.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.cluster.Member;
import io.etcd.jetcd.options.GetOption;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * etcd's MemberUpdate across processes: a member moved to a new peer URL is restarted there, and the others, which
 * learn the URL through the log, replicate to it at its new address.
 */
class MemberUpdateIT {
    @TempDir
    Path root;

    private static ByteSequence bs(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }

    @Test
    void aMemberMovedToANewPeerUrl_isReplicatedToThere() throws Exception {
        try (ServerCluster cluster = ServerCluster.onLoopback(root)) {
            cluster.startAll();
            int leader;
            int moved;
            long movedId;
            String newUrl;
            try (Client all = Client.builder().endpoints(cluster.endpoints()).build()) {
                leader = cluster.leader(all, Duration.ofSeconds(60));
                assertThat(leader).as("a leader was elected").isNotNegative();
                moved = (leader + 1) % ServerCluster.MEMBERS;
                movedId = all.getMaintenanceClient().statusMember(cluster.endpoint(moved)).get(10, TimeUnit.SECONDS)
                        .getHeader().getMemberId();
            }
            try (Client viaLeader = Client.builder().endpoints(cluster.endpoint(leader)).build()) {
                viaLeader.getKVClient().put(bs("before"), bs("move")).get(10, TimeUnit.SECONDS);
                cluster.kill(moved);
                newUrl = cluster.movePeer(moved);
                List<Member> members = viaLeader.getClusterClient().updateMember(movedId, List.of(URI.create(newUrl)))
                        .get(10, TimeUnit.SECONDS).getMembers();
                assertThat(members).filteredOn(m -> m.getId() == movedId).singleElement()
                        .satisfies(m -> assertThat(m.getPeerURIs()).containsExactly(URI.create(newUrl)));
                cluster.start(moved);
                viaLeader.getKVClient().put(bs("after"), bs("move")).get(10, TimeUnit.SECONDS);
            }
            // the moved member has the write only if the leader's process dialed it at its new address
            try (Client one = Client.builder().endpoints(cluster.endpoint(moved)).build()) {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                long count = 0;
                while (count == 0 && System.nanoTime() < deadline) {
                    try {
                        count = one.getKVClient().get(bs("after"), GetOption.builder().withSerializable(true).build())
                                .get(5, TimeUnit.SECONDS).getCount();
                    } catch (Exception e) {
                        // still starting
                    }
                    Thread.sleep(100);
                }
                assertThat(count).as("the moved member applied the write; its log:\n%s", cluster.logTail(moved, 40))
                        .isOne();
                assertThat(one.getClusterClient().listMember().get(10, TimeUnit.SECONDS).getMembers())
                        .filteredOn(m -> m.getId() == movedId).singleElement()
                        .satisfies(m -> assertThat(m.getPeerURIs()).containsExactly(URI.create(newUrl)));
            }
        }
    }
}
