package io.keelson.kernel.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

/** A clock that moves only when told to: the time a {@link SimulatedCluster}'s nodes and controllers go by. */
public final class ManualClock extends Clock {
    private final AtomicReference<Instant> now;

    /** A clock at {@code start}. */
    public ManualClock(Instant start) {
        this.now = new AtomicReference<>(start);
    }

    /** Moves the clock forward; a negative duration is refused (time here never goes back). */
    public void advance(Duration d) {
        if (d.isNegative()) {
            throw new IllegalArgumentException("the clock does not go back: " + d);
        }
        now.updateAndGet(t -> t.plus(d));
    }

    @Override
    public Instant instant() {
        return now.get();
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        if (zone.equals(ZoneOffset.UTC)) {
            return this;
        }
        throw new UnsupportedOperationException("a manual clock is in UTC");
    }
}
