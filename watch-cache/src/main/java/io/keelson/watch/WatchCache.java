package io.keelson.watch;

import com.google.protobuf.ByteString;
import io.keelson.store.KeyValue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * An in-memory List+Watch cache of one key prefix (the kube-apiserver "cacher"): one source watch feeds a
 * materialised map of the prefix's current objects and a bounded window of recent changes, which serve any
 * number of in-process lists and watches without touching the store for each.
 *
 * <pre>{@code
 * try (WatchCache pods = WatchCache.create(CacheSource.of(store), WatchCacheConfig.forPrefix("/registry/pods/"))) {
 *     CacheList list = pods.list(ListOptions.consistent());
 *     CacheWatch watch = pods.watch(WatchOptions.fromRevision(list.revision()).withBookmarks(), event -> ...);
 * }
 * }</pre>
 *
 * <p>Threads: one dispatcher thread per cache applies changes and fans them out; listeners run on the
 * cache's delivery pool (or an executor given per watch), one event at a time per watch, in revision order.
 * Lists run on the caller's thread and may block while waiting for a revision (at most the wait timeout).
 */
public final class WatchCache implements AutoCloseable {
    private static final AtomicInteger CACHES = new AtomicInteger();

    private final WatchCacheConfig config;
    private final CacheState state;
    private final Dispatcher dispatcher;
    private final CacheSource source;
    private final ExecutorService delivery;
    private final AtomicLong watchIds = new AtomicLong();

    private WatchCache(CacheSource source, WatchCacheConfig config) {
        this.config = config;
        this.source = source;
        this.state = new CacheState(new EventWindow(config.minEvents(), config.maxEvents(),
                config.minHistory().toNanos(), config.nanoTime()), config.nanoTime());
        int n = CACHES.incrementAndGet();
        this.delivery = Executors.newFixedThreadPool(config.deliveryThreads(), threads("keelson-watch-cache-" + n + "-delivery"));
        this.dispatcher = new Dispatcher(config, source, state,
                Executors.newSingleThreadScheduledExecutor(threads("keelson-watch-cache-" + n + "-dispatch")));
    }

    /**
     * Starts a cache over {@code source} and returns once it holds the prefix's state (its first list).
     *
     * @throws WatchCacheException.UnavailableException when the source cannot be listed
     */
    public static WatchCache create(CacheSource source, WatchCacheConfig config) {
        WatchCache cache = new WatchCache(source, config);
        try {
            cache.dispatcher.start().get();
            return cache;
        } catch (ExecutionException e) {
            cache.close();
            throw e.getCause() instanceof WatchCacheException ? (WatchCacheException) e.getCause()
                    : new WatchCacheException.UnavailableException("watch cache failed to start", e.getCause());
        } catch (InterruptedException e) {
            cache.close();
            Thread.currentThread().interrupt();
            throw new WatchCacheException.UnavailableException("interrupted while starting the watch cache", e);
        }
    }

    /** The prefix this cache mirrors. */
    public ByteString prefix() {
        return config.prefix();
    }

    /**
     * The continue token of a page that ended at {@code lastKey}, read at {@code revision} from a list of
     * {@code prefix}: for a consumer that read a first page elsewhere (from the store at an exact revision) and
     * lets the cache serve the rest.
     */
    public static String continueToken(ByteString prefix, long revision, ByteString lastKey) {
        return ContinueToken.encode(revision, lastKey, prefix);
    }

    /** The cache revision: every change up to it has been applied. */
    public long revision() {
        return state.revision();
    }

    /**
     * Lists objects, paginated with {@link ListOptions#limit}; blocks while it waits for the requested freshness.
     *
     * @throws WatchCacheException.RevisionTimeoutException when the cache did not reach the revision in time
     * @throws WatchCacheException.GoneException            when a continue token's revision left the window
     * @throws IllegalArgumentException                     for a prefix outside the cache's or a bad token
     */
    public CacheList list(ListOptions options) {
        KeyRange range = KeyRange.of(config.prefix(), options.prefix());
        if (options.continueToken() != null) {
            ContinueToken token = ContinueToken.decode(options.continueToken());
            if (!token.prefix().equals(range.start())) {
                throw new IllegalArgumentException("continue token belongs to a list of '"
                        + token.prefix().toStringUtf8() + "', not '" + range.start().toStringUtf8() + "'");
            }
            return state.page(range, options.predicate(), options.limit(), token.revision(), token.lastKey());
        }
        long needed;
        switch (options.freshness()) {
            case AT_LEAST:
                needed = options.minRevision();
                break;
            case CONSISTENT:
                needed = storeRevision();
                break;
            default:
                needed = 0;
        }
        state.awaitRevision(needed, config.waitTimeout(), dispatcher::requestProgress);
        return state.page(range, options.predicate(), options.limit(), 0, null);
    }

    /**
     * The key's object as the cache has it now, at any freshness (a list with resourceVersion "0" of one key), or
     * null: a point read for hot paths, without a page built around it.
     *
     * @throws IllegalArgumentException for a key outside the cache's prefix
     */
    public KeyValue get(ByteString key) {
        if (!key.startsWith(config.prefix())) {
            throw new IllegalArgumentException("key '" + key.toStringUtf8() + "' lies outside the cache's prefix '"
                    + config.prefix().toStringUtf8() + "'");
        }
        return state.current(key);
    }

    /**
     * Starts a watch whose events go to {@code listener}, one at a time and in order, on the cache's delivery
     * pool (or {@link WatchOptions#executor()}). The stream always ends with an ENDED event.
     *
     * @throws WatchCacheException.GoneException when {@link WatchOptions#afterRevision()} is older than the window
     * @throws IllegalArgumentException          for a prefix outside the cache's
     */
    public CacheWatch watch(WatchOptions options, Consumer<CacheEvent> listener) {
        KeyRange range = KeyRange.of(config.prefix(), options.prefix());
        boolean wholeCache = range.start().equals(config.prefix()) && options.predicate() == WatchOptions.MATCH_ALL;
        Watcher w = new Watcher(watchIds.incrementAndGet(), range, wholeCache, options,
                listener, options.executor() != null ? options.executor() : delivery, config.watcherBuffer(),
                lagging -> dispatcher.execute(() -> dispatcher.catchUp(lagging)), config.nanoTime());
        CompletableFuture<Void> registered = new CompletableFuture<>();
        dispatcher.execute(() -> dispatcher.register(w, registered));
        await(registered);
        return w;
    }

    /** Ends every watch (ENDED with CACHE_CLOSED) and stops following the source. The source is not closed. */
    @Override
    public void close() {
        dispatcher.close();
        state.close();
        delivery.shutdown();
        try {
            delivery.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private long storeRevision() {
        try {
            return source.currentRevision().get(config.waitTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new WatchCacheException.UnavailableException("could not read the store's revision: " + e.getCause(),
                    e.getCause());
        } catch (TimeoutException e) {
            throw new WatchCacheException.UnavailableException("reading the store's revision timed out", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WatchCacheException.UnavailableException("interrupted while reading the store's revision", e);
        }
    }

    private void await(CompletableFuture<Void> registered) {
        try {
            registered.get(config.waitTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw (WatchCacheException) e.getCause();
        } catch (TimeoutException e) {
            throw new WatchCacheException.UnavailableException("the cache's dispatcher did not register the watch in time", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WatchCacheException.UnavailableException("interrupted while registering a watch", e);
        }
    }

    private static ThreadFactory threads(String name) {
        AtomicInteger count = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
