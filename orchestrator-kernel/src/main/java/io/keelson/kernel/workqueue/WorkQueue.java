package io.keelson.kernel.workqueue;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * A controller's work queue, with client-go's contract ({@code util/workqueue}):
 * <ul>
 *   <li>an item added while it waits is not added twice (repeated adds merge);</li>
 *   <li>an item being processed (taken and not yet {@link #done}) is never handed to a second worker; added
 *       meanwhile, it is handed out again after {@code done};</li>
 *   <li>{@link #addAfter} and {@link #addRateLimited} delay an add; the rate limiter decides how long;</li>
 *   <li>{@link #done(Object, Duration)} rests an item: added during its rest, it is handed out when the rest is
 *       over (and it counts as pending meanwhile);</li>
 *   <li>{@link #shutDown} wakes every waiting worker; {@link #take} then returns null.</li>
 * </ul>
 * Items must have value equality. Time comes from the injected clock; a delayed item becomes ready once the clock
 * has passed its time (checked at least every {@link #POLL} of real time, so a fake clock works too).
 */
public final class WorkQueue<T> implements AutoCloseable {
    /** The longest a waiting worker sleeps before it checks the delayed items against the clock again. */
    static final Duration POLL = Duration.ofMillis(50);

    /** An add due at {@code readyAt}, or (with {@code restEnd}) the end of the item's rest. */
    private record Delayed<T>(long readyAt, long sequence, T item, boolean restEnd) {
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final RateLimiter<T> rateLimiter;
    private final LongSupplier nanoTime;
    /** Items ready to hand out, in order; each is also in {@code dirty}. guarded by lock */
    private final ArrayDeque<T> queue = new ArrayDeque<>();
    /** Items that need processing: queued, or re-added while processing. guarded by lock */
    private final Set<T> dirty = new HashSet<>();
    /** Items handed out and not yet done. guarded by lock */
    private final Set<T> processing = new HashSet<>();
    /** guarded by lock */
    private final PriorityQueue<Delayed<T>> delayed = new PriorityQueue<>(
            (a, b) -> a.readyAt != b.readyAt ? Long.compare(a.readyAt, b.readyAt) : Long.compare(a.sequence, b.sequence));
    /** Items resting after {@link #done(Object, Duration)}: not handed out before the rest is over. guarded by lock */
    private final Set<T> resting = new HashSet<>();
    /** guarded by lock */
    private long sequence;
    /** guarded by lock */
    private boolean shuttingDown;

    private WorkQueue(RateLimiter<T> rateLimiter, LongSupplier nanoTime) {
        this.rateLimiter = rateLimiter;
        this.nanoTime = nanoTime;
    }

    /** A queue with client-go's default controller rate limiter on the given clock. */
    public static <T> WorkQueue<T> create(LongSupplier nanoTime) {
        return new WorkQueue<>(RateLimiter.controllerDefault(nanoTime), nanoTime);
    }

    /** A queue with its own rate limiter. */
    public static <T> WorkQueue<T> create(RateLimiter<T> rateLimiter, LongSupplier nanoTime) {
        return new WorkQueue<>(Objects.requireNonNull(rateLimiter), Objects.requireNonNull(nanoTime));
    }

    /** Marks the item as needing processing; ignored after shutdown. */
    public void add(T item) {
        Objects.requireNonNull(item, "item");
        lock.lock();
        try {
            addLocked(item);
        } finally {
            lock.unlock();
        }
    }

    private void addLocked(T item) {
        if (shuttingDown || !dirty.add(item)) {
            return;
        }
        if (!processing.contains(item) && !resting.contains(item)) {
            queue.addLast(item);
            changed.signal();
        }
    }

    /** Adds the item once {@code delay} has passed on the queue's clock. */
    public void addAfter(T item, Duration delay) {
        Objects.requireNonNull(item, "item");
        if (delay.isNegative() || delay.isZero()) {
            add(item);
            return;
        }
        lock.lock();
        try {
            if (shuttingDown) {
                return;
            }
            delayed.add(new Delayed<>(nanoTime.getAsLong() + delay.toNanos(), sequence++, item, false));
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Adds the item after the rate limiter's delay for it (a failure of it). */
    public void addRateLimited(T item) {
        addAfter(item, rateLimiter.when(item));
    }

    /** Forgets the item's failures (its next failure waits the shortest delay again). */
    public void forget(T item) {
        rateLimiter.forget(item);
    }

    public int numRequeues(T item) {
        return rateLimiter.numRequeues(item);
    }

    /**
     * The next item to process, waiting for one; null once the queue is shut down (and, with
     * {@link #shutDownWithDrain}, empty). The caller must call {@link #done} with it.
     */
    public T take() throws InterruptedException {
        lock.lock();
        try {
            while (true) {
                promoteDelayedLocked();
                if (!queue.isEmpty()) {
                    return handOutLocked();
                }
                if (shuttingDown) {
                    return null;
                }
                long wait = POLL.toNanos();
                if (!delayed.isEmpty()) {
                    wait = Math.max(1, Math.min(wait, delayed.peek().readyAt - nanoTime.getAsLong()));
                }
                changed.awaitNanos(wait);
            }
        } finally {
            lock.unlock();
        }
    }

    /** The next ready item without waiting, or null. The caller must call {@link #done} with it. */
    public T poll() {
        lock.lock();
        try {
            promoteDelayedLocked();
            return queue.isEmpty() ? null : handOutLocked();
        } finally {
            lock.unlock();
        }
    }

    private T handOutLocked() {
        T item = queue.pollFirst();
        processing.add(item);
        dirty.remove(item);
        return item;
    }

    private void promoteDelayedLocked() {
        long now = nanoTime.getAsLong();
        while (!delayed.isEmpty() && delayed.peek().readyAt <= now) {
            Delayed<T> d = delayed.poll();
            if (!d.restEnd) {
                addLocked(d.item);
            } else if (resting.remove(d.item) && dirty.contains(d.item)) {
                queue.addLast(d.item);
                changed.signal();
            }
        }
    }

    /** The item's processing is over; if it was added meanwhile, it is queued again. Ignored for other items. */
    public void done(T item) {
        done(item, Duration.ZERO);
    }

    /**
     * The item's processing is over, and it rests for {@code rest} on the queue's clock: added meanwhile or during
     * the rest, it is handed out once the rest is over, and until then the queue is not idle. Lets a controller
     * whose reconcile of one key is expensive fold the changes that arrive while it works into one more reconcile
     * instead of reconciling back to back. Ignored for items not being processed.
     */
    public void done(T item, Duration rest) {
        lock.lock();
        try {
            if (!processing.remove(item)) {
                return;
            }
            if (!rest.isNegative() && !rest.isZero() && !shuttingDown) {
                resting.add(item);
                delayed.add(new Delayed<>(nanoTime.getAsLong() + rest.toNanos(), sequence++, item, true));
                changed.signalAll();
            } else if (dirty.contains(item)) {
                queue.addLast(item);
                changed.signal();
            } else if (processing.isEmpty()) {
                changed.signalAll(); // a draining shutDown waits for this
            }
        } finally {
            lock.unlock();
        }
    }

    /** Items ready to be taken (not counting delayed or processing ones). */
    public int length() {
        lock.lock();
        try {
            return queue.size();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Nothing is queued or being processed (items added with a delay that has not run out do not count): what a
     * test driving a fake clock waits for before it moves the clock.
     */
    public boolean isIdle() {
        lock.lock();
        try {
            promoteDelayedLocked();
            return dirty.isEmpty() && processing.isEmpty();
        } finally {
            lock.unlock();
        }
    }

    /** Stops accepting items and wakes every worker: {@link #take} returns null from now on. */
    public void shutDown() {
        lock.lock();
        try {
            shuttingDown = true;
            queue.clear();
            dirty.clear();
            delayed.clear();
            resting.clear();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Stops accepting items, lets the workers finish what is queued and being processed, and waits (at most
     * {@code timeout}) until they have.
     *
     * @return whether everything was processed in time
     */
    public boolean shutDownWithDrain(Duration timeout) throws InterruptedException {
        lock.lock();
        try {
            shuttingDown = true;
            delayed.clear();
            for (T item : resting) { // work waiting only for its rest to end is drained too
                if (dirty.contains(item)) {
                    queue.addLast(item);
                }
            }
            resting.clear();
            changed.signalAll();
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!queue.isEmpty() || !processing.isEmpty()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                changed.await(Math.min(left, POLL.toNanos()), TimeUnit.NANOSECONDS);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    public boolean isShuttingDown() {
        lock.lock();
        try {
            return shuttingDown;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        shutDown();
    }
}
