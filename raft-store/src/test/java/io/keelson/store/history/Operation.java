package io.keelson.store.history;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Objects;

/**
 * One client operation on one key of a register history, as recorded by a workload for
 * {@link LinearizabilityChecker}. A {@code null} value stands for "key absent".
 *
 * @param process the client (logical process) that issued the operation; a process issues one at a time
 * @param key the key operated on
 * @param kind read, blind write, or compare-and-swap
 * @param value the value written ({@link Kind#WRITE}, {@link Kind#CAS}); never null for those
 * @param expected the value a {@link Kind#CAS} compares against ({@code null}: the key must be absent)
 * @param invokedNanos when the request was sent
 * @param completedNanos when the response arrived; not meaningful for {@link Outcome#UNKNOWN}
 * @param outcome whether the result is known
 * @param swapped for a CAS with outcome {@link Outcome#OK}: whether the compare succeeded
 * @param observed what a {@link Kind#READ} returned, or the current value a not-swapped CAS reported
 */
public record Operation(int process, String key, Kind kind, String value, String expected,
                        long invokedNanos, long completedNanos, Outcome outcome, boolean swapped, String observed) {

    /** The operation type. */
    public enum Kind { READ, WRITE, CAS }

    /**
     * OK: completed with a known result; FAILED: definitely took no effect (e.g. refused before it
     * reached the log); UNKNOWN: timed out, may or may not have taken effect at any time after invocation.
     */
    public enum Outcome { OK, FAILED, UNKNOWN }

    public Operation {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(outcome, "outcome");
        if (kind != Kind.READ && value == null) {
            throw new IllegalArgumentException("a " + kind + " needs a non-null value");
        }
        if (outcome == Outcome.OK && completedNanos < invokedNanos) {
            throw new IllegalArgumentException("completed before it was invoked: " + invokedNanos + " > " + completedNanos);
        }
    }

    /** A read that returned {@code observed} ({@code null}: the key was absent). */
    public static Operation read(int process, String key, long invokedNanos, long completedNanos, String observed) {
        return new Operation(process, key, Kind.READ, null, null, invokedNanos, completedNanos, Outcome.OK, false, observed);
    }

    /** A read that returned no result (refused or timed out); reads have no effect, so the checker ignores it. */
    public static Operation readFailed(int process, String key, long invokedNanos, long completedNanos) {
        return new Operation(process, key, Kind.READ, null, null, invokedNanos, completedNanos, Outcome.FAILED, false, null);
    }

    /** A blind write of {@code value}. */
    public static Operation write(int process, String key, String value, long invokedNanos, long completedNanos,
                                  Outcome outcome) {
        return new Operation(process, key, Kind.WRITE, value, null, invokedNanos, completedNanos, outcome, false, null);
    }

    /**
     * A compare-and-swap {@code expected -> value}. For outcome OK, {@code swapped} tells whether it took
     * effect and, when it did not, {@code observed} is the current value the store reported
     * ({@code null}: absent). An UNKNOWN CAS either swapped at some point after invocation or had no effect.
     */
    public static Operation cas(int process, String key, String expected, String value, long invokedNanos,
                                long completedNanos, Outcome outcome, boolean swapped, String observed) {
        return new Operation(process, key, Kind.CAS, value, expected, invokedNanos, completedNanos, outcome, swapped,
                observed);
    }

    /** E.g. {@code p3 cas k4 v2900->v2928 [42.501s .. 42.877s] ok, not swapped, saw v2918}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder().append('p').append(process).append(' ')
                .append(kind.name().toLowerCase()).append(' ').append(key).append(' ');
        switch (kind) {
            case WRITE -> sb.append(value).append(' ');
            case CAS -> sb.append(show(expected)).append("->").append(value).append(' ');
            default -> { }
        }
        sb.append('[').append(seconds(invokedNanos)).append(" .. ")
                .append(outcome == Outcome.UNKNOWN ? "?" : seconds(completedNanos)).append("] ")
                .append(outcome.name().toLowerCase());
        if (outcome == Outcome.OK && kind == Kind.READ) {
            sb.append(" -> ").append(show(observed));
        } else if (outcome == Outcome.OK && kind == Kind.CAS) {
            sb.append(swapped ? ", swapped" : ", not swapped, saw " + show(observed));
        }
        return sb.toString();
    }

    static String show(String value) {
        return value == null ? "absent" : value;
    }

    /** Seconds of the raw nanos, to the microsecond, with at least millisecond digits: 42.5s -> "42.500s". */
    private static String seconds(long nanos) {
        BigDecimal s = BigDecimal.valueOf(nanos, 9).setScale(6, RoundingMode.DOWN).stripTrailingZeros();
        return (s.scale() < 3 ? s.setScale(3) : s).toPlainString() + "s";
    }
}
