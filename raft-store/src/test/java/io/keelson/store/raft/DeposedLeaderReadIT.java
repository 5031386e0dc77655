package io.keelson.store.raft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.keelson.store.Lease;
import io.keelson.store.Peer;
import io.keelson.store.PutRequest;
import io.keelson.store.RangeRequest;
import io.keelson.store.RangeResponse;
import io.keelson.store.StoreConfig;
import io.keelson.store.TxnRequest;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The history shape of a deposed leader's stale read, reproduced deterministically in one JVM: the leader
 * m1 is frozen or cut off from its peers, m2 or m3 is elected and acknowledges a write, and a linearizable
 * read through m1 must then see that write or fail. m1 has a long election timeout, so it goes on
 * believing it leads well after the others have elected a new leader (as a leader does whose process was
 * stopped, or whose failure detector has not fired yet); Ratis' own ReadIndex answered such reads from
 * m1's state at once.
 */
class DeposedLeaderReadIT {
    private static final String KEY = "k";

    @TempDir
    Path root;
    private final List<RaftMember> members = new ArrayList<>();
    private PeerFaults faults;

    @BeforeEach
    void start() throws IOException {
        faults = new PeerFaults();
        List<Peer> peers = new ArrayList<>();
        for (String name : List.of("m1", "m2", "m3")) {
            try (ServerSocket s = new ServerSocket(0)) {
                peers.add(new Peer(name, "127.0.0.1", s.getLocalPort()));
            }
        }
        for (Peer p : peers) {
            StoreConfig config = StoreConfig.member(root.resolve(p.name()), p.name(), peers)
                    .withElectionTimeout(Duration.ofMillis(p.name().equals("m1") ? 4000 : 500))
                    .withRequestTimeout(Duration.ofSeconds(3));
            members.add(RaftMember.start(config));
        }
    }

    @AfterEach
    void stop() {
        faults.close();
        members.forEach(RaftMember::close);
    }

    @Test
    void leaderCutOffFromItsPeers_answersNoLinearizableReadOlderThanTheNewLeadersWrite() throws Exception {
        RaftMember m1 = leadingM1();
        m1.put(PutRequest.of(KEY, "v1")).get(10, TimeUnit.SECONDS);
        long lease = m1.leaseGrant(Lease.GrantRequest.ttl(60)).get(10, TimeUnit.SECONDS).id();
        readsGoOn(m1);

        faults.cut("m1");
        RaftMember next = awaitLeaderOtherThan(m1);
        next.put(PutRequest.of(KEY, "v2")).get(10, TimeUnit.SECONDS);
        assertThat(m1.status().isLeader()).as("m1 still believes it leads").isTrue();

        assertSeesWriteOrFails(m1.range(RangeRequest.key(KEY)));
        assertSeesWriteOrFails(m1.txn(TxnRequest.of(List.of(), List.of(RangeRequest.key(KEY)), List.of()))
                .thenApply(txn -> (RangeResponse) txn.responses().get(0)));
        assertThatThrownBy(() -> m1.leaseKeepAlive(lease).get(10, TimeUnit.SECONDS))
                .as("a cut-off leader renews no lease: the majority may already have let it expire")
                .isInstanceOf(ExecutionException.class);

        faults.heal();
        assertThat(eventuallyRead(m1)).isEqualTo("v2");
    }

    @Test
    void leaderFrozenWhileOthersElect_answersNoStaleReadWhenItResumes() throws Exception {
        RaftMember m1 = leadingM1();
        m1.put(PutRequest.of(KEY, "v1")).get(10, TimeUnit.SECONDS);
        readsGoOn(m1);

        faults.freeze("m1");
        RaftMember next = awaitLeaderOtherThan(m1);
        next.put(PutRequest.of(KEY, "v2")).get(10, TimeUnit.SECONDS);
        // the read reaches m1 while it is stopped, as a client's request waits in a stopped process's socket
        CompletableFuture<RangeResponse> read = m1.range(RangeRequest.key(KEY));
        faults.heal();

        assertSeesWriteOrFails(read);
        assertThat(eventuallyRead(m1)).isEqualTo("v2");
    }

    /**
     * Linearizable reads through m1 before the fault, as clients make them all the time (Ratis then
     * skipped the heartbeat round of every later read until the commit index moved).
     */
    private static void readsGoOn(RaftMember m1) throws Exception {
        for (int i = 0; i < 3; i++) {
            assertThat(m1.range(RangeRequest.key(KEY)).get(10, TimeUnit.SECONDS).kvs().get(0).valueUtf8())
                    .isEqualTo("v1");
        }
    }

    /** m1 leads, and has committed an entry of its term. */
    private RaftMember leadingM1() throws Exception {
        RaftMember m1 = members.get(0);
        RaftMember any = awaitLeaderOtherThan(null);
        if (any != m1) {
            any.transferLeadership("m1");
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!(m1.status().isLeader() && m1.put(PutRequest.of("ready", "yes")).handle((ok, e) -> e == null)
                .get(10, TimeUnit.SECONDS))) {
            assertThat(System.nanoTime()).as("m1 leads").isLessThan(deadline);
            Thread.sleep(20);
        }
        return m1;
    }

    private RaftMember awaitLeaderOtherThan(RaftMember excluded) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            for (RaftMember m : members) {
                if (m != excluded && m.status().isLeader()) {
                    return m;
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no leader elected");
    }

    private static void assertSeesWriteOrFails(CompletableFuture<RangeResponse> read) throws Exception {
        RangeResponse response;
        try {
            response = read.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException refused) {
            return; // it could not confirm that it still leads: refusing is correct
        }
        assertThat(response.kvs()).as("the read began after v2 was acknowledged").hasSize(1);
        assertThat(response.kvs().get(0).valueUtf8()).isEqualTo("v2");
    }

    private static String eventuallyRead(RaftMember member) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                return member.range(RangeRequest.key(KEY)).get(10, TimeUnit.SECONDS).kvs().get(0).valueUtf8();
            } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
                assertThat(System.nanoTime()).as("reads succeed again after the fault heals").isLessThan(deadline);
                Thread.sleep(100);
            }
        }
    }
}
