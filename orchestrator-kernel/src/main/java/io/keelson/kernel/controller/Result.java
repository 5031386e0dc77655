package io.keelson.kernel.controller;

import java.time.Duration;
import java.util.Objects;

/**
 * What a {@link Reconciler} asks for next.
 *
 * @param requeued whether to reconcile the key again
 * @param delay    when requeued: after this long (zero: with the queue's back-off, as after a failure)
 * @param rest     when done: how long the key rests before its next reconcile (changes that arrive meanwhile are
 *                 reconciled together after it); zero for none
 */
public record Result(boolean requeued, Duration delay, Duration rest) {
    private static final Result DONE = new Result(false, Duration.ZERO, Duration.ZERO);
    private static final Result REQUEUE = new Result(true, Duration.ZERO, Duration.ZERO);

    public Result {
        Objects.requireNonNull(delay, "delay");
        Objects.requireNonNull(rest, "rest");
        if (delay.isNegative() || rest.isNegative()) {
            throw new IllegalArgumentException("delay and rest must not be negative: " + delay + ", " + rest);
        }
    }

    /** Reconciled: nothing to do until the object (or what it watches) changes. */
    public static Result done() {
        return DONE;
    }

    /**
     * Reconciled, and the key rests for {@code rest}: for a reconcile that reads many objects (a ReplicaSet's
     * thousands of pods), so that while they change faster than it runs, their changes fold into one reconcile
     * per rest instead of reconciles back to back.
     */
    public static Result doneThenRest(Duration rest) {
        return rest.isZero() ? DONE : new Result(false, Duration.ZERO, rest);
    }

    /** Not finished: again, with back-off. */
    public static Result requeue() {
        return REQUEUE;
    }

    /** Again after {@code delay} (the back-off is reset). */
    public static Result requeueAfter(Duration delay) {
        return new Result(true, delay, Duration.ZERO);
    }
}
