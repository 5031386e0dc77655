package io.keelson.watch;

import java.util.function.LongSupplier;

/**
 * The bounded window of recent changes, oldest first, that watches replay from. It holds every change with
 * a revision above {@link #evictedThrough()}, so a watch can resume after any revision at or above it.
 *
 * <p>Sizing follows the apiserver's watch cache: capacity starts at {@code minEvents}, doubles (up to
 * {@code maxEvents}) when the window is full while its oldest change is younger than {@code minHistoryNanos},
 * and halves again when the change a quarter from the newest is older than that. Not thread-safe: the
 * cache's dispatcher writes it under the cache's write lock; readers hold the read lock.
 */
final class EventWindow {
    private final int minEvents;
    private final int maxEvents;
    private final long minHistoryNanos;
    private final LongSupplier nanoTime;

    private Change[] ring;
    private int head; // index of the oldest change
    private int size;
    private long evictedThrough;

    EventWindow(int minEvents, int maxEvents, long minHistoryNanos, LongSupplier nanoTime) {
        this.minEvents = minEvents;
        this.maxEvents = maxEvents;
        this.minHistoryNanos = minHistoryNanos;
        this.nanoTime = nanoTime;
        this.ring = new Change[minEvents];
    }

    /** Every change with a revision at or below this one has left the window (or predates the last reset). */
    long evictedThrough() {
        return evictedThrough;
    }

    int size() {
        return size;
    }

    int capacity() {
        return ring.length;
    }

    /** The i-th change, oldest first. */
    Change get(int i) {
        return ring[(head + i) % ring.length];
    }

    /** Index of the first change with a revision above {@code revision} ({@link #size()} if none). */
    int firstAfter(long revision) {
        int lo = 0;
        int hi = size;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (get(mid).revision() <= revision) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    void append(Change change) {
        if (size == ring.length) {
            long now = nanoTime.getAsLong();
            if (ring.length < maxEvents && now - get(0).appendedNanos() < minHistoryNanos) {
                resize(Math.min(maxEvents, ring.length * 2));
            } else if (ring.length / 2 >= minEvents && now - get(size - 1 - size / 4).appendedNanos() > minHistoryNanos) {
                evictOldest(size - ring.length / 2 + 1);
                resize(ring.length / 2);
            } else {
                evictOldest(1);
            }
        }
        ring[(head + size) % ring.length] = change;
        size++;
    }

    /** Forgets every change; the window now starts after {@code revision}. */
    void reset(long revision) {
        ring = new Change[minEvents];
        head = 0;
        size = 0;
        evictedThrough = revision;
    }

    /** Evicts whole revisions, oldest first, until at least {@code count} changes are gone. */
    private void evictOldest(int count) {
        int evicted = 0;
        while (size > 0 && evicted < count) {
            // changes of one revision leave together, so evictedThrough never splits a revision
            long revision = get(0).revision();
            while (size > 0 && get(0).revision() == revision) {
                ring[head] = null;
                head = (head + 1) % ring.length;
                size--;
                evicted++;
            }
            evictedThrough = revision;
        }
    }

    private void resize(int capacity) {
        Change[] next = new Change[capacity];
        for (int i = 0; i < size; i++) {
            next[i] = get(i);
        }
        ring = next;
        head = 0;
    }
}
