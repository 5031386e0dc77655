package io.keelson.kernel.node;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * What the simulated nodes have to do and when, on the injected clock: lease renewals, status reports, pod
 * transitions. One entry per key (a later {@link #at} for the same key replaces the earlier one), so thousands of
 * nodes cost one queue, not a timer each. Whoever drives it calls {@link #takeDue} with the clock's time: a thread
 * in production, the test itself with a fake clock.
 */
final class Agenda {
    private record Entry(Instant due, long seq, String key, Runnable task) {
    }

    private final Clock clock;
    private final PriorityQueue<Entry> queue = new PriorityQueue<>((a, b) -> {
        int c = a.due().compareTo(b.due());
        return c != 0 ? c : Long.compare(a.seq(), b.seq());
    });
    private final Map<String, Entry> byKey = new HashMap<>();
    private long seq;

    Agenda(Clock clock) {
        this.clock = clock;
    }

    /** Runs {@code task} at {@code due} (at once if that has passed), replacing what {@code key} had planned. */
    synchronized void at(String key, Instant due, Runnable task) {
        Entry e = new Entry(due, seq++, key, task);
        byKey.put(key, e);
        queue.add(e);
        notifyAll();
    }

    /** Runs {@code task} after {@code delay} from now on the clock. */
    void after(String key, Duration delay, Runnable task) {
        at(key, clock.instant().plus(delay), task);
    }

    /** Forgets what {@code key} had planned. */
    synchronized void cancel(String key) {
        byKey.remove(key);
    }

    /** Forgets everything planned under keys starting with {@code prefix}. */
    synchronized void cancelAll(String prefix) {
        byKey.keySet().removeIf(k -> k.startsWith(prefix));
    }

    /** The next task due by now on the clock, removed from the agenda; null if none is. */
    synchronized Runnable takeDue() {
        Instant now = clock.instant();
        while (!queue.isEmpty() && !queue.peek().due().isAfter(now)) {
            Entry e = queue.poll();
            if (byKey.get(e.key()) == e) { // not replaced or cancelled since
                byKey.remove(e.key());
                return e.task();
            }
        }
        return null;
    }

    /** How long until the next entry is due on the clock (zero if one is), or {@code max} if sooner or none. */
    synchronized Duration untilNext(Duration max) {
        while (!queue.isEmpty() && byKey.get(queue.peek().key()) != queue.peek()) {
            queue.poll();
        }
        if (queue.isEmpty()) {
            return max;
        }
        Duration d = Duration.between(clock.instant(), queue.peek().due());
        return d.isNegative() ? Duration.ZERO : d.compareTo(max) > 0 ? max : d;
    }

    /** Waits up to {@code max} for a new entry (the driver thread, between due times). */
    synchronized void awaitChange(Duration max) throws InterruptedException {
        if (!max.isZero()) {
            wait(Math.max(1, max.toMillis()));
        }
    }

    synchronized int size() {
        return byKey.size();
    }
}
