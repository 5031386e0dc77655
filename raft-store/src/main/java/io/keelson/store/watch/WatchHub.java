package io.keelson.store.watch;

import io.keelson.store.ErrorCode;
import io.keelson.store.Event;
import io.keelson.store.ResponseHeader;
import io.keelson.store.StoreException;
import io.keelson.store.Watch;
import io.keelson.store.WatchRequest;
import io.keelson.store.WatchResponse;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.LongFunction;

/**
 * The store's revisioned watches, with etcd's design: watchers are either <em>synced</em> (fed
 * directly by the apply thread, indexed by key and range) or <em>lagging</em> (behind: fed from the
 * MVCC history in batches by a catch-up task until they reach the head, then synced again).
 *
 * <p>A watch that starts at a past revision is also lagging until it reaches the head; the latest
 * changes are kept in a bounded in-memory window, so recent replays do not touch the database.
 *
 * <p>Writers never wait for watchers: the apply thread only appends to a watcher's bounded queue;
 * a watcher whose queue is full is moved to the lagging group at the first revision it missed. A
 * lagging watcher whose next revision has been compacted is canceled with the compact revision.
 * Responses are delivered by a dispatch executor, one drain per watcher at a time, in order.
 *
 * <p>Lock discipline: {@link #lock} guards the groups, every watcher's group and next revision, and
 * {@link #lastPublished}; publishing and group moves happen under it, so a watcher is never fed by
 * both paths and sees each revision once.
 */
public final class WatchHub implements AutoCloseable {
    /** Where lagging watchers read missed changes from. */
    public interface History {
        /** Changes of revisions {@code [from, to]}; throws {@link StoreException.CompactedException}. */
        List<Event> events(long from, long to);

        long compactRevision();
    }

    /** Tuning; {@link #defaults()} follows etcd. */
    public record Settings(int maxPendingResponses, int catchUpRevisions, int catchUpWatchersPerPass,
                           Duration catchUpInterval, Duration progressInterval, int recentEvents) {
        public static Settings defaults() {
            return new Settings(128, 1000, 512, Duration.ofMillis(100), Duration.ofMinutes(10), 10_000);
        }

        public Settings withProgressInterval(Duration interval) {
            return new Settings(maxPendingResponses, catchUpRevisions, catchUpWatchersPerPass, catchUpInterval,
                    interval, recentEvents);
        }
    }

    private final History history;
    private final LongFunction<ResponseHeader> headers;
    private final Executor dispatch;
    private final Settings settings;
    private final ReentrantLock lock = new ReentrantLock();
    // guarded by lock
    private final WatcherIndex synced = new WatcherIndex();
    private final Set<Watcher> lagging = new LinkedHashSet<>();
    private long lastPublished;
    // the latest events in revision order, so recent replays need no database read; every revision
    // from recentFrom to lastPublished is complete in it
    private final ArrayDeque<Event> recent = new ArrayDeque<>();
    private long recentFrom;
    private long nextId = 1;
    private boolean closed;
    private final ScheduledFuture<?> catchUp;
    private final ScheduledFuture<?> progress;

    public WatchHub(History history, long currentRevision, LongFunction<ResponseHeader> headers, Executor dispatch,
                    ScheduledExecutorService scheduler, Settings settings) {
        this.history = history;
        this.headers = headers;
        this.dispatch = dispatch;
        this.settings = settings;
        this.lastPublished = currentRevision;
        this.recentFrom = currentRevision + 1;
        long catchUpMillis = settings.catchUpInterval().toMillis();
        this.catchUp = scheduler.scheduleWithFixedDelay(this::catchUpSafely, catchUpMillis, catchUpMillis,
                TimeUnit.MILLISECONDS);
        long progressMillis = settings.progressInterval().toMillis();
        this.progress = scheduler.scheduleWithFixedDelay(this::notifyProgress, progressMillis, progressMillis,
                TimeUnit.MILLISECONDS);
    }

