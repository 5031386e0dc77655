package io.keelson.kernel.controller;

import java.time.Duration;
import java.util.Objects;

/**
 * What a {@link Reconciler} asks for next.
 *
 * @param requeued whether to reconcile the key again
 * @param delay    when requeued: after this long (zero: with the queue's back-off, as after a failure)
 */
public record Result(boolean requeued, Duration delay) {
    private static final Result DONE = new Result(false, Duration.ZERO);
    private static final Result REQUEUE = new Result(true, Duration.ZERO);

    public Result {
        Objects.requireNonNull(delay, "delay");
        if (delay.isNegative()) {
            throw new IllegalArgumentException("delay must not be negative: " + delay);
        }
    }

    /** Reconciled: nothing to do until the object (or what it watches) changes. */
    public static Result done() {
        return DONE;
    }

    /** Not finished: again, with back-off. */
    public static Result requeue() {
        return REQUEUE;
    }

    /** Again after {@code delay} (the back-off is reset). */
    public static Result requeueAfter(Duration delay) {
        return new Result(true, delay);
    }
}
