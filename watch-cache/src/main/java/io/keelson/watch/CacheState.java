package io.keelson.watch;

import com.google.protobuf.ByteString;
import io.keelson.store.Event;
import io.keelson.store.KeyRanges;
import io.keelson.store.KeyValue;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Predicate;

/**
 * The cache's materialised state: current objects by key, the event window, and the cache revision (every
 * change up to it is applied). Only the dispatcher thread writes, under the write lock; lists read under the
 * read lock, so a page is a consistent cut at one revision. The dispatcher reads without the lock.
 */
final class CacheState {
    static final Comparator<ByteString> KEY_ORDER = KeyRanges.ORDER;
    /** Marks, in a rolled-back view, a key that did not exist at the view's revision. */
    private static final KeyValue ABSENT = KeyValue.tombstone(ByteString.copyFromUtf8("absent"), 0);

    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final ReentrantLock progressLock = new ReentrantLock();
    private final Condition advanced = progressLock.newCondition();
    private final AtomicInteger waiters = new AtomicInteger();
    private final java.util.function.LongSupplier nanoTime;

    /** guarded by lock */
    private TreeMap<ByteString, KeyValue> objects = new TreeMap<>(KEY_ORDER);
    /** guarded by lock */
    private final EventWindow window;
    /** written under lock */
    private volatile long revision;
    private volatile boolean closed;

    CacheState(EventWindow window, java.util.function.LongSupplier nanoTime) {
        this.window = window;
        this.nanoTime = nanoTime;
    }

    long revision() {
        return revision;
    }

    /** Dispatcher only (it is the writer, so it reads without the lock). */
    EventWindow window() {
        return window;
    }

    /** Dispatcher only: the matching current objects, in key order. */
    List<KeyValue> snapshot(KeyRange range, Predicate<KeyValue> predicate) {
        List<KeyValue> result = new ArrayList<>();
        for (KeyValue kv : view(objects, range, null).values()) {
            if (predicate.test(kv)) {
                result.add(kv);
            }
        }
        return result;
    }

    /** Dispatcher: applies the events of one revision and records them in the window. */
    List<Change> apply(long rev, List<Event> events) {
        List<Change> changes = new ArrayList<>(events.size());
        long now = nanoTime.getAsLong();
        lock.writeLock().lock();
        try {
            for (Event e : events) {
                ByteString key = e.kv().key();
                KeyValue previous = e.type() == Event.Type.PUT ? objects.put(key, e.kv()) : objects.remove(key);
                if (previous == null && e.type() == Event.Type.DELETE) {
                    continue; // nothing was deleted (no source sends this, but a consumer would trip on it)
                }
                Change change = new Change(rev, key, e.type() == Event.Type.PUT ? e.kv() : null, previous, now);
                changes.add(change);
                window.append(change);
            }
            revision = Math.max(revision, rev);
        } finally {
            lock.writeLock().unlock();
        }
        signalWaiters();
        return changes;
    }

    /** Dispatcher: every change up to {@code rev} is applied (a progress notification). */
    /** The key's current object, or null. */
    KeyValue current(ByteString key) {
        lock.readLock().lock();
        try {
            return objects.get(key);
        } finally {
            lock.readLock().unlock();
        }
    }

    void advanceTo(long rev) {
        if (rev <= revision) {
            return;
        }
        lock.writeLock().lock();
        try {
            revision = Math.max(revision, rev);
        } finally {
            lock.writeLock().unlock();
        }
        signalWaiters();
    }

    /**
     * Dispatcher: replaces the state with a fresh list at {@code rev} and returns what changed, each as a
     * change at {@code rev}. The window restarts after {@code rev}.
     */
    List<Change> replace(TreeMap<ByteString, KeyValue> fresh, long rev) {
        List<Change> diff = new ArrayList<>();
        long now = nanoTime.getAsLong();
        Iterator<KeyValue> before = objects.values().iterator();
        Iterator<KeyValue> after = fresh.values().iterator();
        KeyValue b = next(before);
        KeyValue a = next(after);
        while (a != null || b != null) {
            int cmp = a == null ? 1 : b == null ? -1 : KEY_ORDER.compare(a.key(), b.key());
            if (cmp < 0) {
                diff.add(new Change(rev, a.key(), a, null, now));
                a = next(after);
            } else if (cmp > 0) {
                diff.add(new Change(rev, b.key(), null, b, now));
                b = next(before);
            } else {
                if (a.modRevision() != b.modRevision()) {
                    diff.add(new Change(rev, a.key(), a, b, now));
                }
                a = next(after);
                b = next(before);
            }
        }
        lock.writeLock().lock();
        try {
            objects = fresh;
            window.reset(rev);
            revision = rev;
        } finally {
            lock.writeLock().unlock();
        }
        signalWaiters();
        return diff;
    }

