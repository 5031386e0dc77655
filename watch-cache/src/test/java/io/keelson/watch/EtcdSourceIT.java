package io.keelson.watch;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.keelson.store.KeyValue;
import io.keelson.store.server.LocalEtcd;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The watch cache over a real etcd 3.4 (Debian's etcd-server) through jetcd. */
class EtcdSourceIT {
    @TempDir
    static Path dir;
    static LocalEtcd etcd;
    static Client client;
    static int prefixes;

    String prefix = "/registry/it" + (++prefixes) + "/";
    WatchCache cache;

    @BeforeAll
    static void start() throws Exception {
        Assumptions.assumeTrue(LocalEtcd.installed(), "etcd 3.4 is not on the PATH (apt-get install etcd-server)");
        etcd = LocalEtcd.start(dir);
        client = Client.builder().endpoints("http://" + etcd.endpoint()).build();
    }

    @AfterAll
    static void stop() throws Exception {
        if (client != null) {
            client.close();
        }
        if (etcd != null) {
            etcd.close();
        }
    }

    @AfterEach
    void closeCache() {
        if (cache != null) {
            cache.close();
        }
    }

    private static ByteSequence bytes(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }

    private long put(String key, String value) {
        return client.getKVClient().put(bytes(key), bytes(value)).join().getHeader().getRevision();
    }

    @Test
    void loadsListsAndWatchesAnEtcdPrefix_withReadYourWrites() {
        put(prefix + "a", "1");
        put("/elsewhere", "x");
        cache = WatchCache.create(CacheSource.of(client), WatchCacheConfig.forPrefix(prefix));
        assertThat(cache.list(ListOptions.any()).items()).extracting(KeyValue::keyUtf8).containsExactly(prefix + "a");
        Recorder events = new Recorder();
        cache.watch(WatchOptions.fromNow(), events);

        for (int i = 0; i < 20; i++) {
            long rev = put(prefix + "b", "v" + i);
            CacheList list = cache.list(ListOptions.consistent().withPrefix(prefix + "b"));
            assertThat(list.revision()).isGreaterThanOrEqualTo(rev);
            assertThat(list.items()).extracting(KeyValue::valueUtf8).containsExactly("v" + i);
        }
        long deleted = client.getKVClient().delete(bytes(prefix + "a")).join().getHeader().getRevision();

        List<CacheEvent> seen = events.changes(21);
        assertThat(seen.get(0).type()).isEqualTo(CacheEvent.Type.ADDED);
        assertThat(seen.get(20).type()).isEqualTo(CacheEvent.Type.DELETED);
        assertThat(seen.get(20).revision()).isEqualTo(deleted);
        assertThat(seen.get(20).object().valueUtf8()).isEqualTo("1");
    }

    @Test
    void consistentListAndBookmarks_followWritesOutsideThePrefix() {
        cache = WatchCache.create(CacheSource.of(client), WatchCacheConfig.forPrefix(prefix)
                .withBookmarkInterval(Duration.ofMillis(100)));
        Recorder events = new Recorder();
        cache.watch(WatchOptions.fromNow().withBookmarks(), events);
        long rev = put("/elsewhere", "y");

        assertThat(cache.list(ListOptions.consistent()).revision()).isGreaterThanOrEqualTo(rev);
        assertThat(events.until(e -> e.type() == CacheEvent.Type.BOOKMARK && e.revision() >= rev)).isNotEmpty();
    }

    @Test
    void afterEtcdCompactsTheCachesResumePoint_theCacheRelists() {
        put(prefix + "stays", "1");
        put(prefix + "goes", "1");
        BreakableSource source = new BreakableSource(CacheSource.of(client));
        cache = WatchCache.create(source, WatchCacheConfig.forPrefix(prefix));
        Recorder events = new Recorder();
        cache.watch(WatchOptions.fromNow(), events);

        source.pause();
        source.breakWatch();
        client.getKVClient().delete(bytes(prefix + "goes")).join();
        long last = put(prefix + "new", "1");
        client.getKVClient().compact(last).join();
        source.resume();

        List<CacheEvent> changes = events.changes(2);
        // a re-list hands over the difference at the list's revision (a resumed watch would give two revisions)
        assertThat(changes).extracting(CacheEvent::revision).containsOnly(last);
        Map<String, CacheEvent.Type> diff = changes.stream()
                .collect(Collectors.toMap(e -> e.object().keyUtf8(), CacheEvent::type));
        assertThat(diff).containsOnly(Map.entry(prefix + "goes", CacheEvent.Type.DELETED),
                Map.entry(prefix + "new", CacheEvent.Type.ADDED));
        assertThat(cache.list(ListOptions.consistent()).items()).extracting(KeyValue::keyUtf8)
                .containsExactly(prefix + "new", prefix + "stays");
    }
}
