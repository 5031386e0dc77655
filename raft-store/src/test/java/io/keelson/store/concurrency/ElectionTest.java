package io.keelson.store.concurrency;

import static io.keelson.store.concurrency.LocksTest.assertPending;
import static io.keelson.store.concurrency.LocksTest.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.keelson.store.Lease;
import io.keelson.store.RangeRequest;
import io.keelson.store.StoreMember;
import io.keelson.store.TestStores;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

/** etcd's election semantics on the embedded store (the cases of jetcd's ElectionTest and etcd's own). */
class ElectionTest {
    @TempDir
    static Path dir;
    static StoreMember store;

    @BeforeAll
    static void open() {
        store = TestStores.openSingle(dir);
    }

    @AfterAll
    static void close() {
        store.close();
    }

    static long lease(long ttlSeconds) {
        return store.leaseGrant(Lease.GrantRequest.ttl(ttlSeconds)).join().id();
    }

    static ByteString bs(String s) {
        return ByteString.copyFromUtf8(s);
    }

    Election election(TestInfo test) {
        return Election.named(store, "elections/" + test.getTestMethod().orElseThrow().getName());
    }

    List<String> values(Election e, TestInfo test) {
        return store.range(RangeRequest.prefix("elections/" + test.getTestMethod().orElseThrow().getName() + "/"))
                .join().kvs().stream().map(kv -> kv.valueUtf8()).toList();
    }

    @Test
    void aLoneCandidate_leads_proclaims_andResigns(TestInfo test) throws Exception {
        Election e = election(test);
        long lease = lease(30);
        Election.Leadership me = get(e.campaign(lease, bs("proposal1")));
        assertThat(me.lease()).isEqualTo(lease);
        assertThat(me.key().toStringUtf8()).endsWith("/" + Long.toHexString(lease));
        Election.Leader leader = get(e.leader());
        assertThat(leader.kv().key()).isEqualTo(me.key());
        assertThat(leader.kv().valueUtf8()).isEqualTo("proposal1");
        assertThat(leader.kv().lease()).isEqualTo(lease);
        assertThat(leader.kv().createRevision()).isEqualTo(me.revision());

        get(e.proclaim(me, bs("proposal2")));
        assertThat(values(e, test)).containsExactly("proposal2");
        get(e.resign(me));
        assertThat(values(e, test)).isEmpty();
    }

    @Test
    void anElectionWithoutCandidates_hasNoLeader(TestInfo test) {
        assertThatThrownBy(() -> get(election(test).leader())).isInstanceOf(ExecutionException.class)
                .hasRootCauseInstanceOf(ConcurrencyException.class).hasRootCauseMessage("election: no leader");
    }

    @Test
    void campaigningAgainWithTheSameLease_keepsThePlace_andChangesTheValue(TestInfo test) throws Exception {
        Election e = election(test);
        long lease = lease(30);
        Election.Leadership first = get(e.campaign(lease, bs("proposal1")));
        Election.Leadership second = get(e.campaign(lease, bs("proposal2")));
        assertThat(second.key()).isEqualTo(first.key());
        assertThat(second.revision()).isEqualTo(first.revision());
        assertThat(values(e, test)).containsExactly("proposal2");
    }

    @Test
    void proclaimingWithoutLeading_isRefused_andResigningSoChangesNothing(TestInfo test) throws Exception {
        Election e = election(test);
        Election.Leadership stale = new Election.Leadership(bs("x"), bs("elections/nobody/1"), 1, 0, null);
        assertThatThrownBy(() -> get(e.proclaim(stale, bs("proposal")))).isInstanceOf(ExecutionException.class)
                .hasRootCauseMessage("election: not leader");
        assertThat(get(e.resign(stale)).revision()).isPositive();
        assertThat(values(e, test)).isEmpty();

        Election.Leadership me = get(e.campaign(lease(30), bs("a")));
        get(e.resign(me));
        assertThatThrownBy(() -> get(e.proclaim(me, bs("b")))).hasRootCauseMessage("election: not leader");
    }

    @Test
    void theNextCandidate_leadsOnceTheLeaderResignsOrItsLeaseExpires(TestInfo test) throws Exception {
        Election e = election(test);
        Election.Leadership first = get(e.campaign(lease(30), bs("one")));
        CompletableFuture<Election.Leadership> second = e.campaign(lease(1), bs("two")).thenApply(l -> l);
        assertPending(second);
        CompletableFuture<Election.Leadership> third = e.campaign(lease(30), bs("three"));
        get(e.resign(first));
        Election.Leadership two = get(second);
        assertThat(get(e.leader()).kv().valueUtf8()).isEqualTo("two");
        assertPending(third);
        assertThat(get(third).key()).as("after the second's lease expired").isNotEqualTo(two.key());
        assertThat(get(e.leader()).kv().valueUtf8()).isEqualTo("three");
    }

    @Test
    void anObserver_seesEachLeaderAndEachValue_fromBeforeTheFirstCandidate(TestInfo test) throws Exception {
        Election e = election(test);
        List<String> seen = new CopyOnWriteArrayList<>();
        try (Election.Observation o = e.observe(l -> seen.add(l.kv().valueUtf8()), Throwable::printStackTrace)) {
            Thread.sleep(200);
            long lease = lease(30);
            for (int round = 1; round <= 3; round++) {
                Election.Leadership me = get(e.campaign(lease, bs("leader-" + round)));
                awaitSeen(seen, round * 2 - 1);
                get(e.proclaim(me, bs("leader-" + round + "-again")));
                awaitSeen(seen, round * 2);
                get(e.resign(me));
            }
        }
        assertThat(seen).containsExactly("leader-1", "leader-1-again", "leader-2", "leader-2-again", "leader-3",
                "leader-3-again");
    }

    private static void awaitSeen(List<String> seen, int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (seen.size() < count && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(seen).hasSizeGreaterThanOrEqualTo(count);
    }
}
