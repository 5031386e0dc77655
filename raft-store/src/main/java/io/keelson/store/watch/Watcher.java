package io.keelson.store.watch;

import com.google.protobuf.ByteString;
import io.keelson.store.Event;
import io.keelson.store.KeyRanges;
import io.keelson.store.Watch;
import io.keelson.store.WatchRequest;
import io.keelson.store.WatchResponse;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * One watch. Kept small on purpose (no preallocated buffers): an idle watcher is a few fields.
 * The hub's lock guards {@link #group}, {@link #nextRevision} and {@link #progressRequested}; this
 * object's monitor guards the pending responses and {@link #scheduled}.
 */
final class Watcher implements Watch {
    /** Which group of the hub the watcher is in. */
    enum Group { SYNCED, LAGGING, CANCELED }

    final long id;
    final ByteString key;
    final ByteString rangeEnd;
    private final byte flags;
    final Consumer<WatchResponse> listener;
    private final WatchHub hub;

    // guarded by the hub lock
    Group group;
    long nextRevision;
    boolean progressRequested;
    boolean sentSinceTick;

    // guarded by this
    private ArrayDeque<WatchResponse> pending;
    private boolean scheduled;

    private static final byte PREV_KV = 1;
    private static final byte NO_PUT = 2;
    private static final byte NO_DELETE = 4;
    private static final byte PROGRESS_NOTIFY = 8;

    Watcher(long id, WatchRequest request, Consumer<WatchResponse> listener, WatchHub hub) {
        this.id = id;
        this.key = request.key();
        this.rangeEnd = request.rangeEnd();
        this.flags = (byte) ((request.prevKv() ? PREV_KV : 0) | (request.noPut() ? NO_PUT : 0)
                | (request.noDelete() ? NO_DELETE : 0) | (request.progressNotify() ? PROGRESS_NOTIFY : 0));
        this.listener = listener;
        this.hub = hub;
    }

    boolean isRange() {
        return !rangeEnd.isEmpty();
    }

    boolean progressNotify() {
        return (flags & PROGRESS_NOTIFY) != 0;
    }

    /** The events of {@code events} this watcher wants, shaped as it asked (without prev_kv unless asked). */
    List<Event> select(List<Event> events) {
        List<Event> out = null;
        for (Event e : events) {
            if (!KeyRanges.contains(key, rangeEnd, e.kv().key()) || e.revision() < nextRevision) {
                continue;
            }
            if (e.type() == Event.Type.PUT ? (flags & NO_PUT) != 0 : (flags & NO_DELETE) != 0) {
                continue;
            }
            if (out == null) {
                out = new ArrayList<>();
            }
            out.add((flags & PREV_KV) != 0 || e.prevKv() == null ? e : new Event(e.type(), e.kv(), null));
        }
        return out == null ? List.of() : out;
    }

    /**
     * Queues a response unless {@code bounded} and {@code limit} responses already wait.
     *
     * @return {@link #OFFER_FULL} if nothing was queued, {@link #OFFER_QUEUED} if a drain is already
     *         scheduled, {@link #OFFER_SCHEDULE} if the caller must schedule one
     */
    synchronized int offer(WatchResponse response, boolean bounded, int limit) {
        if (pending == null) {
            pending = new ArrayDeque<>(4);
        }
        if (bounded && pending.size() >= limit) {
            return OFFER_FULL;
        }
        pending.add(response);
        if (scheduled) {
            return OFFER_QUEUED;
        }
        scheduled = true;
        return OFFER_SCHEDULE;
    }

    static final int OFFER_FULL = 0;
    static final int OFFER_QUEUED = 1;
    static final int OFFER_SCHEDULE = 2;

    synchronized int pendingCount() {
        return pending == null ? 0 : pending.size();
    }

    /**
     * Delivers queued responses in order; runs on one dispatch thread at a time. Returns true if it
     * stopped after {@code limit} responses with more waiting (the caller reschedules it, so that one
     * busy watcher does not keep a dispatch thread from the others).
     */
    boolean drain(int limit) {
        for (int delivered = 0; ; delivered++) {
            WatchResponse next;
            synchronized (this) {
                next = pending == null ? null : pending.poll();
                if (next == null) {
                    pending = null; // idle watchers keep no buffer
                    scheduled = false;
                    return false;
                }
            }
            if (delivered == limit) {
                synchronized (this) {
                    pending.addFirst(next);
                }
                return true;
            }
            try {
                listener.accept(next);
            } catch (RuntimeException e) {
                hub.cancel(this, "watch listener failed: " + e);
            }
        }
    }

    @Override
    public long id() {
        return id;
    }

    @Override
    public void requestProgress() {
        hub.requestProgress(this);
    }

    @Override
    public void close() {
        hub.cancel(this, "watch canceled by the client");
    }
}
