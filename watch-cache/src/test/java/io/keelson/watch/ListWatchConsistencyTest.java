package io.keelson.watch;

import static org.assertj.core.api.Assertions.assertThat;

import io.keelson.store.DeleteRangeRequest;
import io.keelson.store.DeleteRangeResponse;
import io.keelson.store.KeelsonStore;
import io.keelson.store.KeyValue;
import io.keelson.store.PutRequest;
import io.keelson.store.StoreConfig;
import io.keelson.store.StoreMember;
import io.keelson.store.TxnRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Concurrent writers, random compactions and source-watch breaks (which force re-lists), and consumers that
 * list (paginated or not) then watch, some of them slow enough to be ended and to resume or re-list. Every
 * consumer's view at every revision it passes must equal the store's state at that revision, rebuilt from
 * the writers' acknowledged changes. Seeds fix each run's operations; thread timing still varies.
 */
class ListWatchConsistencyTest {
    private static final String PREFIX = "/registry/things/";
    private static final int KEYS = 24;

    @TempDir
    Path dir;

    /** Acknowledged changes in the prefix: revision -> (key -> value, null for a delete). */
    private final ConcurrentSkipListMap<Long, Map<String, String>> history = new ConcurrentSkipListMap<>();
    /** What consumers saw, checked once every write is acknowledged (an event can arrive before its ack). */
    private final List<Checkpoint> checkpoints = new CopyOnWriteArrayList<>();
    private final List<String> failures = new CopyOnWriteArrayList<>();
    private final Map<String, AtomicInteger> endings = new java.util.concurrent.ConcurrentHashMap<>();
    /** Set while the slowest consumer stalls to be ended as too slow: the chaos thread then forces no re-list. */
    private final AtomicBoolean stalling = new AtomicBoolean();

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {7, 19, 42})
    void everyConsumerSeesExactlyTheStoresStateAtEachRevision(long seed) throws Exception {
        Random random = new Random(seed);
        try (StoreMember store = KeelsonStore.open(StoreConfig.singleNode(dir).withElectionTimeout(Duration.ofMillis(150)))) {
            BreakableSource source = new BreakableSource(CacheSource.of(store));
            WatchCacheConfig config = WatchCacheConfig.forPrefix(PREFIX).withWindow(16, 64, Duration.ofMillis(50))
                    .withWatcherBuffer(8, Duration.ofMillis(150)).withBookmarkInterval(Duration.ofMillis(40))
                    .withListPageSize(5);
            try (WatchCache cache = WatchCache.create(source, config)) {
                AtomicBoolean writing = new AtomicBoolean(true);
                ExecutorService threads = Executors.newCachedThreadPool();
                List<Future<?>> writers = new ArrayList<>();
                for (int w = 0; w < 3; w++) {
                    long writerSeed = random.nextLong();
                    writers.add(threads.submit(() -> write(store, new Random(writerSeed), 300)));
                }
                List<Future<?>> consumers = new ArrayList<>();
                for (int c = 0; c < 4; c++) {
                    long consumerSeed = random.nextLong();
                    int slowness = c; // consumer 0 keeps up; the others sleep more and more per event
                    consumers.add(threads.submit(() -> consume(cache, new Random(consumerSeed), slowness, writing)));
                }
                Future<?> chaos = threads.submit(() -> chaos(store, source, new Random(random.nextLong()), writing));
                for (Future<?> f : writers) {
                    f.get();
                }
                writing.set(false);
                chaos.get();
                for (Future<?> f : consumers) {
                    f.get();
                }
                threads.shutdown();
            }
        }
        for (Checkpoint c : checkpoints) {
            Map<String, String> expected = modelAt(c.revision());
            if (!expected.equals(c.view())) {
                failures.add(c.where() + ": at revision " + c.revision() + " consumer saw " + c.view()
                        + " but the store had " + expected);
            }
        }
        assertThat(failures).isEmpty();
        assertThat(checkpoints).hasSizeGreaterThan(100);
        System.out.println("seed " + seed + ": " + checkpoints.size() + " checkpoints, watch endings " + endings);
        assertThat(endings).as("watches ended by the cache (slow, gone) that consumers resumed or re-listed after")
                .containsKey(CacheEvent.EndReason.TOO_SLOW.name());
    }

    private void write(StoreMember store, Random random, int ops) {
        for (int i = 0; i < ops; i++) {
            String key = PREFIX + "k" + random.nextInt(KEYS);
            int dice = random.nextInt(10);
            if (dice < 5) {
                String value = "v" + random.nextInt(1000);
                record(store.put(PutRequest.of(key, value)).join().header().revision(), Map.of(key, value));
            } else if (dice < 7) {
                DeleteRangeResponse r = store.delete(DeleteRangeRequest.key(key)).join();
                if (r.deleted() > 0) {
                    record(r.header().revision(), Collections.singletonMap(key, null));
                }
            } else if (dice < 9) {
                String other = PREFIX + "k" + random.nextInt(KEYS);
                if (other.equals(key)) {
                    continue;
                }
                long rev = store.txn(TxnRequest.of(List.of(), List.of(PutRequest.of(key, "t" + i), PutRequest.of(other, "t" + i)),
                        List.of())).join().header().revision();
                record(rev, Map.of(key, "t" + i, other, "t" + i));
            } else {
                store.put(PutRequest.of("/registry/other/" + random.nextInt(5), "x")).join();
            }
        }
    }

    private void record(long revision, Map<String, String> changes) {
        history.merge(revision, new HashMap<>(changes), (a, b) -> {
            throw new AssertionError("two writes acknowledged at revision " + revision);
        });
    }

    /** The store's prefix state at {@code revision}, from the acknowledged history. */
    private Map<String, String> modelAt(long revision) {
        Map<String, String> state = new TreeMap<>();
        for (Map<String, String> changes : history.headMap(revision, true).values()) {
            changes.forEach((k, v) -> {
                if (v == null) {
                    state.remove(k);
                } else {
                    state.put(k, v);
                }
            });
        }
        return state;
    }

    private void chaos(StoreMember store, BreakableSource source, Random random, AtomicBoolean writing) {
        long compacted = 0;
        while (writing.get()) {
            sleep(20 + random.nextInt(60));
            long current = store.put(PutRequest.of("/registry/other/clock", "x")).join().header().revision();
            // a re-list ends lagging watchers as GONE, which would pre-empt the TOO_SLOW the stall is after
            if (random.nextBoolean() && !stalling.get()) {
                source.pause();
                source.breakWatch();
                sleep(random.nextInt(30));
                store.compact(current).join(); // usually makes the cache's resume point compacted: a re-list
                compacted = current;
                source.resume();
            } else {
                // never at or below the last compaction, which the store refuses (as etcd does) when few
                // writes came in between
                long target = Math.max(compacted + 1, current - random.nextInt(20));
                store.compact(target).join();
                compacted = target;
            }
        }
    }

    private void consume(WatchCache cache, Random random, int slowness, AtomicBoolean writing) {
        Map<String, String> view = new TreeMap<>();
        long resumeAfter = relist(cache, random, view);
        // the listener hands each event over and waits until the consumer takes it, so a slow consumer
        // is a slow watcher to the cache; it runs on a thread of its own so it holds up no other watcher
        ExecutorService delivery = Executors.newSingleThreadExecutor();
        while (true) {
            int handled = 0;
            java.util.concurrent.SynchronousQueue<CacheEvent> events = new java.util.concurrent.SynchronousQueue<>();
            CacheWatch watch;
            try {
                watch = cache.watch(WatchOptions.fromRevision(resumeAfter).withBookmarks().deliveredOn(delivery),
                        e -> handOver(events, e));
            } catch (WatchCacheException.GoneException gone) {
                endings.computeIfAbsent("gone on resume", k -> new AtomicInteger()).incrementAndGet();
                resumeAfter = relist(cache, random, view);
                continue;
            }
            long current = resumeAfter;
            CacheEvent e;
            while (true) {
                e = take(events);
                if (e.type() == CacheEvent.Type.ENDED) {
                    break;
                }
                if (e.revision() > current) {
                    check(view, current, "event at " + e.revision());
                    current = e.revision();
                }
                if (e.type() == CacheEvent.Type.BOOKMARK) {
                    check(view, e.revision(), "bookmark");
                } else if (e.type() == CacheEvent.Type.DELETED) {
                    view.remove(e.object().keyUtf8());
                } else {
                    view.put(e.object().keyUtf8(), e.object().valueUtf8());
                }
                handled++;
                if (slowness == 3 && handled == 10 && !endings.containsKey(CacheEvent.EndReason.TOO_SLOW.name())) {
                    stallUntilEnded(writing);
                } else if (slowness > 0) {
                    sleep(slowness == 3 && random.nextInt(40) == 0 ? 400 : random.nextInt(slowness * 3));
                }
                if (!writing.get() && random.nextInt(4) == 0) {
                    watch.close();
                }
            }
            if (e.endReason() == CacheEvent.EndReason.CLOSED || e.endReason() == CacheEvent.EndReason.CACHE_CLOSED) {
                check(view, current, "end");
                delivery.shutdown();
                return;
            }
            endings.computeIfAbsent(e.endReason().name(), k -> new AtomicInteger()).incrementAndGet();
            resumeAfter = e.revision() > 0 ? e.revision() : relist(cache, random, view);
            if (e.revision() > 0) {
                check(view, e.revision(), "end " + e.endReason());
            }
        }
    }

    /**
     * The slowest consumer's stall on each watch until one has been ended as too slow: it waits until more
     * writes than the watcher's buffer holds were acknowledged, so the buffer is full, then past the cache's
     * 150 ms bound. On a loaded machine a re-list already under way can still end the watch as GONE first; the
     * next watch then stalls again.
     */
    private void stallUntilEnded(AtomicBoolean writing) {
        stalling.set(true);
        try {
            int start = history.size();
            while (writing.get() && history.size() < start + 16) {
                sleep(5);
            }
            sleep(400);
        } finally {
            stalling.set(false);
        }
    }

    /** Lists (in pages when the dice say so) until a whole list succeeds; returns its revision. */
    private long relist(WatchCache cache, Random random, Map<String, String> view) {
        while (true) {
            ListOptions options = random.nextBoolean() ? ListOptions.consistent() : ListOptions.any();
            int limit = random.nextBoolean() ? 0 : 1 + random.nextInt(8);
            try {
                CacheList page = cache.list(options.limit(limit));
                Map<String, String> listed = new TreeMap<>();
                long revision = page.revision();
                while (true) {
                    for (KeyValue kv : page.items()) {
                        listed.put(kv.keyUtf8(), kv.valueUtf8());
                    }
                    if (!page.hasMore()) {
                        break;
                    }
                    page = cache.list(ListOptions.any().limit(limit).continueFrom(page.continueToken()));
                    if (page.revision() != revision) {
                        failures.add("continued page at " + page.revision() + " after a first page at " + revision);
                    }
                }
                view.clear();
                view.putAll(listed);
                check(view, revision, "list");
                return revision;
            } catch (WatchCacheException.GoneException gone) {
                // the window moved past the list's revision between pages: list again
            }
        }
    }

    private void check(Map<String, String> view, long revision, String where) {
        checkpoints.add(new Checkpoint(where, revision, Map.copyOf(view)));
    }

    private record Checkpoint(String where, long revision, Map<String, String> view) {
    }

    private static void handOver(java.util.concurrent.SynchronousQueue<CacheEvent> events, CacheEvent e) {
        try {
            events.put(e);
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    private static CacheEvent take(java.util.concurrent.SynchronousQueue<CacheEvent> events) {
        try {
            CacheEvent e = events.poll(30, java.util.concurrent.TimeUnit.SECONDS);
            if (e == null) {
                throw new AssertionError("consumer received nothing for 30 s");
            }
            return e;
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new AssertionError(ex);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
