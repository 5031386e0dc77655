package io.keelson.watch;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;

/** A watch listener for tests: keeps every event and waits for the ones a test expects. */
final class Recorder implements Consumer<CacheEvent> {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private final LinkedBlockingQueue<CacheEvent> events = new LinkedBlockingQueue<>();

    @Override
    public void accept(CacheEvent event) {
        events.add(event);
    }

    /** The next event; fails the test after a generous wait. */
    CacheEvent next() {
        try {
            CacheEvent e = events.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            if (e == null) {
                throw new AssertionError("no watch event within " + WAIT);
            }
            return e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Events up to and including the first that {@code last} accepts. */
    List<CacheEvent> until(Predicate<CacheEvent> last) {
        List<CacheEvent> seen = new ArrayList<>();
        while (true) {
            CacheEvent e = next();
            seen.add(e);
            if (last.test(e)) {
                return seen;
            }
        }
    }

    /** The next {@code n} changes (bookmarks skipped). */
    List<CacheEvent> changes(int n) {
        List<CacheEvent> seen = new ArrayList<>();
        while (seen.size() < n) {
            CacheEvent e = next();
            if (e.isChange()) {
                seen.add(e);
            } else if (e.type() == CacheEvent.Type.ENDED) {
                throw new AssertionError("watch ended after " + seen + ": " + e);
            }
        }
        return seen;
    }
}