    /**
     * One page of matching objects in {@code range} as of {@code atRevision} (0: the cache revision), after
     * key {@code after} (exclusive; null from the start). A past revision is rebuilt by rolling the changes
     * the window holds after it back; one the window no longer covers is gone.
     */
    CacheList page(KeyRange range, Predicate<KeyValue> predicate, int limit, long atRevision, ByteString after) {
        lock.readLock().lock();
        try {
            long at = atRevision == 0 ? revision : atRevision;
            if (at > revision) {
                throw new IllegalArgumentException("continue token revision " + at + " is ahead of the cache");
            }
            if (at < window.evictedThrough()) {
                throw new WatchCacheException.GoneException(at, window.evictedThrough());
            }
            NavigableMap<ByteString, KeyValue> rolledBack = new TreeMap<>(KEY_ORDER);
            for (int i = window.firstAfter(at); i < window.size(); i++) {
                Change c = window.get(i);
                if (io.keelson.store.KeyRanges.contains(range.start(), range.end(), c.key())) {
                    rolledBack.putIfAbsent(c.key(), c.previous() == null ? ABSENT : c.previous());
                }
            }
            List<KeyValue> items = new ArrayList<>();
            boolean more = false;
            Iterator<Map.Entry<ByteString, KeyValue>> current = view(objects, range, after).entrySet().iterator();
            Iterator<Map.Entry<ByteString, KeyValue>> past = view(rolledBack, range, after).entrySet().iterator();
            Map.Entry<ByteString, KeyValue> c = next(current);
            Map.Entry<ByteString, KeyValue> p = next(past);
            while (c != null || p != null) {
                int cmp = c == null ? 1 : p == null ? -1 : KEY_ORDER.compare(c.getKey(), p.getKey());
                KeyValue kv;
                if (cmp < 0) {
                    kv = c.getValue();
                    c = next(current);
                } else {
                    kv = p.getValue(); // the rolled-back version wins over the current one
                    p = next(past);
                    if (cmp == 0) {
                        c = next(current);
                    }
                }
                if (kv == ABSENT || !predicate.test(kv)) {
                    continue;
                }
                if (limit > 0 && items.size() == limit) {
                    more = true;
                    break;
                }
                items.add(kv);
            }
            String token = more ? ContinueToken.encode(at, items.get(items.size() - 1).key(), range.start()) : null;
            return new CacheList(items, at, token);
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * Blocks until the cache revision reaches {@code target}, calling {@code nudge} (a progress request to
     * the source) at once and every 100 ms while it waits.
     */
    void awaitRevision(long target, java.time.Duration timeout, Runnable nudge) {
        if (revision >= target) {
            return;
        }
        long deadline = nanoTime.getAsLong() + timeout.toNanos();
        waiters.incrementAndGet();
        try {
            while (revision < target) {
                if (closed) {
                    throw new WatchCacheException.UnavailableException("the watch cache is closed", null);
                }
                long left = deadline - nanoTime.getAsLong();
                if (left <= 0) {
                    throw new WatchCacheException.RevisionTimeoutException(target, revision, timeout);
                }
                nudge.run();
                progressLock.lock();
                try {
                    if (revision < target && !closed) {
                        advanced.awaitNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)));
                    }
                } finally {
                    progressLock.unlock();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WatchCacheException.UnavailableException("interrupted while waiting for revision " + target, e);
        } finally {
            waiters.decrementAndGet();
        }
    }

    void close() {
        closed = true;
        progressLock.lock();
        try {
            advanced.signalAll();
        } finally {
            progressLock.unlock();
        }
    }

    private void signalWaiters() {
        if (waiters.get() > 0) {
            progressLock.lock();
            try {
                advanced.signalAll();
            } finally {
                progressLock.unlock();
            }
        }
    }

    private static NavigableMap<ByteString, KeyValue> view(NavigableMap<ByteString, KeyValue> map, KeyRange range,
                                                           ByteString after) {
        NavigableMap<ByteString, KeyValue> tail = after == null ? map.tailMap(range.start(), true)
                : map.tailMap(after, false);
        return range.openEnded() ? tail : tail.headMap(range.end(), false);
    }

    private static <T> T next(Iterator<T> it) {
        return it.hasNext() ? it.next() : null;
    }
}
