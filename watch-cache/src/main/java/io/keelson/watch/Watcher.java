package io.keelson.watch;

import com.google.protobuf.ByteString;
import io.keelson.store.KeyRanges;
import io.keelson.store.KeyValue;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One consumer's watch. The dispatcher thread owns the fields marked "dispatcher"; the listener runs on
 * {@code executor}, one event at a time, fed from {@link WatchBuffer}.
 *
 * <p>A watcher is <em>synced</em> when every matching change up to {@link #deliveredThrough} is in its buffer
 * and the dispatcher hands it new changes directly. When its buffer has no room it becomes <em>lagging</em>:
 * the dispatcher stops handing it changes and later catches it up from the event window (or from its
 * initial state), as etcd does with unsynced watchers, so dispatch never waits for it.
 */
final class Watcher implements CacheWatch {
    private static final Logger LOG = LoggerFactory.getLogger(Watcher.class);
    /** Events a drain delivers before yielding its thread to other watchers. */
    private static final int DRAIN_BATCH = 256;

    private final long id;
    private final KeyRange range;
    private final ByteString start;
    private final ByteString end;
    private final Predicate<KeyValue> predicate;
    private final boolean wholeCache;
    final boolean bookmarks;
    final boolean initialEvents;
    final long afterRevision;
    private final Consumer<CacheEvent> listener;
    private final Executor executor;
    private final Consumer<Watcher> catchUpRequest;
    private final LongSupplier nanoTime;
    final WatchBuffer buffer;
    private volatile long lastTakenNanos;

    /** dispatcher: every matching change up to here is buffered (read by other threads for end events). */
    volatile long deliveredThrough;
    /** dispatcher (read by the drain loop): the buffer had no room; catch up from the window. */
    volatile boolean lagging;
    /** dispatcher (read by close): the rest of the initial state still to deliver, or null. */
    volatile Iterator<KeyValue> initialState;
    /** dispatcher: when it last became lagging. */
    private long laggingSinceNanos;

    Watcher(long id, KeyRange range, boolean wholeCache, WatchOptions options, Consumer<CacheEvent> listener,
            Executor executor, int bufferSize, Consumer<Watcher> catchUpRequest, LongSupplier nanoTime) {
        this.id = id;
        this.range = range;
        this.start = range.start();
        this.end = range.end();
        this.wholeCache = wholeCache;
        this.bookmarks = options.bookmarks();
        this.initialEvents = options.initialEvents();
        this.afterRevision = options.afterRevision();
        this.predicate = options.predicate();
        this.listener = listener;
        this.executor = executor;
        this.catchUpRequest = catchUpRequest;
        this.nanoTime = nanoTime;
        this.buffer = new WatchBuffer(bufferSize);
        this.lastTakenNanos = nanoTime.getAsLong();
    }

    @Override
    public long id() {
        return id;
    }

    @Override
    public void close() {
        end(CacheEvent.EndReason.CLOSED, "closed by the consumer");
    }

    boolean isEnded() {
        return buffer.isEnded();
    }

    KeyRange range() {
        return range;
    }

    /** Dispatcher: its buffer had no room; it is skipped by dispatch until caught up. */
    void startLagging() {
        lagging = true;
        laggingSinceNanos = nanoTime.getAsLong();
    }

    /** Dispatcher: whether it has lagged and its consumer has taken nothing for longer than {@code timeoutNanos}. */
    boolean stuckFor(long timeoutNanos) {
        long now = nanoTime.getAsLong();
        return lagging && now - laggingSinceNanos > timeoutNanos && now - lastTakenNanos > timeoutNanos;
    }

    boolean matches(KeyValue kv) {
        return KeyRanges.contains(start, end, kv.key()) && test(kv);
    }

    /** The caller's predicate; one that throws ends this watch (and only this one), it never stops dispatch. */
    private boolean test(KeyValue kv) {
        try {
            return predicate.test(kv);
        } catch (RuntimeException e) {
            LOG.warn("watch " + id + ": predicate failed; ending the watch", e);
            end(CacheEvent.EndReason.LISTENER_FAILED, "predicate threw " + e);
            return false;
        }
    }

    /**
     * This watcher's events for one revision's changes: the unfiltered events when it sees the whole cache
     * unfiltered ({@code shared} when given, so that many watchers share one list), otherwise what its range
     * and predicate make of them.
     */
    List<CacheEvent> select(List<Change> changes, List<CacheEvent> shared) {
        if (wholeCache) {
            return shared != null ? shared : Dispatcher.events(changes);
        }
        List<CacheEvent> selected = null;
        for (int i = 0; i < changes.size(); i++) {
            Change c = changes.get(i);
            if (!KeyRanges.contains(start, end, c.key())) {
                continue;
            }
            boolean now = c.current() != null && test(c.current());
            boolean before = c.previous() != null && test(c.previous());
            CacheEvent event;
            if (now && before) {
                event = CacheEvent.change(CacheEvent.Type.MODIFIED, c.current(), c.previous(), c.revision());
            } else if (now) {
                event = CacheEvent.change(CacheEvent.Type.ADDED, c.current(), null, c.revision());
            } else if (before) {
                event = CacheEvent.change(CacheEvent.Type.DELETED, c.previous(), c.previous(), c.revision());
            } else {
                continue;
            }
            if (selected == null) {
                selected = new ArrayList<>(2);
            }
            selected.add(event);
        }
        return selected == null ? List.of() : selected;
    }

    /** Buffers the batch (all or nothing); false when there was no room. An ended watch swallows it. */
    boolean offer(List<CacheEvent> batch) {
        WatchBuffer.Offer result = buffer.offer(batch);
        if (result == WatchBuffer.Offer.TAKEN_START_DRAIN) {
            scheduleDrain();
        }
        return result != WatchBuffer.Offer.FULL;
    }

    /** Ends the watch; the listener gets what is buffered, then the end event. No-op if already ended. */
    void end(CacheEvent.EndReason reason, String message) {
        long resume = initialState != null ? 0 : deliveredThrough;
        if (buffer.end(CacheEvent.ended(reason, message, resume)) == WatchBuffer.Offer.TAKEN_START_DRAIN) {
            scheduleDrain();
        }
    }

    private void scheduleDrain() {
        try {
            executor.execute(this::drain);
        } catch (RejectedExecutionException e) {
            LOG.debug("watch {}: delivery executor refused the drain", id);
        }
    }

    private void drain() {
        // an ended watch drains to its end in one go: the pool may be shutting down with the cache
        for (int i = 0; i < DRAIN_BATCH || buffer.isEnded(); i++) {
            CacheEvent next = buffer.poll();
            if (next == null) {
                requestCatchUpIfRoom();
                return;
            }
            lastTakenNanos = nanoTime.getAsLong();
            try {
                listener.accept(next);
            } catch (RuntimeException e) {
                LOG.warn("watch " + id + ": listener failed; ending the watch", e);
                end(CacheEvent.EndReason.LISTENER_FAILED, "listener threw " + e);
            }
            requestCatchUpIfRoom();
        }
        scheduleDrain(); // still marked draining: continue after other watchers had a turn
    }

    private void requestCatchUpIfRoom() {
        if (buffer.roomAfterRefusal()) {
            catchUpRequest.accept(this);
        }
    }

}
