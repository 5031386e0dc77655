package io.keelson.store;

import static io.keelson.store.TestStores.bs;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WatchTest {
    @TempDir
    Path dir;
    StoreMember store;

    @BeforeEach
    void open() {
        store = KeelsonStore.open(TestStores.singleNode(dir).withWatchProgressInterval(Duration.ofMillis(200)));
    }

    @AfterEach
    void close() {
        store.close();
    }

    private long put(String k, String v) {
        return store.put(PutRequest.of(k, v)).join().header().revision();
    }

    @Test
    void watchFromNow_deliversLaterPutsAndDeletes_withTombstoneAtTheDeleteRevision() throws Exception {
        put("k", "before");
        WatchStream s = new WatchStream();
        store.watch(WatchRequest.key("k").withPrevKv(), s);
        s.awaitKind(WatchResponse.Kind.CREATED);
        long r1 = put("k", "v1");
        put("other", "x");
        long r2 = store.delete(DeleteRangeRequest.key("k")).join().header().revision();
        s.awaitEvents(2);
        List<Event> events = s.events();
        assertThat(events.get(0).type()).isEqualTo(Event.Type.PUT);
        assertThat(events.get(0).kv().valueUtf8()).isEqualTo("v1");
        assertThat(events.get(0).kv().modRevision()).isEqualTo(r1);
        assertThat(events.get(0).prevKv().valueUtf8()).isEqualTo("before");
        assertThat(events.get(1).type()).isEqualTo(Event.Type.DELETE);
        assertThat(events.get(1).kv().modRevision()).isEqualTo(r2);
        assertThat(events.get(1).prevKv().valueUtf8()).isEqualTo("v1");
        s.assertGuarantees();
    }

    @Test
    void prefixRangeAndFilters_selectTheirEvents() throws Exception {
        WatchStream prefix = new WatchStream();
        WatchStream range = new WatchStream();
        WatchStream noPut = new WatchStream();
        WatchStream noDelete = new WatchStream();
        store.watch(WatchRequest.prefix("p/"), prefix);
        store.watch(WatchRequest.range(bs("p/b"), bs("p/d")), range);
        store.watch(WatchRequest.prefix("p/").withoutPuts(), noPut);
        store.watch(WatchRequest.prefix("p/").withoutDeletes(), noDelete);
        for (String k : List.of("p/a", "p/b", "p/c", "p/d", "q")) {
            put(k, "v");
        }
        store.delete(DeleteRangeRequest.prefix("p/")).join();
        prefix.awaitEvents(8);
        range.awaitEvents(4);
        noPut.awaitEvents(4);
        noDelete.awaitEvents(4);
        assertThat(prefix.events()).extracting(e -> e.kv().keyUtf8()).doesNotContain("q");
        assertThat(range.events()).extracting(e -> e.kv().keyUtf8()).containsExactly("p/b", "p/c", "p/b", "p/c");
        assertThat(noPut.events()).allMatch(e -> e.type() == Event.Type.DELETE);
        assertThat(noDelete.events()).allMatch(e -> e.type() == Event.Type.PUT);
        assertThat(prefix.events().get(0).prevKv()).isNull(); // not asked for
        // the 4 deletes of one DeleteRange share a revision and arrive in one response
        assertThat(noPut.responses.stream().filter(r -> !r.events().isEmpty()).count()).isEqualTo(1);
    }

    @Test
    void pastRevision_replaysHistory_thenFollowsLive() throws Exception {
        long r1 = put("h", "1");
        put("h", "2");
        store.delete(DeleteRangeRequest.key("h")).join();
        WatchStream s = new WatchStream();
        store.watch(WatchRequest.key("h").fromRevision(r1), s);
        s.awaitEvents(3);
        put("h", "3");
        s.awaitEvents(4);
        assertThat(s.events()).extracting(e -> e.type() + ":" + e.kv().valueUtf8())
                .containsExactly("PUT:1", "PUT:2", "DELETE:", "PUT:3");
        assertThat(s.events().get(0).revision()).isEqualTo(r1);
        s.assertGuarantees();
    }

    @Test
    void compactedStartRevision_cancelsWithTheCompactRevision() throws Exception {
        long r1 = put("c", "1");
        long r2 = put("c", "2");
        store.compact(r2).join();
        WatchStream s = new WatchStream();
        store.watch(WatchRequest.key("c").fromRevision(r1), s);
        s.awaitKind(WatchResponse.Kind.CANCELED);
        WatchResponse canceled = s.responses.get(s.responses.size() - 1);
        assertThat(canceled.compactRevision()).isEqualTo(r2);
        assertThat(canceled.cancelReason()).isEqualTo("mvcc: required revision has been compacted");
        // resuming at the compact revision works
        WatchStream resumed = new WatchStream();
        store.watch(WatchRequest.key("c").fromRevision(r2), resumed);
        resumed.awaitEvents(1);
        assertThat(resumed.events().get(0).kv().valueUtf8()).isEqualTo("2");
    }

    @Test
    void futureRevision_waitsForIt() throws Exception {
        long now = put("f", "0");
        WatchStream s = new WatchStream();
        store.watch(WatchRequest.key("f").fromRevision(now + 3), s);
        for (int i = 1; i <= 4; i++) {
            put("f", "v" + i);
        }
        s.awaitEvents(2);
        Thread.sleep(100);
        assertThat(s.events()).extracting(Event::revision).containsExactly(now + 3, now + 4);
    }

    @Test
    void txnAndLeaseRevoke_deliverAllEventsOfTheirRevisionInOneResponse() throws Exception {
        WatchStream s = new WatchStream();
        store.watch(WatchRequest.prefix("t/"), s);
        long lease = store.leaseGrant(Lease.GrantRequest.ttl(60)).join().id();
        long txnRev = store.txn(TxnRequest.of(List.of(), List.of(PutRequest.of("t/1", "a").withLease(lease),
                PutRequest.of("t/2", "b").withLease(lease), PutRequest.of("t/3", "c")), List.of()))
                .join().header().revision();
        long revokeRev = store.leaseRevoke(lease).join().header().revision();
        s.awaitEvents(5);
        List<WatchResponse> withEvents = s.responses.stream().filter(r -> !r.events().isEmpty()).toList();
        assertThat(withEvents).hasSize(2);
        assertThat(withEvents.get(0).events()).hasSize(3).allMatch(e -> e.revision() == txnRev);
        assertThat(withEvents.get(1).events()).hasSize(2)
                .allMatch(e -> e.revision() == revokeRev && e.type() == Event.Type.DELETE);
        s.assertGuarantees();
    }

    @Test
    void cancelAndClose_endTheStreamWithAReason() throws Exception {
        WatchStream canceled = new WatchStream();
        WatchStream open = new WatchStream();
        Watch w = store.watch(WatchRequest.key("x"), canceled);
        store.watch(WatchRequest.key("x"), open);
        w.close();
        canceled.awaitKind(WatchResponse.Kind.CANCELED);
        put("x", "after-cancel");
        open.awaitEvents(1);
        assertThat(canceled.events()).isEmpty();
        store.close();
        open.awaitKind(WatchResponse.Kind.CANCELED);
        assertThat(open.responses.get(open.responses.size() - 1).cancelReason()).isEqualTo("store closed");
        store = TestStores.openSingle(dir);
    }

    @Test
    void emptyKey_isRefusedWithACanceledResponse() {
        WatchStream s = new WatchStream();
        Watch w = store.watch(WatchRequest.key(""), s);
        assertThat(w.id()).isEqualTo(-1);
        assertThat(s.responses).singleElement().satisfies(r -> {
            assertThat(r.canceled()).isTrue();
            assertThat(r.cancelReason()).isEqualTo("etcdserver: key is not provided");
        });
    }

    @Test
    void progress_onRequestAndPeriodically_bookmarksDeliveredRevisions() throws Exception {
        WatchStream requested = new WatchStream();
        WatchStream periodic = new WatchStream();
        Watch w = store.watch(WatchRequest.key("b"), requested);
        store.watch(WatchRequest.key("b").withProgressNotify(), periodic);
        long r = put("b", "1");
        put("unrelated", "x");
        requested.awaitEvents(1);
        w.requestProgress();
        requested.awaitKind(WatchResponse.Kind.PROGRESS);
        assertThat(requested.responses.stream().filter(x -> x.kind() == WatchResponse.Kind.PROGRESS)
                .findFirst().orElseThrow().header().revision()).isGreaterThanOrEqualTo(r + 1);
        periodic.awaitKind(WatchResponse.Kind.PROGRESS); // idle for 200 ms
        requested.assertGuarantees();
        periodic.assertGuarantees();
    }

    @Test
    void slowWatcher_lagsBehind_thenCatchesUpFromHistory_withoutGapsOrDuplicates() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        WatchStream slow = blockedAfterFirstEvents(release);
        WatchStream fast = new WatchStream();
        long start = put("s", "0") + 1;
        store.watch(WatchRequest.prefix("s").fromRevision(start), slow);
        store.watch(WatchRequest.prefix("s").fromRevision(start), fast);
        for (int i = 1; i <= 600; i++) { // one entry each: far more than the slow watcher's buffer
            put("s" + (i % 7), "v" + i);
        }
        fast.awaitEvents(600); // a slow watcher never holds up writers or other watchers
        release.countDown();
        slow.awaitEvents(600);
        assertThat(slow.events()).extracting(Event::revision)
                .isEqualTo(fast.events().stream().map(Event::revision).toList());
        slow.assertGuarantees();
        fast.assertGuarantees();
    }

    @Test
    void laggingWatcher_whoseRevisionIsCompacted_isCanceledWithTheCompactRevision() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        WatchStream slow = blockedAfterFirstEvents(release);
        store.watch(WatchRequest.prefix("z"), slow);
        long last = 0;
        for (int i = 0; i < 400; i++) {
            last = put("z" + (i % 5), "v" + i);
        }
        store.compact(last).join();
        release.countDown();
        slow.awaitKind(WatchResponse.Kind.CANCELED);
        WatchResponse end = slow.responses.get(slow.responses.size() - 1);
        assertThat(end.compactRevision()).isEqualTo(last);
        slow.assertGuarantees();
    }

    @Test
    void concurrentWriters_everyWatcherSeesEveryMatchingWriteOnceInOrder() throws Exception {
        long start = put("seed", "x") + 1;
        Map<Long, String> writes = new ConcurrentHashMap<>();
        WatchStream live = new WatchStream();
        store.watch(WatchRequest.prefix("w/"), live);
        AtomicBoolean failed = new AtomicBoolean();
        List<Thread> writers = new ArrayList<>();
        for (int w = 0; w < 4; w++) {
            int writer = w;
            Thread t = new Thread(() -> {
                for (int i = 0; i < 250; i++) {
                    String key = "w/" + writer + "/" + (i % 10);
                    try {
                        TxnResponse r = store.txn(TxnRequest.of(List.of(), List.of(PutRequest.of(key, "v" + i),
                                PutRequest.of(key + "-twin", "v" + i)), List.of())).get(10, TimeUnit.SECONDS);
                        writes.put(r.header().revision(), key);
                    } catch (Exception e) {
                        failed.set(true);
                    }
                }
            });
            t.start();
            writers.add(t);
        }
        WatchStream replay = new WatchStream();
        Thread.sleep(50);
        store.watch(WatchRequest.prefix("w/").fromRevision(start), replay); // starts in the past, mid-stream
        for (Thread t : writers) {
            t.join();
        }
        assertThat(failed).isFalse();
        live.awaitEvents(2000);
        replay.awaitEvents(2000);
        for (WatchStream s : List.of(live, replay)) {
            s.assertGuarantees();
            assertThat(s.events()).hasSize(2000);
            assertThat(s.events().stream().map(Event::revision).distinct().toList())
                    .isEqualTo(writes.keySet().stream().sorted().toList());
        }
    }

    @Test
    void revisionsFromBeforeARestart_areReplayedFromTheDatabase_withPrevKv() throws Exception {
        long r1 = put("d", "1");
        put("d", "2");
        store.delete(DeleteRangeRequest.key("d")).join();
        store.close();
        store = TestStores.openSingle(dir); // the new member's in-memory window is empty
        WatchStream s = new WatchStream();
        store.watch(WatchRequest.key("d").fromRevision(r1).withPrevKv(), s);
        s.awaitEvents(3);
        assertThat(s.events()).extracting(e -> e.type() + ":" + e.kv().valueUtf8() + "<-"
                + (e.prevKv() == null ? "none" : e.prevKv().valueUtf8()))
                .containsExactly("PUT:1<-none", "PUT:2<-1", "DELETE:<-2");
        s.assertGuarantees();
    }

    @Test
    void resumingFromTheLastRevisionPlusOne_continuesWithoutLoss() throws Exception {
        WatchStream first = new WatchStream();
        Watch w = store.watch(WatchRequest.prefix("m/"), first);
        for (int i = 0; i < 5; i++) {
            put("m/" + i, "a");
        }
        first.awaitEvents(5);
        w.close();
        long last = first.events().get(4).revision();
        for (int i = 0; i < 5; i++) {
            put("m/" + i, "b"); // written while nobody watches
        }
        WatchStream resumed = new WatchStream();
        store.watch(WatchRequest.prefix("m/").fromRevision(last + 1), resumed);
        resumed.awaitEvents(5);
        assertThat(resumed.events()).extracting(Event::revision)
                .containsExactly(last + 1, last + 2, last + 3, last + 4, last + 5);
        assertThat(resumed.events()).allMatch(e -> e.kv().valueUtf8().equals("b"));
    }

    /** A stream whose listener blocks on its first EVENTS response until {@code release} opens. */
    private static WatchStream blockedAfterFirstEvents(CountDownLatch release) {
        return new WatchStream() {
            @Override
            public void accept(WatchResponse r) {
                super.accept(r);
                if (r.kind() == WatchResponse.Kind.EVENTS) {
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
        };
    }
}