    /** Registers a watch; its CREATED response is queued before anything else. */
    public Watch watch(WatchRequest request, Consumer<WatchResponse> listener) {
        lock.lock();
        try {
            Watcher w = new Watcher(nextId++, request, listener, this);
            enqueue(w, response(WatchResponse.Kind.CREATED, List.of()), false);
            if (closed) {
                cancelLocked(w, "store closed", 0);
                return w;
            }
            long start = request.startRevision();
            if (start == 0 || start > lastPublished) {
                w.nextRevision = start == 0 ? lastPublished + 1 : start;
                w.group = Watcher.Group.SYNCED;
                synced.add(w);
            } else {
                w.nextRevision = start;
                w.group = Watcher.Group.LAGGING;
                lagging.add(w);
                long compacted = history.compactRevision();
                if (start < compacted) {
                    cancelLocked(w, ErrorCode.COMPACTED.message(), compacted);
                }
            }
            return w;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Called by the apply thread after each applied entry with its changes (in revision order) and
     * the store revision after it. Never blocks on a watcher.
     */
    public void publish(List<Event> events, long revision) {
        lock.lock();
        try {
            if (!events.isEmpty() && synced.size() > 0) {
                Map<Watcher, Boolean> matched = new LinkedHashMap<>();
                for (Event e : events) {
                    synced.forEachMatch(e.kv().key(), w -> matched.put(w, Boolean.TRUE));
                }
                ResponseHeader header = headers.apply(revision);
                for (Watcher w : matched.keySet()) {
                    List<Event> selected = w.select(events);
                    if (selected.isEmpty()) {
                        continue;
                    }
                    WatchResponse r = new WatchResponse(header, WatchResponse.Kind.EVENTS, selected, 0, "");
                    if (enqueue(w, r, true)) {
                        w.nextRevision = revision + 1;
                    } else { // slow consumer: it catches up from history, starting where it missed
                        synced.remove(w);
                        w.group = Watcher.Group.LAGGING;
                        w.nextRevision = selected.get(0).revision();
                        lagging.add(w);
                    }
                }
            }
            remember(events);
            lastPublished = revision;
        } finally {
            lock.unlock();
        }
    }

    private void remember(List<Event> events) {
        recent.addAll(events);
        while (recent.size() > settings.recentEvents()) {
            recentFrom = recent.pollFirst().revision() + 1; // a partly dropped revision is not served from memory
        }
    }

    /** Changes of {@code [from, to]}: from the recent window when it holds them, else from the history. */
    private List<Event> eventsLocked(long from, long to) {
        if (from < recentFrom) {
            return history.events(from, to);
        }
        List<Event> out = new ArrayList<>();
        for (Event e : recent) { // the window is small; a revision-indexed lookup is not worth it
            if (e.revision() > to) {
                break;
            }
            if (e.revision() >= from) {
                out.add(e);
            }
        }
        return out;
    }

    /**
     * The member's state was replaced (snapshot installed): every synced watcher catches up from the
     * history of the new state, from the revision it expected next.
     */
    public void reset(long revision) {
        lock.lock();
        try {
            long expected = lastPublished + 1;
            List<Watcher> all = new ArrayList<>();
            synced.forEach(all::add);
            for (Watcher w : all) {
                synced.remove(w);
                w.group = Watcher.Group.LAGGING;
                w.nextRevision = Math.max(w.nextRevision, expected);
                lagging.add(w);
            }
            recent.clear();
            recentFrom = revision + 1;
            lastPublished = revision;
        } finally {
            lock.unlock();
        }
    }

    void requestProgress(Watcher w) {
        lock.lock();
        try {
            if (w.group == Watcher.Group.SYNCED) {
                enqueue(w, response(WatchResponse.Kind.PROGRESS, List.of()), false);
            } else if (w.group == Watcher.Group.LAGGING) {
                w.progressRequested = true; // answered once it is synced: a bookmark must not skip events
            }
        } finally {
            lock.unlock();
        }
    }

    void cancel(Watcher w, String reason) {
        lock.lock();
        try {
            cancelLocked(w, reason, 0);
        } finally {
            lock.unlock();
        }
    }

    private void cancelLocked(Watcher w, String reason, long compactRevision) {
        if (w.group == Watcher.Group.CANCELED) {
            return;
        }
        if (w.group == Watcher.Group.SYNCED) {
            synced.remove(w);
        } else {
            lagging.remove(w);
        }
        w.group = Watcher.Group.CANCELED;
        enqueue(w, new WatchResponse(headers.apply(lastPublished), WatchResponse.Kind.CANCELED, List.of(),
                compactRevision, reason), false);
    }

    /** Number of live watchers (synced and lagging). */
    public int size() {
        lock.lock();
        try {
            return synced.size() + lagging.size();
        } finally {
            lock.unlock();
        }
    }

    private WatchResponse response(WatchResponse.Kind kind, List<Event> events) {
        return new WatchResponse(headers.apply(lastPublished), kind, events, 0, "");
    }

    /** Queues for delivery; returns false (queues nothing) if bounded and the watcher's queue is full. */
    private boolean enqueue(Watcher w, WatchResponse r, boolean bounded) {
        int result = w.offer(r, bounded, settings.maxPendingResponses());
        if (result == Watcher.OFFER_FULL) {
            return false;
        }
        w.sentSinceTick = true;
        if (result == Watcher.OFFER_SCHEDULE) {
            schedule(w);
        }
        return true;
    }

    private static final int RESPONSES_PER_TURN = 64;

    private void schedule(Watcher w) {
        try {
            dispatch.execute(() -> {
                if (w.drain(RESPONSES_PER_TURN)) {
                    schedule(w); // more waiting: go to the back of the line
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException stopped) {
            w.drain(Integer.MAX_VALUE); // the member is shutting down: deliver the rest on this thread
        }
    }

    // ------------------------------------------------------------------ catch-up of lagging watchers

    private void catchUpSafely() {
        try {
            catchUp();
        } catch (RuntimeException e) {
            // a failing read (e.g. during shutdown) is retried on the next pass
        }
    }

    void catchUp() {
        List<Watcher> batch = new ArrayList<>();
        lock.lock();
        try {
            for (Watcher w : lagging) {
                if (batch.size() >= settings.catchUpWatchersPerPass()) {
                    break;
                }
                batch.add(w);
            }
        } finally {
            lock.unlock();
        }
        for (Watcher w : batch) {
            catchUp(w);
        }
    }

    private void catchUp(Watcher w) {
        if (w.pendingCount() > settings.maxPendingResponses() / 2) {
            return; // still draining what it has: try again next pass
        }
        long from;
        long head;
        lock.lock();
        try {
            if (w.group != Watcher.Group.LAGGING) {
                return;
            }
            from = w.nextRevision;
            head = lastPublished;
            if (from > head) {
                promoteLocked(w);
                return;
            }
            long compacted = history.compactRevision();
            if (from < compacted) {
                cancelLocked(w, ErrorCode.COMPACTED.message(), compacted);
                return;
            }
            if (from >= recentFrom) { // recent: serve it from memory right away
                if (deliverLocked(w, eventsLocked(from, head), head)) {
                    promoteLocked(w);
                }
                return;
            }
        } finally {
            lock.unlock();
        }
        long to = Math.min(head, from + settings.catchUpRevisions() - 1);
        List<Event> events;
        try {
            events = history.events(from, to);
        } catch (StoreException.CompactedException e) {
            cancelCompacted(w, e.compactRevision());
            return;
        }
        lock.lock();
        try {
            if (w.group != Watcher.Group.LAGGING || w.nextRevision != from) {
                return;
            }
            if (!deliverLocked(w, events, to)) {
                return;
            }
            long gap = lastPublished - w.nextRevision + 1;
            if (gap > 0 && gap <= settings.catchUpRevisions()) {
                // close the last small gap under the lock, so a busy writer cannot keep it open forever
                List<Event> rest;
                try {
                    rest = eventsLocked(w.nextRevision, lastPublished);
                } catch (StoreException.CompactedException e) {
                    cancelLocked(w, ErrorCode.COMPACTED.message(), e.compactRevision());
                    return;
                }
                if (!deliverLocked(w, rest, lastPublished)) {
                    return;
                }
            }
            if (w.nextRevision > lastPublished) {
                promoteLocked(w);
            }
        } finally {
            lock.unlock();
        }
    }

    private void cancelCompacted(Watcher w, long compactRevision) {
        lock.lock();
        try {
            cancelLocked(w, ErrorCode.COMPACTED.message(), compactRevision);
        } finally {
            lock.unlock();
        }
    }

    /** Queues the watcher's share of {@code events} (revisions up to {@code to}); false if its queue is full. */
    private boolean deliverLocked(Watcher w, List<Event> events, long to) {
        List<Event> selected = w.select(events);
        if (!selected.isEmpty()) {
            WatchResponse r = new WatchResponse(headers.apply(lastPublished), WatchResponse.Kind.EVENTS, selected, 0,
                    "");
            if (!enqueue(w, r, true)) {
                return false;
            }
        }
        w.nextRevision = to + 1;
        return true;
    }

    private void promoteLocked(Watcher w) {
        lagging.remove(w);
        w.group = Watcher.Group.SYNCED;
        synced.add(w);
        if (w.progressRequested) {
            w.progressRequested = false;
            enqueue(w, response(WatchResponse.Kind.PROGRESS, List.of()), false);
        }
    }

    // ------------------------------------------------------------------ progress notifications

    private void notifyProgress() {
        lock.lock();
        try {
            List<Watcher> idle = new ArrayList<>();
            synced.forEach(w -> {
                if (w.progressNotify() && !w.sentSinceTick) {
                    idle.add(w);
                }
                w.sentSinceTick = false;
            });
            for (Watcher w : idle) {
                enqueue(w, response(WatchResponse.Kind.PROGRESS, List.of()), false);
                w.sentSinceTick = false;
            }
        } finally {
            lock.unlock();
        }
    }

    /** Cancels every watch with {@code reason}; later watches are canceled at once. */
    public void close(String reason) {
        catchUp.cancel(false);
        progress.cancel(false);
        lock.lock();
        try {
            closed = true;
            List<Watcher> all = new ArrayList<>(lagging);
            synced.forEach(all::add);
            for (Watcher w : all) {
                cancelLocked(w, reason, 0);
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        close("store closed");
    }
}
