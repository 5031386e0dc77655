package io.keelson.kernel.events;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * When to report events dropped from a full queue: the first drop at once, then at most one report per interval
 * with the drops since the last one. At a thousand pods a second a line per dropped event buried everything else in
 * the log.
 */
final class DropReports {
    static final Duration INTERVAL = Duration.ofSeconds(10);

    private final Clock clock;
    private long total; // guarded by this
    private long reported;
    private Instant lastReport;

    DropReports(Clock clock) {
        this.clock = clock;
    }

    /** Counts one drop; returns how many drops to report now (this one included), or 0 to stay quiet. */
    synchronized long drop() {
        total++;
        Instant now = clock.instant();
        if (lastReport != null && now.isBefore(lastReport.plus(INTERVAL))) {
            return 0;
        }
        lastReport = now;
        return unreported();
    }

    /** The drops not reported yet, now counted as reported. */
    synchronized long unreported() {
        long n = total - reported;
        reported = total;
        return n;
    }

    synchronized long total() {
        return total;
    }
}
