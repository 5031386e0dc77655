package io.keelson.kernel.informer;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.keelson.kernel.ApiException;
import io.keelson.kernel.ResourceWatch;
import io.keelson.kernel.Resources;
import io.keelson.kernel.WatchEvent;
import io.keelson.kernel.WatchRequest;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One type's shared informer (client-go's SharedIndexInformer), on the kernel's watch cache: one watch, one
 * decoded object per change, cached and shared by every handler.
 *
 * <p>Contract:
 * <ul>
 *   <li>Notifications to one handler are sequential and, for one object, in the order of its changes; a handler
 *       added late first gets an add for every cached object.</li>
 *   <li>After a relist (the watch's resume point left the cache's window), objects that vanished meanwhile are
 *       delivered as deletes with {@code finalStateUnknown}; the relist is applied as one step.</li>
 *   <li>A broken watch is resumed from the last resourceVersion (relisting if needed) with back-off; the
 *       informer never stops silently: {@link #stopped()} completes when it stops, exceptionally if it failed,
 *       and {@link #isWatching()} says whether a watch is running.</li>
 *   <li>Cached objects are read-only by contract; they share empty collections and common strings (half the
 *       memory of fabric8's objects as decoded), so changing one's collections fails at once, and with mutation
 *       detection on, {@link #checkMutations()} fails if any consumer changed one otherwise.</li>
 * </ul>
 */
public final class SharedInformer<T extends HasMetadata> implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SharedInformer.class);
    private static final Duration MIN_RESYNC = Duration.ofSeconds(1);
    private static final Duration INITIAL_BACKOFF = Duration.ofMillis(100);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    private final Resources<T> resources;
    private final ExecutorService handlerPool;
    private final ScheduledExecutorService scheduler;
    private final IndexedCache<T> cache = new IndexedCache<>();
    private final List<Registration<T>> handlers = new CopyOnWriteArrayList<>();
    private final CompletableFuture<Void> synced = new CompletableFuture<>();
    private final CompletableFuture<Void> stopped = new CompletableFuture<>();
    private final MutationDetector<T> mutations;
    private final Object progress = new Object();

    /** Objects of a relist in progress, by key; null when not relisting. Event thread only. */
    private Map<String, T> relisted;
    private volatile ResourceWatch watch;
    /** Counts watches; events of an older one than the current are ignored. */
    private volatile long generation;
    private volatile boolean watching;
    private volatile boolean closed;
    /** guarded by progress */
    private long lastResourceVersion;
    private Duration backoff = INITIAL_BACKOFF;

    private record Registration<T>(EventHandler<T> handler, SerialExecutor executor, ScheduledFuture<?> resync) {
    }

    SharedInformer(Resources<T> resources, ExecutorService handlerPool, ScheduledExecutorService scheduler,
                   boolean detectMutations) {
        this.resources = resources;
        this.handlerPool = handlerPool;
        this.scheduler = scheduler;
        this.mutations = detectMutations ? new MutationDetector<>() : null;
    }

    private final java.util.concurrent.atomic.AtomicBoolean started = new java.util.concurrent.atomic.AtomicBoolean();

    /** Adds an index before or after start ({@code pods by spec.nodeName}, ...). */
    public SharedInformer<T> addIndexer(String name, Function<T, Collection<String>> indexer) {
        cache.addIndexer(name, indexer);
        return this;
    }

    /**
     * Adds the index unless one of that name is there already (components sharing an informer may each ask for the
     * same index; the name must mean the same function).
     */
    public SharedInformer<T> addIndexerIfAbsent(String name, Function<T, Collection<String>> indexer) {
        cache.addIndexerIfAbsent(name, indexer);
        return this;
    }

    /** Adds a handler; if objects are cached already, it first gets an add for each. */
    public void addEventHandler(EventHandler<T> handler) {
        addEventHandler(handler, Duration.ZERO);
    }

    /**
     * Adds a handler that also gets {@code onUpdate(o, o)} for every cached object each {@code resyncPeriod}
     * (at least 1 s; zero for none).
     */
    public synchronized void addEventHandler(EventHandler<T> handler, Duration resyncPeriod) {
        Objects.requireNonNull(handler, "handler");
        SerialExecutor executor = new SerialExecutor(handlerPool,
                e -> LOG.warn("{} handler {} failed", type(), handler, e));
        ScheduledFuture<?> resync = null;
        if (!resyncPeriod.isZero()) {
            long period = Math.max(resyncPeriod.toMillis(), MIN_RESYNC.toMillis());
            resync = scheduler.scheduleAtFixedRate(() -> resync(handler, executor), period, period,
                    TimeUnit.MILLISECONDS);
        }
        for (T object : cache.list()) {
            executor.execute(() -> handler.onAdd(object, true));
        }
        handlers.add(new Registration<>(handler, executor, resync));
    }

    private synchronized void resync(EventHandler<T> handler, SerialExecutor executor) {
        for (T object : cache.list()) {
            executor.execute(() -> handler.onUpdate(object, object));
        }
    }

    /**
     * Starts listing and watching (once: later calls only return the same future); the future completes once the
     * cache holds the initial state.
     */
    public CompletableFuture<Void> start() {
        if (started.compareAndSet(false, true)) {
            scheduler.execute(() -> startWatch(null));
        }
        return synced;
    }

    /** The cache, read-only. */
    public Cache<T> cache() {
        return cache;
    }

    public boolean hasSynced() {
        return synced.isDone() && !synced.isCompletedExceptionally();
    }

    /** Whether a watch is running now (false while the informer re-establishes one, and after it stopped). */
    public boolean isWatching() {
        return watching;
    }

    /** Completes when the informer stops: normally after {@link #close()}, exceptionally when it failed. */
    public CompletableFuture<Void> stopped() {
        return stopped;
    }

    /** The resourceVersion of the latest change or bookmark the cache reflects. */
    public String lastSyncResourceVersion() {
        synchronized (progress) {
            return Long.toString(lastResourceVersion);
        }
    }

    /**
     * Waits until the cache reflects {@code resourceVersion} (read-your-writes after a write of this type).
     *
     * @return whether it did within {@code timeout}
     */
    public boolean awaitResourceVersion(String resourceVersion, Duration timeout) throws InterruptedException {
        long wanted = Long.parseLong(resourceVersion);
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (progress) {
            while (lastResourceVersion < wanted) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || closed) {
                    return lastResourceVersion >= wanted;
                }
                TimeUnit.NANOSECONDS.timedWait(progress, left);
            }
            return true;
        }
    }

    /** Fails if a consumer changed a cached object (only with mutation detection on). */
    public void checkMutations() {
        if (mutations != null) {
            mutations.check(cache);
        }
    }

    /** How many notifications the slowest handler has not processed yet. */
    public int handlerBacklog() {
        return handlers.stream().mapToInt(r -> r.executor().backlog()).max().orElse(0);
    }

    /**
     * Drops the current watch and resumes from {@code resourceVersion} (null: relists), as after a broken watch:
     * for tests that force relists and 410s.
     */
    void restartWatch(String resourceVersion) {
        scheduler.execute(() -> {
            ResourceWatch w = watch;
            watch = null;
            generation++;
            if (w != null) {
                w.close();
            }
            startWatch(resourceVersion);
        });
    }

    /** Starts a watch: with the initial state (a relist) when {@code after} is null, else from that version. */
    private void startWatch(String after) {
        if (closed) {
            return;
        }
        WatchRequest request = after == null ? WatchRequest.withInitialState()
                : WatchRequest.fromResourceVersion(after).withBookmarks();
        if (after == null && !cache.keys().isEmpty()) {
            relisted = new HashMap<>();
        } else if (after == null) {
            relisted = null;
        }
        long current = ++generation;
        try {
            watch = resources.watch(request, e -> onEvent(current, e));
            watching = true;
        } catch (ApiException | IllegalStateException e) {
            retry(after, e);
        }
    }

    private void retry(String after, Exception cause) {
        watching = false;
        if (closed) {
            return;
        }
        LOG.info("{} informer: watch ended ({}); retrying in {} ms", type(), cause.getMessage(), backoff.toMillis());
        Duration delay = backoff;
        backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
        try {
            scheduler.schedule(() -> startWatch(after), delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            stop(new IllegalStateException(type() + " informer cannot retry: its scheduler is shut down", cause));
        }
    }

    /** One watch event, on the watch's delivery thread. */
    private synchronized void onEvent(long watchGeneration, WatchEvent<T> event) {
        if (watchGeneration != generation) {
            return; // a watch this informer has replaced
        }
        switch (event.type()) {
            case ADDED, MODIFIED, DELETED -> {
                backoff = INITIAL_BACKOFF;
                CompactObjects.compact(event.object()); // cached and shared: read-only from here on
                if (relisted != null && event.type() == WatchEvent.Type.ADDED) {
                    // part of a relist: the cache reflects it only at the end bookmark, so it does not advance yet
                    relisted.put(KeyFunctions.key(event.object()), event.object());
                } else {
                    apply(event.type(), event.object(), !synced.isDone());
                    if (synced.isDone()) {
                        advance(event.resourceVersion()); // initial events come in key order: wait for the bookmark
                    }
                }
            }
            case BOOKMARK -> {
                if (event.initialEventsEnd()) {
                    if (relisted != null) {
                        replace(relisted);
                        relisted = null;
                    }
                    synced.complete(null);
                }
                advance(event.resourceVersion());
            }
            case ERROR -> {
                // the resume point left the window (410): list again
                scheduler.execute(() -> retry(null, new IllegalStateException(event.status().getMessage())));
            }
            case CLOSED -> {
                watching = false;
                String reason = event.status() == null ? "" : event.status().getReason();
                if (closed) {
                    return;
                }
                if ("CACHE_CLOSED".equals(reason)) {
                    stop(new IllegalStateException(type() + " informer stopped: the kernel was closed"));
                    return;
                }
                String from = lastSyncResourceVersion();
                scheduler.execute(() -> retry(synced.isDone() ? from : null,
                        new IllegalStateException(event.status() == null ? "closed" : event.status().getMessage())));
            }
        }
    }

    private void apply(WatchEvent.Type type, T object, boolean initialList) {
        String key = KeyFunctions.key(object);
        if (type == WatchEvent.Type.DELETED) {
            T old = cache.remove(key);
            if (mutations != null) {
                mutations.forget(key);
            }
            notifyAll(h -> h.onDelete(old != null ? old : object, false));
            return;
        }
        T old = cache.put(key, object);
        if (mutations != null) {
            mutations.remember(key, object);
        }
        if (old == null) {
            notifyAll(h -> h.onAdd(object, initialList));
        } else {
            notifyAll(h -> h.onUpdate(old, object));
        }
    }

    /** Applies a relist in one step: vanished objects as final-state-unknown deletes, the rest as adds or updates. */
    private void replace(Map<String, T> listed) {
        for (String key : cache.keys()) {
            if (!listed.containsKey(key)) {
                T old = cache.remove(key);
                if (mutations != null) {
                    mutations.forget(key);
                }
                notifyAll(h -> h.onDelete(old, true));
            }
        }
        for (Map.Entry<String, T> e : listed.entrySet()) {
            T old = cache.put(e.getKey(), e.getValue());
            if (mutations != null) {
                mutations.remember(e.getKey(), e.getValue());
            }
            T object = e.getValue();
            if (old == null) {
                notifyAll(h -> h.onAdd(object, true));
            } else if (!Objects.equals(old.getMetadata().getResourceVersion(), object.getMetadata().getResourceVersion())) {
                notifyAll(h -> h.onUpdate(old, object));
            }
        }
    }

    private void notifyAll(java.util.function.Consumer<EventHandler<T>> notification) {
        for (Registration<T> r : handlers) {
            r.executor().execute(() -> notification.accept(r.handler()));
        }
    }

    private void advance(String resourceVersion) {
        long rv = Long.parseLong(resourceVersion);
        synchronized (progress) {
            if (rv > lastResourceVersion) {
                lastResourceVersion = rv;
                progress.notifyAll();
            }
        }
    }

    private String type() {
        return resources.type().kind();
    }

    private void stop(Throwable failure) {
        closed = true;
        watching = false;
        handlers.forEach(r -> {
            if (r.resync() != null) {
                r.resync().cancel(false);
            }
        });
        synced.completeExceptionally(failure != null ? failure : new IllegalStateException("informer closed"));
        if (failure != null) {
            LOG.warn("{}", failure.getMessage());
            stopped.completeExceptionally(failure);
        } else {
            stopped.complete(null);
        }
        synchronized (progress) {
            progress.notifyAll();
        }
    }

    /** Stops watching; {@link #stopped()} completes. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        ResourceWatch w = watch;
        stop(null);
        if (w != null) {
            w.close();
        }
    }
}
