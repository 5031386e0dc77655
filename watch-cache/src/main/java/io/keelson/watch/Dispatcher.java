package io.keelson.watch;

import com.google.protobuf.ByteString;
import io.keelson.store.Event;
import io.keelson.store.KeyValue;
import io.keelson.store.StoreException;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cache's single dispatcher thread: it applies the source's changes to {@link CacheState}, fans them out
 * to watchers, catches lagging watchers up, sends bookmarks, ends watchers that stay stuck, and re-lists when
 * the source watch is compacted. Everything here runs on that thread, so the watcher registry needs no lock;
 * other threads hand work over with {@link #execute}.
 *
 * <p>Design note: dispatch never waits for a consumer. A watcher whose buffer is full is marked lagging and
 * skipped; the event window still holds what it missed, and it is caught up from there when its consumer
 * makes room. It is ended (TOO_SLOW) when its consumer takes nothing for {@code slowWatcherTimeout}, or when
 * the window has moved past its resume point.
 */
final class Dispatcher {
    private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);
    private static final long FIRST_BACKOFF_MILLIS = 100;
    private static final long MAX_BACKOFF_MILLIS = 5_000;
    private static final long SOURCE_TIMEOUT_SECONDS = 30;
    private static final ByteString ZERO = ByteString.copyFrom(new byte[] {0});

    private final WatchCacheConfig config;
    private final CacheSource source;
    private final CacheState state;
    private final KeyRange range;
    private final ScheduledExecutorService thread;
    private final AtomicBoolean progressRequested = new AtomicBoolean();

    // dispatcher thread only
    private final List<Watcher> watchers = new ArrayList<>();
    private CacheSource.Subscription subscription;
    private long generation;
    private boolean bookmarkDue;
    private long backoffMillis = FIRST_BACKOFF_MILLIS;
    private boolean closed;

    Dispatcher(WatchCacheConfig config, CacheSource source, CacheState state, ScheduledExecutorService thread) {
        this.config = config;
        this.source = source;
        this.state = state;
        this.range = KeyRange.of(config.prefix(), null);
        this.thread = thread;
    }

    /** Loads the state and starts following the source; the future completes once the first list is in. */
    CompletableFuture<Void> start() {
        CompletableFuture<Void> loaded = new CompletableFuture<>();
        thread.execute(() -> {
            try {
                relist(true);
                loaded.complete(null);
            } catch (RuntimeException e) {
                loaded.completeExceptionally(e);
            }
        });
        long tick = Math.max(10, Math.min(250, config.slowWatcherTimeout().toMillis() / 2));
        thread.scheduleWithFixedDelay(guarded(this::checkLaggingWatchers), tick, tick, TimeUnit.MILLISECONDS);
        long bookmarks = config.bookmarkInterval().toMillis();
        thread.scheduleWithFixedDelay(guarded(this::bookmarkTick), bookmarks, bookmarks, TimeUnit.MILLISECONDS);
        return loaded;
    }

    /** Runs {@code task} on the dispatcher thread (dropped once the cache is closed). */
    void execute(Runnable task) {
        try {
            thread.execute(guarded(task));
        } catch (RejectedExecutionException e) {
            LOG.debug("watch cache closed; dropped a dispatcher task");
        }
    }

    /** From any thread: asks the source for a progress notification (coalesced), so waiting lists finish. */
    void requestProgress() {
        if (progressRequested.compareAndSet(false, true)) {
            execute(() -> {
                progressRequested.set(false);
                if (subscription != null) {
                    subscription.requestProgress();
                }
            });
        }
    }

    /** Dispatcher: adds a watcher, failing {@code registered} with GoneException if its revision left the window. */
    void register(Watcher w, CompletableFuture<Void> registered) {
        if (closed) {
            registered.completeExceptionally(
                    new WatchCacheException.UnavailableException("the watch cache is closed", null));
            return;
        }
        long rev = state.revision();
        if (w.initialEvents) {
            w.initialState = state.snapshot(w.range(), w::matches).iterator();
            w.deliveredThrough = rev;
            w.startLagging();
        } else if (w.afterRevision == WatchOptions.NOW) {
            w.deliveredThrough = rev;
        } else {
            long oldest = state.window().evictedThrough();
            if (w.afterRevision < oldest) {
                registered.completeExceptionally(new WatchCacheException.GoneException(w.afterRevision, oldest));
                return;
            }
            w.deliveredThrough = w.afterRevision;
            w.startLagging();
        }
        watchers.add(w);
        registered.complete(null);
        if (w.lagging) {
            catchUp(w);
        }
    }

    /** Dispatcher: hands a lagging watcher what it missed, as far as its buffer has room. */
    void catchUp(Watcher w) {
        if (w.isEnded() || !w.lagging) {
            return;
        }
        if (w.initialState != null && !deliverInitialState(w)) {
            return;
        }
        EventWindow window = state.window();
        if (w.deliveredThrough < window.evictedThrough()) {
            w.end(CacheEvent.EndReason.TOO_SLOW, "fell behind the cache's event window (resume after revision "
                    + w.deliveredThrough + " is no longer available)");
            return;
        }
        int i = window.firstAfter(w.deliveredThrough);
        while (i < window.size()) {
            long rev = window.get(i).revision();
            List<Change> changes = new ArrayList<>();
            for (; i < window.size() && window.get(i).revision() == rev; i++) {
                changes.add(window.get(i));
            }
            List<CacheEvent> batch = w.select(changes, null); // one watcher: no events to share
            if (!batch.isEmpty() && !w.offer(batch)) {
                return;
            }
            w.deliveredThrough = rev;
        }
        w.deliveredThrough = Math.max(w.deliveredThrough, state.revision());
        w.lagging = false;
    }

    /** Ends every watcher and stops following the source; waits for the dispatcher to finish. */
    void close() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        execute(() -> {
            closed = true;
            closeSubscription();
            for (Watcher w : watchers) {
                w.end(CacheEvent.EndReason.CACHE_CLOSED, "the watch cache was closed");
            }
            watchers.clear();
            done.complete(null);
        });
        try {
            done.get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.warn("watch cache dispatcher did not stop in time", e);
        }
        thread.shutdownNow();
    }

    // ------------------------------------------------------------------ source stream

    private void onEvents(List<Event> events) {
        int i = 0;
        while (i < events.size()) {
            long rev = events.get(i).revision();
            int j = i;
            while (j < events.size() && events.get(j).revision() == rev) {
                j++;
            }
            if (rev > state.revision()) { // a resubscribed watch may repeat what was applied
                fanOut(rev, state.apply(rev, events.subList(i, j)));
            }
            i = j;
        }
        backoffMillis = FIRST_BACKOFF_MILLIS;
    }

    private void fanOut(long rev, List<Change> changes) {
        List<CacheEvent> shared = events(changes);
        boolean pruned = false;
        for (Watcher w : watchers) {
            if (w.isEnded()) {
                pruned = true;
            } else if (!w.lagging && rev > w.deliveredThrough) {
                List<CacheEvent> batch = w.select(changes, shared);
                if (batch.isEmpty() || w.offer(batch)) {
                    w.deliveredThrough = rev;
                } else {
                    w.startLagging();
                }
            }
        }
        if (pruned) {
            watchers.removeIf(Watcher::isEnded);
        }
    }

    private void onProgress(long rev) {
        state.advanceTo(rev);
        backoffMillis = FIRST_BACKOFF_MILLIS;
        if (bookmarkDue) {
            bookmarkDue = false;
            long now = state.revision();
            CacheEvent bookmark = CacheEvent.bookmark(now, false);
            for (Watcher w : watchers) {
                // a bookmark never makes a watcher lag: one that has no room simply skips it
                if (w.bookmarks && !w.lagging && !w.isEnded() && w.offer(List.of(bookmark))) {
                    w.deliveredThrough = now;
                }
            }
        }
    }

    private void onFailure(Throwable cause) {
        LOG.warn("watch cache " + config.prefix().toStringUtf8() + ": source watch broke ("
                + cause + "); resuming after revision " + state.revision());
        closeSubscription();
        retryLater(() -> follow(state.revision() + 1));
    }

    private void onCompacted(long compactRevision) {
        LOG.info("watch cache {}: source watch compacted at {} (cache at {}); re-listing",
                config.prefix().toStringUtf8(), compactRevision, state.revision());
        relist(false);
    }

    private void subscribe(long startRevision) {
        long gen = ++generation;
        subscription = source.watch(range.start(), range.end(), startRevision, new CacheSource.Listener() {
            @Override
            public void onEvents(List<Event> events) {
                onSource(gen, () -> Dispatcher.this.onEvents(events));
            }

            @Override
            public void onProgress(long revision) {
                onSource(gen, () -> Dispatcher.this.onProgress(revision));
            }

            @Override
            public void onCompacted(long compactRevision) {
                onSource(gen, () -> Dispatcher.this.onCompacted(compactRevision));
            }

            @Override
            public void onFailure(Throwable cause) {
                onSource(gen, () -> Dispatcher.this.onFailure(cause));
            }
        });
    }

    /** Runs a source callback on the dispatcher thread unless its subscription has been replaced. */
    private void onSource(long gen, Runnable handler) {
        execute(() -> {
            if (gen == generation && !closed) {
                handler.run();
            }
        });
    }

    private void closeSubscription() {
        generation++; // callbacks still in flight from the old subscription are ignored
        if (subscription != null) {
            subscription.close();
            subscription = null;
        }
    }

    private void retryLater(Runnable action) {
        long delay = backoffMillis;
        backoffMillis = Math.min(MAX_BACKOFF_MILLIS, backoffMillis * 2);
        try {
            thread.schedule(() -> {
                if (!closed) {
                    action.run();
                }
            }, delay, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            LOG.debug("watch cache closed; no retry");
        }
    }

    /** Watches the source from {@code startRevision}; if the source refuses (say it is down), tries again later. */
    private void follow(long startRevision) {
        try {
            subscribe(startRevision);
        } catch (RuntimeException e) {
            LOG.warn("watch cache " + config.prefix().toStringUtf8() + ": could not watch the source ("
                    + e + "); retrying");
            retryLater(() -> follow(state.revision() + 1));
        }
    }

    // ------------------------------------------------------------------ relist

    /**
     * Lists the source afresh, replaces the state, hands synced watchers the difference (as changes at the
     * list's revision) and ends lagging ones with GONE, then watches from the list's revision on. The first
     * list's failure is thrown; later ones are retried.
     */
    private void relist(boolean initial) {
        closeSubscription();
        TreeMap<ByteString, KeyValue> fresh = new TreeMap<>(CacheState.KEY_ORDER);
        long rev;
        try {
            rev = load(fresh);
        } catch (RuntimeException e) {
            if (initial) {
                throw e;
            }
            LOG.warn("watch cache " + config.prefix().toStringUtf8() + ": re-list failed; retrying", e);
            retryLater(() -> relist(false));
            return;
        }
        List<Change> diff = state.replace(fresh, rev);
        List<CacheEvent> shared = events(diff);
        for (Watcher w : watchers) {
            if (w.isEnded()) {
                continue;
            }
            List<CacheEvent> batch = w.lagging ? null : w.select(diff, shared);
            if (batch == null || (!batch.isEmpty() && !w.offer(batch))) {
                w.end(CacheEvent.EndReason.GONE, "the cache re-listed from the store and this watch's resume point"
                        + " is lost; list again");
            } else {
                w.deliveredThrough = rev;
            }
        }
        watchers.removeIf(Watcher::isEnded);
        follow(rev + 1);
    }

    /** Reads the whole range, page by page, at one revision; returns that revision. */
    private long load(TreeMap<ByteString, KeyValue> into) {
        for (int attempt = 1; ; attempt++) {
            into.clear();
            try {
                long rev = 0;
                ByteString from = range.start();
                while (true) {
                    CacheSource.Page page = source.list(from, range.end(), rev, config.listPageSize())
                            .get(SOURCE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
                    if (rev == 0) {
                        rev = page.revision();
                    }
                    for (KeyValue kv : page.kvs()) {
                        into.put(kv.key(), kv);
                    }
                    if (!page.more() || page.kvs().isEmpty()) {
                        return rev;
                    }
                    from = page.kvs().get(page.kvs().size() - 1).key().concat(ZERO);
                }
            } catch (ExecutionException e) {
                // the list's revision was compacted between two pages: start over at a newer one
                if (!(e.getCause() instanceof StoreException.CompactedException) || attempt >= 5) {
                    throw new WatchCacheException.UnavailableException("could not list "
                            + config.prefix().toStringUtf8() + " from the source: " + e.getCause(), e.getCause());
                }
            } catch (TimeoutException e) {
                throw new WatchCacheException.UnavailableException("listing " + config.prefix().toStringUtf8()
                        + " from the source timed out", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new WatchCacheException.UnavailableException("interrupted while listing", e);
            }
        }
    }

    // ------------------------------------------------------------------ periodic work

    private void checkLaggingWatchers() {
        long timeout = config.slowWatcherTimeout().toNanos();
        boolean pruned = false;
        for (Watcher w : watchers) {
            if (w.isEnded()) {
                pruned = true;
            } else if (w.lagging) {
                if (w.stuckFor(timeout)) {
                    w.end(CacheEvent.EndReason.TOO_SLOW, "took no event for " + config.slowWatcherTimeout().toMillis()
                            + " ms while its buffer was full");
                    pruned = true;
                } else {
                    catchUp(w);
                }
            }
        }
        if (pruned) {
            watchers.removeIf(Watcher::isEnded);
        }
    }

    private void bookmarkTick() {
        if (subscription != null) {
            bookmarkDue = true; // sent with the progress notification this asks for
            subscription.requestProgress();
        }
    }

    private boolean deliverInitialState(Watcher w) {
        int room = w.buffer.free();
        while (room > 0 && w.initialState.hasNext()) {
            List<CacheEvent> batch = new ArrayList<>(Math.min(room, 256));
            while (batch.size() < room && batch.size() < 256 && w.initialState.hasNext()) {
                KeyValue kv = w.initialState.next();
                batch.add(CacheEvent.change(CacheEvent.Type.ADDED, kv, null, kv.modRevision()));
            }
            w.offer(batch);
            room = w.buffer.free();
        }
        if (w.initialState.hasNext() || !w.offer(List.of(CacheEvent.bookmark(w.deliveredThrough, true)))) {
            return false;
        }
        w.initialState = null;
        return true;
    }

    /** A periodic task that throws would never run again, and an executor swallows the error: log it. */
    private static Runnable guarded(Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.error("watch cache dispatcher task failed", e);
            }
        };
    }

    /** The unfiltered events of {@code changes}, built once and shared by every watcher that sees them all. */
    static List<CacheEvent> events(List<Change> changes) {
        List<CacheEvent> events = new ArrayList<>(changes.size());
        for (Change c : changes) {
            events.add(c.event());
        }
        return List.copyOf(events);
    }
}
