package io.keelson.watch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.keelson.store.DeleteRangeRequest;
import io.keelson.store.KeelsonStore;
import io.keelson.store.KeyValue;
import io.keelson.store.PutRequest;
import io.keelson.store.StoreConfig;
import io.keelson.store.StoreMember;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RelistTest {
    private static final String PREFIX = "/registry/pods/";

    @TempDir
    Path dir;
    StoreMember store;
    BreakableSource source;
    WatchCache cache;

    @BeforeEach
    void open() {
        store = KeelsonStore.open(StoreConfig.singleNode(dir).withElectionTimeout(Duration.ofMillis(150)));
        source = new BreakableSource(CacheSource.of(store));
    }

    @AfterEach
    void close() {
        cache.close();
        store.close();
    }

    private long put(String key, String value) {
        return store.put(PutRequest.of(key, value)).join().header().revision();
    }

    @Test
    void aBrokenSourceWatch_resumesWithoutLosingChanges() {
        cache = WatchCache.create(source, WatchCacheConfig.forPrefix(PREFIX));
        Recorder events = new Recorder();
        cache.watch(WatchOptions.fromNow(), events);

        source.pause();
        source.breakWatch();
        long r1 = put(PREFIX + "a", "1");
        long r2 = put(PREFIX + "b", "2");
        source.resume();

        assertThat(events.changes(2)).extracting(CacheEvent::revision).containsExactly(r1, r2);
    }

    @Test
    void aCompactedSourceWatch_relistsAndHandsWatchersTheDifference() {
        put(PREFIX + "stays", "1");
        put(PREFIX + "changes", "1");
        put(PREFIX + "goes", "1");
        cache = WatchCache.create(source, WatchCacheConfig.forPrefix(PREFIX));
        long before = cache.list(ListOptions.consistent()).revision();
        Recorder events = new Recorder();
        cache.watch(WatchOptions.fromNow(), events);

        source.pause();
        source.breakWatch();
        put(PREFIX + "changes", "2");
        store.delete(DeleteRangeRequest.key(PREFIX + "goes")).join();
        long last = put(PREFIX + "new", "1");
        store.compact(last).join(); // the cache's resume point is gone from the store's history
        source.resume();

        List<CacheEvent> diff = events.changes(3);
        Map<String, CacheEvent.Type> byKey = diff.stream()
                .collect(Collectors.toMap(e -> e.object().keyUtf8(), CacheEvent::type));
        assertThat(byKey).containsOnly(
                Map.entry(PREFIX + "changes", CacheEvent.Type.MODIFIED),
                Map.entry(PREFIX + "goes", CacheEvent.Type.DELETED),
                Map.entry(PREFIX + "new", CacheEvent.Type.ADDED));
        assertThat(diff).extracting(CacheEvent::revision).containsOnly(last);
        assertThat(cache.list(ListOptions.any()).items()).extracting(KeyValue::keyUtf8)
                .containsExactly(PREFIX + "changes", PREFIX + "new", PREFIX + "stays");

        // the cache keeps following the store afterwards
        long after = put(PREFIX + "later", "1");
        assertThat(events.changes(1).get(0).revision()).isEqualTo(after);
        // and a resume point from before the re-list is gone
        assertThatThrownBy(() -> cache.watch(WatchOptions.fromRevision(before), new Recorder()))
                .isInstanceOf(WatchCacheException.GoneException.class);
    }
}
