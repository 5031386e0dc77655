package io.keelson.watch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.keelson.store.DeleteRangeRequest;
import io.keelson.store.KeelsonStore;
import io.keelson.store.KeyValue;
import io.keelson.store.PutRequest;
import io.keelson.store.StoreConfig;
import io.keelson.store.StoreMember;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WatchCacheTest {
    private static final String PREFIX = "/registry/pods/";

    @TempDir
    Path dir;
    StoreMember store;
    WatchCache cache;

    @BeforeEach
    void open() {
        store = KeelsonStore.open(StoreConfig.singleNode(dir).withElectionTimeout(Duration.ofMillis(150)));
    }

    @AfterEach
    void close() {
        if (cache != null) {
            cache.close();
        }
        store.close();
    }

    private WatchCache cache(WatchCacheConfig config) {
        cache = WatchCache.create(CacheSource.of(store), config);
        return cache;
    }

    private long put(String key, String value) {
        return store.put(PutRequest.of(key, value)).join().header().revision();
    }

    private long delete(String key) {
        return store.delete(DeleteRangeRequest.key(key)).join().header().revision();
    }

    private static List<String> keys(CacheList list) {
        return list.items().stream().map(KeyValue::keyUtf8).toList();
    }

    @Test
    void create_loadsTheExistingObjectsOfItsPrefixOnly() {
        put(PREFIX + "a", "1");
        put(PREFIX + "b", "2");
        put("/registry/nodes/n1", "x");
        cache(WatchCacheConfig.forPrefix(PREFIX));

        CacheList list = cache.list(ListOptions.any());

        assertThat(keys(list)).containsExactly(PREFIX + "a", PREFIX + "b");
        assertThat(list.revision()).isEqualTo(store.range(io.keelson.store.RangeRequest.key("x")).join().header().revision());
        assertThat(list.hasMore()).isFalse();
    }

    @Test
    void get_isTheKeysCachedObject_onceTheCacheHasIt_andRefusesKeysOutsideThePrefix() throws Exception {
        put(PREFIX + "a", "1");
        cache(WatchCacheConfig.forPrefix(PREFIX));
        assertThat(cache.get(bytes(PREFIX + "a")).valueUtf8()).isEqualTo("1");
        assertThat(cache.get(bytes(PREFIX + "none"))).isNull();

        long rev = put(PREFIX + "a", "2");
        cache.list(ListOptions.atLeast(rev)); // the cache has caught up with the write
        assertThat(cache.get(bytes(PREFIX + "a")).valueUtf8()).isEqualTo("2");
        assertThatThrownBy(() -> cache.get(bytes("/registry/nodes/n1"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("outside the cache's prefix");
    }

    @Test
    void consistentList_afterAWrite_alwaysSeesTheWrite() {
        cache(WatchCacheConfig.forPrefix(PREFIX));
        for (int i = 0; i < 200; i++) {
            long rev = put(PREFIX + "k" + (i % 7), "v" + i);

            CacheList list = cache.list(ListOptions.consistent().withPrefix(PREFIX + "k" + (i % 7)));

            assertThat(list.revision()).isGreaterThanOrEqualTo(rev);
            assertThat(list.items()).extracting(KeyValue::valueUtf8).containsExactly("v" + i);
        }
    }

    @Test
    void consistentList_afterAWriteOutsideThePrefix_returnsAtTheStoreRevision() {
        cache(WatchCacheConfig.forPrefix(PREFIX));
        long rev = put("/elsewhere", "x");

        // the cache learns the revision from a progress notification it asks the store for
        assertThat(cache.list(ListOptions.consistent()).revision()).isGreaterThanOrEqualTo(rev);
    }

    @Test
    void atLeastList_forARevisionNeverReached_failsWithTooLargeRevision() {
        cache(WatchCacheConfig.forPrefix(PREFIX).withWaitTimeout(Duration.ofMillis(200)));
        long far = cache.revision() + 1_000;

        assertThatThrownBy(() -> cache.list(ListOptions.atLeast(far)))
                .isInstanceOfSatisfying(WatchCacheException.RevisionTimeoutException.class,
                        e -> assertThat(e.requestedRevision()).isEqualTo(far))
                .hasMessageContaining("too large resource version");
    }

    @Test
    void list_withPredicateAndSubPrefix_returnsOnlyMatchingObjects() {
        put(PREFIX + "ns1/a", "running");
        put(PREFIX + "ns1/b", "pending");
        put(PREFIX + "ns2/c", "running");
        cache(WatchCacheConfig.forPrefix(PREFIX));

        CacheList list = cache.list(ListOptions.any().withPrefix(PREFIX + "ns1/")
                .matching(kv -> kv.valueUtf8().equals("running")));

        assertThat(keys(list)).containsExactly(PREFIX + "ns1/a");
    }

    @Test
    void list_ofAPrefixOutsideTheCache_isRefused() {
        cache(WatchCacheConfig.forPrefix(PREFIX));

        assertThatThrownBy(() -> cache.list(ListOptions.any().withPrefix("/registry/nodes/")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("outside the cache's prefix");
        assertThatThrownBy(() -> cache.list(ListOptions.any().continueFrom("not-a-token")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("invalid continue token");
    }

    @Test
    void paginatedList_continuesAtTheFirstPagesRevision_whileTheCacheMovesOn() {
        for (int i = 0; i < 25; i++) {
            put(String.format("%sk%02d", PREFIX, i), "old");
        }
        cache(WatchCacheConfig.forPrefix(PREFIX));
        CacheList first = cache.list(ListOptions.consistent().limit(10));
        assertThat(first.items()).hasSize(10);

        delete(PREFIX + "k12");
        put(PREFIX + "k15", "new");
        put(PREFIX + "k30", "new");
        put(PREFIX + "k05", "new");
        cache.list(ListOptions.consistent()); // the cache has seen the changes

        CacheList second = cache.list(ListOptions.any().limit(10).continueFrom(first.continueToken()));
        CacheList third = cache.list(ListOptions.any().limit(10).continueFrom(second.continueToken()));

        assertThat(second.revision()).isEqualTo(first.revision());
        assertThat(keys(second)).containsExactly(
                PREFIX + "k10", PREFIX + "k11", PREFIX + "k12", PREFIX + "k13", PREFIX + "k14",
                PREFIX + "k15", PREFIX + "k16", PREFIX + "k17", PREFIX + "k18", PREFIX + "k19");
        assertThat(second.items()).allSatisfy(kv -> assertThat(kv.valueUtf8()).isEqualTo("old"));
        assertThat(keys(third)).hasSize(5).doesNotContain(PREFIX + "k30");
        assertThat(third.hasMore()).isFalse();
    }

    @Test
    void continueToken_ofOneList_isRefusedForAnotherPrefix() {
        put(PREFIX + "ns1/a", "1");
        put(PREFIX + "ns1/b", "2");
        cache(WatchCacheConfig.forPrefix(PREFIX));
        CacheList first = cache.list(ListOptions.any().withPrefix(PREFIX + "ns1/").limit(1));

        assertThatThrownBy(() -> cache.list(ListOptions.any().withPrefix(PREFIX + "ns2/").limit(1)
                .continueFrom(first.continueToken())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("continue token belongs to");
        assertThat(keys(cache.list(ListOptions.any().withPrefix(PREFIX + "ns1/").limit(1)
                .continueFrom(first.continueToken())))).containsExactly(PREFIX + "ns1/b");
    }

    @Test
    void paginatedList_whoseRevisionLeftTheWindow_isGone() {
        for (int i = 0; i < 4; i++) {
            put(PREFIX + "k" + i, "v");
        }
        cache(WatchCacheConfig.forPrefix(PREFIX).withWindow(2, 2, Duration.ofMillis(1)));
        CacheList first = cache.list(ListOptions.consistent().limit(2));
        for (int i = 0; i < 5; i++) {
            put(PREFIX + "x" + i, "v");
        }
        cache.list(ListOptions.consistent());

        assertThatThrownBy(() -> cache.list(ListOptions.any().limit(2).continueFrom(first.continueToken())))
                .isInstanceOfSatisfying(WatchCacheException.GoneException.class,
                        e -> assertThat(e.requestedRevision()).isEqualTo(first.revision()));
    }

    @Test
    void watch_fromAListsRevision_deliversEveryLaterChangeInOrder() {
        put(PREFIX + "a", "1");
        cache(WatchCacheConfig.forPrefix(PREFIX));
        CacheList list = cache.list(ListOptions.consistent());
        long r1 = put(PREFIX + "a", "2"); // before the watch starts: replayed from the window
        Recorder events = new Recorder();
        cache.watch(WatchOptions.fromRevision(list.revision()), events);
        long r2 = put(PREFIX + "b", "3");
        long r3 = delete(PREFIX + "a");
        put("/registry/nodes/n1", "not watched");

        List<CacheEvent> seen = events.changes(3);

        assertThat(seen).extracting(CacheEvent::type).containsExactly(
                CacheEvent.Type.MODIFIED, CacheEvent.Type.ADDED, CacheEvent.Type.DELETED);
        assertThat(seen).extracting(CacheEvent::revision).containsExactly(r1, r2, r3);
        assertThat(seen.get(0).previous().valueUtf8()).isEqualTo("1");
        assertThat(seen.get(2).object().valueUtf8()).isEqualTo("2");
    }

    @Test
    void watch_fromARevisionOlderThanTheWindow_failsGoneWithTheOldestRevision() {
        cache(WatchCacheConfig.forPrefix(PREFIX).withWindow(3, 3, Duration.ofMillis(1)));
        long start = cache.revision();
        for (int i = 0; i < 10; i++) {
            put(PREFIX + "k" + i, "v");
        }
        cache.list(ListOptions.consistent());

        assertThatThrownBy(() -> cache.watch(WatchOptions.fromRevision(start), new Recorder()))
                .isInstanceOfSatisfying(WatchCacheException.GoneException.class, e -> {
                    assertThat(e.requestedRevision()).isEqualTo(start);
                    assertThat(e.oldestRevision()).isGreaterThan(start);
                })
                .hasMessageContaining("too old resource version");
    }

    @Test
    void watch_withInitialEvents_sendsTheStateThenAnEndBookmarkThenChanges() {
        for (int i = 0; i < 50; i++) {
            put(String.format("%sk%02d", PREFIX, i), "v");
        }
        cache(WatchCacheConfig.forPrefix(PREFIX).withWatcherBuffer(8, Duration.ofSeconds(30)));
        Recorder events = new Recorder();
        cache.watch(WatchOptions.withInitialEvents(), events);
        long later = put(PREFIX + "z", "new");

        List<CacheEvent> initial = events.until(e -> e.type() == CacheEvent.Type.BOOKMARK);
        CacheEvent next = events.changes(1).get(0);

        assertThat(initial).hasSize(51);
        assertThat(initial.subList(0, 50)).allSatisfy(e -> assertThat(e.type()).isEqualTo(CacheEvent.Type.ADDED));
        assertThat(initial.get(50).initialEventsEnd()).isTrue();
        assertThat(next.revision()).isEqualTo(later);
    }

    @Test
    void watch_withPredicate_seesObjectsEnterAndLeaveTheSelection() {
        cache(WatchCacheConfig.forPrefix(PREFIX));
        Recorder events = new Recorder();
        cache.watch(WatchOptions.fromNow().matching(kv -> kv.valueUtf8().startsWith("node-1")), events);
        put(PREFIX + "p", "pending");
        put(PREFIX + "p", "node-1 bound");
        put(PREFIX + "p", "node-1 running");
        put(PREFIX + "p", "node-2 moved");

        assertThat(events.changes(3)).extracting(CacheEvent::type).containsExactly(
                CacheEvent.Type.ADDED, CacheEvent.Type.MODIFIED, CacheEvent.Type.DELETED);
    }

    @Test
    void bookmarks_advanceEvenWhenNothingInThePrefixChanges() {
        cache(WatchCacheConfig.forPrefix(PREFIX).withBookmarkInterval(Duration.ofMillis(50)));
        Recorder events = new Recorder();
        cache.watch(WatchOptions.fromNow().withBookmarks(), events);
        long rev = put("/registry/nodes/n1", "elsewhere");

        CacheEvent bookmark = events.until(e -> e.type() == CacheEvent.Type.BOOKMARK && e.revision() >= rev)
                .get(0);

        assertThat(bookmark.type()).isEqualTo(CacheEvent.Type.BOOKMARK);
    }

    @Test
    void slowConsumer_isEndedTooSlow_andOthersKeepReceiving() throws Exception {
        cache(WatchCacheConfig.forPrefix(PREFIX).withWatcherBuffer(5, Duration.ofMillis(200)));
        CountDownLatch release = new CountDownLatch(1);
        Recorder slow = new Recorder();
        cache.watch(WatchOptions.fromNow(), e -> {
            slow.accept(e);
            await(release);
        });
        Recorder fast = new Recorder();
        cache.watch(WatchOptions.fromNow(), fast);

        for (int i = 0; i < 40; i++) {
            put(PREFIX + "k" + i, "v");
        }
        assertThat(fast.changes(40)).hasSize(40);
        Thread.sleep(600); // the slow watcher's buffer stays full past its 200 ms bound
        release.countDown();

        CacheEvent end = slow.until(e -> e.type() == CacheEvent.Type.ENDED).stream()
                .filter(e -> e.type() == CacheEvent.Type.ENDED).findFirst().orElseThrow();
        assertThat(end.endReason()).isEqualTo(CacheEvent.EndReason.TOO_SLOW);
        assertThat(end.revision()).isPositive();
        put(PREFIX + "after", "v");
        assertThat(fast.changes(1).get(0).object().keyUtf8()).isEqualTo(PREFIX + "after");
    }

    @Test
    void closingAWatch_endsItWithClosed() {
        cache(WatchCacheConfig.forPrefix(PREFIX));
        Recorder events = new Recorder();
        CacheWatch watch = cache.watch(WatchOptions.fromNow(), events);

        watch.close();

        CacheEvent end = events.next();
        assertThat(end.type()).isEqualTo(CacheEvent.Type.ENDED);
        assertThat(end.endReason()).isEqualTo(CacheEvent.EndReason.CLOSED);
    }

    @Test
    void closingTheCache_endsEveryWatch() {
        cache(WatchCacheConfig.forPrefix(PREFIX));
        Recorder events = new Recorder();
        cache.watch(WatchOptions.fromNow(), events);

        cache.close();

        assertThat(events.next().endReason()).isEqualTo(CacheEvent.EndReason.CACHE_CLOSED);
        cache = null;
    }

    @Test
    void closingTheCache_stillDeliversWhatWasBuffered_thenTheEnd() throws Exception {
        cache(WatchCacheConfig.forPrefix(PREFIX).withWatcherBuffer(5_000, Duration.ofSeconds(30)));
        CountDownLatch release = new CountDownLatch(1);
        Recorder events = new Recorder();
        cache.watch(WatchOptions.fromNow(), e -> {
            await(release);
            events.accept(e);
        });
        for (int i = 0; i < 600; i++) {
            put(PREFIX + "k" + i, "v");
        }
        cache.list(ListOptions.consistent());

        cache.close(); // the listener is still blocked on the first event
        release.countDown();

        assertThat(events.changes(600)).hasSize(600);
        assertThat(events.next().endReason()).isEqualTo(CacheEvent.EndReason.CACHE_CLOSED);
        cache = null;
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static ByteString bytes(String s) {
        return ByteString.copyFromUtf8(s);
    }
}
