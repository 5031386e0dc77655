package io.keelson.store;

import static io.keelson.store.TestStores.bs;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KvStoreSemanticsTest {
    @TempDir
    Path dir;
    StoreMember store;

    @BeforeEach
    void open() {
        store = TestStores.openSingle(dir);
    }

    @AfterEach
    void close() {
        store.close();
    }

    private long put(String k, String v) {
        return store.put(PutRequest.of(k, v)).join().header().revision();
    }

    private List<String> keys(RangeResponse r) {
        return r.kvs().stream().map(KeyValue::keyUtf8).toList();
    }

    private static StoreException failure(Runnable r) {
        try {
            r.run();
        } catch (CompletionException e) {
            assertThat(e.getCause()).isInstanceOf(StoreException.class);
            return (StoreException) e.getCause();
        }
        throw new AssertionError("expected a failure");
    }

    @Test
    void revision_startsAtOne_andEachPutAdvancesItByOne() {
        assertThat(store.range(RangeRequest.key("x")).join().header().revision()).isEqualTo(1);
        assertThat(put("a", "1")).isEqualTo(2);
        assertThat(put("a", "2")).isEqualTo(3);
    }

    @Test
    void put_setsCreateModAndVersion() {
        long r1 = put("k", "v1");
        long r2 = put("k", "v2");
        KeyValue kv = store.range(RangeRequest.key("k")).join().kvs().get(0);
        assertThat(kv.createRevision()).isEqualTo(r1);
        assertThat(kv.modRevision()).isEqualTo(r2);
        assertThat(kv.version()).isEqualTo(2);
        assertThat(kv.valueUtf8()).isEqualTo("v2");
    }

    @Test
    void put_withPrevKv_returnsThePreviousVersion() {
        put("k", "old");
        PutResponse r = store.put(PutRequest.of("k", "new").withPrevKv()).join();
        assertThat(r.prevKv()).get().extracting(KeyValue::valueUtf8).isEqualTo("old");
        assertThat(store.put(PutRequest.of("fresh", "x").withPrevKv()).join().prevKv()).isEmpty();
    }

    @Test
    void put_ignoreValue_keepsValue_andFailsOnMissingKey() {
        put("k", "keep");
        store.put(new PutRequest(bs("k"), ByteString.EMPTY, 0, false, true, false)).join();
        assertThat(store.range(RangeRequest.key("k")).join().kvs().get(0).valueUtf8()).isEqualTo("keep");
        StoreException e = failure(() -> store.put(new PutRequest(bs("missing"), ByteString.EMPTY, 0, false, true,
                false)).join());
        assertThat(e.getMessage()).isEqualTo("etcdserver: key not found");
        assertThat(failure(() -> store.put(PutRequest.of("k", "v").ignoringValue()).join()).getMessage())
                .isEqualTo("etcdserver: value is provided");
    }

    @Test
    void put_ignoreLease_keepsTheLease() {
        long lease = store.leaseGrant(Lease.GrantRequest.ttl(60)).join().id();
        store.put(PutRequest.of("k", "v1").withLease(lease)).join();
        store.put(PutRequest.of("k", "v2").ignoringLease()).join();
        assertThat(store.range(RangeRequest.key("k")).join().kvs().get(0).lease()).isEqualTo(lease);
    }

    @Test
    void range_prefixFromKeyAllAndHalfOpenRange() {
        for (String k : List.of("a", "b/1", "b/2", "b0", "c")) {
            put(k, k);
        }
        assertThat(keys(store.range(RangeRequest.prefix("b/")).join())).containsExactly("b/1", "b/2");
        assertThat(keys(store.range(RangeRequest.fromKey(bs("b0"))).join())).containsExactly("b0", "c");
        assertThat(keys(store.range(RangeRequest.all()).join())).containsExactly("a", "b/1", "b/2", "b0", "c");
        assertThat(keys(store.range(RangeRequest.range(bs("a"), bs("b0"))).join()))
                .containsExactly("a", "b/1", "b/2");
        assertThat(store.range(RangeRequest.key("nope")).join().kvs()).isEmpty();
    }

    @Test
    void range_limitSetsMore_andCountIsTheWholeRange() {
        for (String k : List.of("p/1", "p/2", "p/3")) {
            put(k, k);
        }
        RangeResponse r = store.range(RangeRequest.prefix("p/").limit(2)).join();
        assertThat(keys(r)).containsExactly("p/1", "p/2");
        assertThat(r.more()).isTrue();
        assertThat(r.count()).isEqualTo(3);
        assertThat(store.range(RangeRequest.prefix("p/").limit(3)).join().more()).isFalse();
    }

    @Test
    void range_countOnlyAndKeysOnly() {
        put("p/1", "value");
        put("p/2", "value");
        RangeResponse count = store.range(RangeRequest.prefix("p/").withCountOnly()).join();
        assertThat(count.count()).isEqualTo(2);
        assertThat(count.kvs()).isEmpty();
        RangeResponse keysOnly = store.range(RangeRequest.prefix("p/").withKeysOnly()).join();
        assertThat(keysOnly.kvs()).allSatisfy(kv -> assertThat(kv.value().isEmpty()).isTrue());
        assertThat(keys(keysOnly)).containsExactly("p/1", "p/2");
    }

    @Test
    void range_sortsByEveryTarget() {
        put("s/a", "3");
        put("s/b", "1");
        put("s/c", "2");
        put("s/b", "1b");
        var desc = RangeRequest.SortOrder.DESCEND;
        assertThat(keys(store.range(RangeRequest.prefix("s/").sort(desc, RangeRequest.SortTarget.KEY)).join()))
                .containsExactly("s/c", "s/b", "s/a");
        assertThat(keys(store.range(RangeRequest.prefix("s/").sort(RangeRequest.SortOrder.ASCEND,
                RangeRequest.SortTarget.VALUE)).join())).containsExactly("s/b", "s/c", "s/a");
        assertThat(keys(store.range(RangeRequest.prefix("s/").sort(desc, RangeRequest.SortTarget.MOD)).join()))
                .containsExactly("s/b", "s/c", "s/a");
        assertThat(keys(store.range(RangeRequest.prefix("s/").sort(desc, RangeRequest.SortTarget.CREATE)).join()))
                .containsExactly("s/c", "s/b", "s/a");
        assertThat(keys(store.range(RangeRequest.prefix("s/").sort(desc, RangeRequest.SortTarget.VERSION))
                .join()).get(0)).isEqualTo("s/b");
        // a non-key target without an order sorts ascending (etcd)
        assertThat(keys(store.range(RangeRequest.prefix("s/").sort(RangeRequest.SortOrder.NONE,
                RangeRequest.SortTarget.MOD)).join())).containsExactly("s/a", "s/c", "s/b");
    }

    @Test
    void range_filtersByModAndCreateRevision() {
        long r1 = put("f/1", "x");
        long r2 = put("f/2", "x");
        long r3 = put("f/3", "x");
        put("f/1", "y");
        assertThat(keys(store.range(RangeRequest.prefix("f/").modRevisionBetween(r2, r3)).join()))
                .containsExactly("f/2", "f/3");
        assertThat(keys(store.range(RangeRequest.prefix("f/").createRevisionBetween(0, r1)).join()))
                .containsExactly("f/1");
        assertThat(keys(store.range(RangeRequest.prefix("f/").modRevisionBetween(r3 + 1, 0)).join()))
                .containsExactly("f/1");
    }

    @Test
    void range_atHistoricalRevision_seesThePast() {
        long r1 = put("h", "v1");
        long r2 = put("h", "v2");
        store.delete(DeleteRangeRequest.key("h")).join();
        put("h2", "other");
        assertThat(store.range(RangeRequest.key("h").atRevision(r1)).join().kvs().get(0).valueUtf8())
                .isEqualTo("v1");
        assertThat(store.range(RangeRequest.key("h").atRevision(r2)).join().kvs().get(0).valueUtf8())
                .isEqualTo("v2");
        assertThat(store.range(RangeRequest.key("h")).join().kvs()).isEmpty();
        assertThat(keys(store.range(RangeRequest.prefix("h").atRevision(r2)).join())).containsExactly("h");
        assertThat(store.range(RangeRequest.key("h").atRevision(r1)).join().header().revision())
                .isEqualTo(r2 + 2);
    }

    @Test
    void range_atFutureRevision_failsWithCurrentRevision() {
        long r = put("k", "v");
        StoreException e = failure(() -> store.range(RangeRequest.key("k").atRevision(r + 1)).join());
        assertThat(e).isInstanceOf(StoreException.FutureRevisionException.class);
        assertThat(e.getMessage()).isEqualTo("mvcc: required revision is a future revision");
        assertThat(((StoreException.FutureRevisionException) e).currentRevision()).isEqualTo(r);
    }

    @Test
    void serializableRange_readsLocally() {
        put("k", "v");
        assertThat(store.range(RangeRequest.key("k").withSerializable()).join().kvs()).hasSize(1);
    }

    @Test
    void serializablePointRead_isAnsweredAtOnce_andSerializableRangesAndTxnsAnswerTheSame() {
        put("s/1", "a");
        put("s/2", "b");
        assertThat(store.range(RangeRequest.key("s/1").withSerializable())).isDone(); // no hand-off for one key

        assertThat(keys(store.range(RangeRequest.prefix("s/").withSerializable()).join()))
                .containsExactly("s/1", "s/2");
        TxnResponse txn = store.txn(TxnRequest.of(List.of(), List.of(RangeRequest.key("s/2").withSerializable(),
                RangeRequest.prefix("s/").withSerializable().withCountOnly()), List.of())).join();
        assertThat(((RangeResponse) txn.responses().get(0)).kvs()).extracting(KeyValue::valueUtf8)
                .containsExactly("b");
        assertThat(((RangeResponse) txn.responses().get(1)).count()).isEqualTo(2);
    }

    @Test
    void delete_rangeAndPrefix_withPrevKv_andCount() {
        put("d/1", "a");
        put("d/2", "b");
        put("e", "c");
        DeleteRangeResponse r = store.delete(DeleteRangeRequest.prefix("d/").withPrevKv()).join();
        assertThat(r.deleted()).isEqualTo(2);
        assertThat(r.prevKvs()).extracting(KeyValue::valueUtf8).containsExactly("a", "b");
        assertThat(keys(store.range(RangeRequest.all()).join())).containsExactly("e");
    }

    @Test
    void delete_ofNothing_doesNotAdvanceTheRevision() {
        long r = put("k", "v");
        DeleteRangeResponse d = store.delete(DeleteRangeRequest.key("missing")).join();
        assertThat(d.deleted()).isZero();
        assertThat(d.header().revision()).isEqualTo(r);
        assertThat(put("k", "v2")).isEqualTo(r + 1);
    }

    @Test
    void delete_thenPut_recreatesWithVersionOne() {
        put("k", "v");
        put("k", "v");
        store.delete(DeleteRangeRequest.key("k")).join();
        long r = put("k", "again");
        KeyValue kv = store.range(RangeRequest.key("k")).join().kvs().get(0);
        assertThat(kv.version()).isEqualTo(1);
        assertThat(kv.createRevision()).isEqualTo(r);
    }

    @Test
    void txn_compareOnEveryTargetAndResult() {
        long r = put("t", "v");
        long lease = store.leaseGrant(Lease.GrantRequest.ttl(60)).join().id();
        store.put(PutRequest.of("l", "x").withLease(lease)).join();
        ByteString t = bs("t");
        record Case(Compare compare, boolean holds) {
        }
        List<Case> cases = List.of(
                new Case(Compare.value(t, Compare.Result.EQUAL, bs("v")), true),
                new Case(Compare.value(t, Compare.Result.NOT_EQUAL, bs("v")), false),
                new Case(Compare.value(t, Compare.Result.GREATER, bs("a")), true),
                new Case(Compare.value(t, Compare.Result.LESS, bs("a")), false),
                new Case(Compare.version(t, Compare.Result.EQUAL, 1), true),
                new Case(Compare.version(t, Compare.Result.GREATER, 1), false),
                new Case(Compare.createRevision(t, Compare.Result.EQUAL, r), true),
                new Case(Compare.modRevision(t, Compare.Result.LESS, r + 1), true),
                new Case(Compare.modRevision(t, Compare.Result.NOT_EQUAL, r), false),
                new Case(Compare.lease(bs("l"), Compare.Result.EQUAL, lease), true),
                new Case(Compare.lease(t, Compare.Result.EQUAL, 0), true),
                new Case(Compare.version(bs("missing"), Compare.Result.EQUAL, 0), true),
                new Case(Compare.value(bs("missing"), Compare.Result.NOT_EQUAL, bs("z")), false),
                new Case(Compare.version(bs("a"), Compare.Result.GREATER, 0).overRange(bs("u")), true));
        for (Case c : cases) {
            TxnResponse resp = store.txn(TxnRequest.of(List.of(c.compare()), List.of(), List.of())).join();
            assertThat(resp.succeeded()).as(c.compare().toString()).isEqualTo(c.holds());
        }
    }

    @Test
    void txn_runsTheChosenBranch_andAllWritesShareOneRevision() {
        long r0 = put("guard", "1");
        TxnResponse resp = store.txn(TxnRequest.of(
                List.of(Compare.value(bs("guard"), Compare.Result.EQUAL, bs("1"))),
                List.of(PutRequest.of("x", "1"), PutRequest.of("y", "2"), RangeRequest.key("x")),
                List.of(PutRequest.of("z", "3")))).join();
        assertThat(resp.succeeded()).isTrue();
        assertThat(resp.header().revision()).isEqualTo(r0 + 1);
        assertThat(store.range(RangeRequest.key("x")).join().kvs().get(0).modRevision()).isEqualTo(r0 + 1);
        assertThat(store.range(RangeRequest.key("y")).join().kvs().get(0).modRevision()).isEqualTo(r0 + 1);
        RangeResponse inner = (RangeResponse) resp.responses().get(2);
        assertThat(inner.kvs()).extracting(KeyValue::valueUtf8).containsExactly("1"); // sees its own write
        assertThat(store.range(RangeRequest.key("z")).join().kvs()).isEmpty();

        TxnResponse failed = store.txn(TxnRequest.of(
                List.of(Compare.value(bs("guard"), Compare.Result.EQUAL, bs("2"))),
                List.of(PutRequest.of("x", "no")), List.of(PutRequest.of("z", "3")))).join();
        assertThat(failed.succeeded()).isFalse();
        assertThat(store.range(RangeRequest.key("z")).join().kvs()).hasSize(1);
    }

    @Test
    void txn_readOnly_doesNotAdvanceTheRevision() {
        long r = put("k", "v");
        TxnResponse resp = store.txn(TxnRequest.of(List.of(), List.of(RangeRequest.key("k")), List.of())).join();
        assertThat(((RangeResponse) resp.responses().get(0)).kvs()).hasSize(1);
        assertThat(resp.header().revision()).isEqualTo(r);
        assertThat(put("k", "v2")).isEqualTo(r + 1);
    }

    @Test
    void txn_nested_runsInnerBranchAtTheSameRevision() {
        long r = put("a", "1");
        TxnResponse resp = store.txn(TxnRequest.of(List.of(), List.of(PutRequest.of("outer", "o"),
                TxnRequest.of(List.of(Compare.value(bs("a"), Compare.Result.EQUAL, bs("nope"))),
                        List.of(PutRequest.of("inner-s", "s")), List.of(PutRequest.of("inner-f", "f")))),
                List.of())).join();
        assertThat(((TxnResponse) resp.responses().get(1)).succeeded()).isFalse();
        assertThat(store.range(RangeRequest.key("inner-f")).join().kvs().get(0).modRevision()).isEqualTo(r + 1);
        assertThat(store.range(RangeRequest.key("inner-s")).join().kvs()).isEmpty();
    }

    @Test
    void txn_duplicateKeysAndTooManyOps_areRejected() {
        StoreException dup = failure(() -> store.txn(TxnRequest.of(List.of(),
                List.of(PutRequest.of("k", "1"), PutRequest.of("k", "2")), List.of())).join());
        assertThat(dup.getMessage()).isEqualTo("etcdserver: duplicate key given in txn request");
        StoreException putInDelete = failure(() -> store.txn(TxnRequest.of(List.of(),
                List.of(DeleteRangeRequest.prefix("k"), PutRequest.of("k1", "2")), List.of())).join());
        assertThat(putInDelete.code()).isEqualTo(ErrorCode.DUPLICATE_KEY);
        // the same key in the two branches of a nested txn is fine: only one runs
        store.txn(TxnRequest.of(List.of(), List.of(TxnRequest.of(List.of(), List.of(PutRequest.of("n", "1")),
                List.of(PutRequest.of("n", "2")))), List.of())).join();

        List<TxnOp> ops = new java.util.ArrayList<>();
        for (int i = 0; i < 129; i++) {
            ops.add(PutRequest.of("k" + i, "v"));
        }
        StoreException tooMany = failure(() -> store.txn(TxnRequest.of(List.of(), ops, List.of())).join());
        assertThat(tooMany.getMessage()).isEqualTo("etcdserver: too many operations in txn request");
        store.txn(TxnRequest.of(List.of(), ops.subList(0, 128), List.of())).join();
    }

    @Test
    void aTxnChecksTheLeasesOfTheBranchThatRuns_only() {
        Compare absent = Compare.createRevision(bs("lease-branch"), Compare.Result.EQUAL, 0);
        Compare present = Compare.createRevision(bs("lease-branch"), Compare.Result.GREATER, 0);
        PutRequest goneLease = PutRequest.of("lease-branch", "v").withLease(424242);
        TxnResponse skipped = store.txn(TxnRequest.of(List.of(present), List.of(goneLease), List.of())).join();
        assertThat(skipped.succeeded()).as("as etcd: the put that does not run is not checked").isFalse();
        assertThat(failure(() -> store.txn(TxnRequest.of(List.of(absent), List.of(goneLease), List.of())).join())
                .code()).isEqualTo(ErrorCode.LEASE_NOT_FOUND);
    }

    @Test
    void badInput_isRejected_andTheStoreKeepsServing() {
        assertThat(failure(() -> store.put(PutRequest.of("", "v")).join()).getMessage())
                .isEqualTo("etcdserver: key is not provided");
        assertThat(failure(() -> store.range(RangeRequest.key("")).join()).code()).isEqualTo(ErrorCode.EMPTY_KEY);
        ByteString big = ByteString.copyFrom(new byte[(int) StoreConfig.DEFAULT_MAX_REQUEST_BYTES + 1]);
        assertThat(failure(() -> store.put(PutRequest.of(bs("big"), big)).join()).getMessage())
                .isEqualTo("etcdserver: request is too large");
        assertThat(failure(() -> store.put(PutRequest.of("k", "v").withLease(12345)).join()).getMessage())
                .isEqualTo("etcdserver: requested lease not found");
        long r = put("still", "serving");
        assertThat(r).isEqualTo(2); // nothing refused reached the log
    }

    @Test
    void compact_makesOlderRevisionsUnreadable_andKeepsNewestVersion() {
        long r1 = put("c", "v1");
        long r2 = put("c", "v2");
        put("gone", "x");
        long r4 = store.delete(DeleteRangeRequest.key("gone")).join().header().revision();
        long r5 = put("c", "v3");
        store.compact(r4).join();
        StoreException e = failure(() -> store.range(RangeRequest.key("c").atRevision(r1)).join());
        assertThat(e).isInstanceOf(StoreException.CompactedException.class);
        assertThat(e.getMessage()).isEqualTo("mvcc: required revision has been compacted");
        assertThat(((StoreException.CompactedException) e).compactRevision()).isEqualTo(r4);
        // reads at and after the compact revision stay correct
        assertThat(store.range(RangeRequest.key("c").atRevision(r4)).join().kvs().get(0).valueUtf8())
                .isEqualTo("v2");
        assertThat(store.range(RangeRequest.key("gone").atRevision(r4)).join().kvs()).isEmpty();
        assertThat(store.range(RangeRequest.key("c").atRevision(r5)).join().kvs().get(0).valueUtf8())
                .isEqualTo("v3");
        assertThat(r2).isLessThan(r4);
        assertThat(failure(() -> store.compact(r4).join())).isInstanceOf(StoreException.CompactedException.class);
        assertThat(failure(() -> store.compact(r5 + 10).join()))
                .isInstanceOf(StoreException.FutureRevisionException.class);
    }

    @Test
    void lease_grantListTimeToLiveAndRevokeDeletesKeysAtOneRevision() {
        Lease.GrantResponse g = store.leaseGrant(new Lease.GrantRequest(30, 777)).join();
        assertThat(g.id()).isEqualTo(777);
        assertThat(g.ttl()).isEqualTo(30);
        store.put(PutRequest.of("l/1", "a").withLease(777)).join();
        store.put(PutRequest.of("l/2", "b").withLease(777)).join();
        long before = put("other", "x");
        assertThat(store.leaseList().join().ids()).containsExactly(777L);
        Lease.TimeToLiveResponse ttl = store.leaseTimeToLive(777, true).join();
        assertThat(ttl.grantedTtl()).isEqualTo(30);
        assertThat(ttl.ttl()).isBetween(1L, 30L);
        assertThat(ttl.keys()).containsExactly(bs("l/1"), bs("l/2"));
        assertThat(store.leaseKeepAlive(777).join().ttl()).isEqualTo(30);
        long revoked = store.leaseRevoke(777).join().header().revision();
        assertThat(revoked).isEqualTo(before + 1);
        assertThat(store.range(RangeRequest.prefix("l/")).join().kvs()).isEmpty();
        assertThat(store.range(RangeRequest.prefix("l/").atRevision(before)).join().kvs()).hasSize(2);
        assertThat(store.leaseTimeToLive(777, false).join().ttl()).isEqualTo(-1);
        assertThat(failure(() -> store.leaseRevoke(777).join()).getMessage())
                .isEqualTo("etcdserver: requested lease not found");
        assertThat(failure(() -> store.leaseKeepAlive(777).join()).code()).isEqualTo(ErrorCode.LEASE_NOT_FOUND);
        assertThat(failure(() -> {
            store.leaseGrant(new Lease.GrantRequest(5, 1)).join();
            store.leaseGrant(new Lease.GrantRequest(5, 1)).join();
        }).getMessage()).isEqualTo("etcdserver: lease already exists");
    }

    @Test
    void lease_expires_andItsKeysAreDeleted() throws Exception {
        long id = store.leaseGrant(Lease.GrantRequest.ttl(1)).join().id();
        store.put(PutRequest.of("eph", "x").withLease(id)).join();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!store.range(RangeRequest.key("eph")).join().kvs().isEmpty()) {
            assertThat(System.nanoTime()).as("lease should have expired").isLessThan(deadline);
            Thread.sleep(50);
        }
        assertThat(store.leaseList().join().ids()).doesNotContain(id);
    }

    @Test
    void lease_keptAlive_doesNotExpire() throws Exception {
        long id = store.leaseGrant(Lease.GrantRequest.ttl(1)).join().id();
        store.put(PutRequest.of("kept", "x").withLease(id)).join();
        for (int i = 0; i < 10; i++) {
            Thread.sleep(250);
            store.leaseKeepAlive(id).join();
        }
        assertThat(store.range(RangeRequest.key("kept")).join().kvs()).hasSize(1);
    }

    @Test
    void data_survivesRestart() {
        put("durable", "yes");
        long rev = put("durable2", "yes");
        store.compact(rev - 1).join();
        store.close();
        store = TestStores.openSingle(dir);
        assertThat(store.range(RangeRequest.key("durable")).join().kvs()).hasSize(1);
        assertThat(store.range(RangeRequest.all()).join().header().revision()).isEqualTo(rev);
        assertThat(put("after", "restart")).isEqualTo(rev + 1);
        assertThat(failure(() -> store.range(RangeRequest.key("durable").atRevision(rev - 2)).join()))
                .isInstanceOf(StoreException.CompactedException.class);
    }

    @Test
    void aRestartWithAnotherPeerList_keepsTheStoredGroupAndItsData() throws Exception {
        put("kept", "yes");
        store.close();
        List<Peer> others = new java.util.ArrayList<>();
        for (String name : List.of("default", "extra")) {
            try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
                others.add(new Peer(name, "127.0.0.1", s.getLocalPort()));
            }
        }
        // as etcd ignores --initial-cluster once a member has data: the group stored in the data dir goes on
        store = KeelsonStore.open(TestStores.singleNode(dir).withPeers("default", others));

        assertThat(store.range(RangeRequest.key("kept")).join().kvs()).hasSize(1);
        assertThat(put("after", "restart")).isPositive();
        assertThat(store.members()).extracting(Peer::name).as("the stored group's members").containsExactly("default");
    }

    @Test
    void restart_fromSnapshotPlusLog_recoversEverything() throws Exception {
        store.close();
        StoreConfig config = TestStores.singleNode(dir).withSnapshotCount(50, 0);
        store = KeelsonStore.open(config);
        for (int i = 0; i < 180; i++) { // one entry each: three snapshots and a log tail
            store.put(PutRequest.of("s/" + (i % 20), "v" + i)).join();
        }
        store.delete(DeleteRangeRequest.key("s/3")).join();
        Map<String, String> before = TestStores.contents(store, false);
        long revision = store.status().revision();
        try (var files = java.nio.file.Files.walk(dir.resolve("raft"))) {
            assertThat(files.anyMatch(p -> p.getFileName().toString().startsWith("snapshot."))).isTrue();
        }
        store.close();
        store = KeelsonStore.open(config);
        assertThat(TestStores.contents(store, false)).isEqualTo(before);
        assertThat(store.status().revision()).isEqualTo(revision);
        assertThat(store.range(RangeRequest.key("s/3").atRevision(revision - 1)).join().kvs()).hasSize(1);
    }
}
