package io.keelson.store.history;

import static io.keelson.store.history.Operation.Outcome.FAILED;
import static io.keelson.store.history.Operation.Outcome.OK;
import static io.keelson.store.history.Operation.Outcome.UNKNOWN;
import static io.keelson.store.history.Operation.cas;
import static io.keelson.store.history.Operation.read;
import static io.keelson.store.history.Operation.readFailed;
import static io.keelson.store.history.Operation.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.keelson.store.history.LinearizabilityChecker.Result;
import io.keelson.store.history.Operation.Kind;
import io.keelson.store.history.Operation.Outcome;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LinearizabilityCheckerTest {
    private static final long MS = 1_000_000L;

    private static Result check(Operation... ops) {
        return LinearizabilityChecker.check(List.of(ops));
    }

    private static void assertLinearizable(Result result) {
        assertThat(result.linearizable()).as(result.summary()).isTrue();
        assertThat(result.violations()).isEmpty();
        assertThat(result.exhausted()).isFalse();
    }

    private static void assertViolation(Result result, String key) {
        assertThat(result.linearizable()).as(result.summary()).isFalse();
        assertThat(result.exhausted()).isFalse();
        assertThat(result.violations()).hasSize(1);
        assertThat(result.violations().get(0)).startsWith("key " + key + ":");
    }

    @Test
    void toStringIsReadable() {
        assertThat(cas(3, "k4", "v2900", "v2928", 42_501_000_000L, 42_877_000_000L, OK, false, "v2918"))
                .hasToString("p3 cas k4 v2900->v2928 [42.501s .. 42.877s] ok, not swapped, saw v2918");
        assertThat(cas(3, "k4", null, "v1", 1_000_000_000L, 2_000_000_000L, OK, true, null))
                .hasToString("p3 cas k4 absent->v1 [1.000s .. 2.000s] ok, swapped");
        assertThat(read(54, "k4", 42_670_001_000L, 42_773_000_000L, "v2900"))
                .hasToString("p54 read k4 [42.670001s .. 42.773s] ok -> v2900");
        assertThat(read(54, "k4", 0, MS, null)).hasToString("p54 read k4 [0.000s .. 0.001s] ok -> absent");
        assertThat(write(43, "k4", "v2918", 40_479_000_000L, 41_000_000_000L, UNKNOWN))
                .hasToString("p43 write k4 v2918 [40.479s .. ?] unknown");
        assertThat(write(43, "k4", "v1", 0, MS, FAILED)).hasToString("p43 write k4 v1 [0.000s .. 0.001s] failed");
    }

    @Test
    void sequentialHistoryIsLinearizable() {
        Result result = check(
                read(1, "k", 0, 10, null),
                write(1, "k", "v1", 20, 30, OK),
                read(2, "k", 40, 50, "v1"),
                write(2, "k", "v2", 60, 70, OK),
                read(1, "k", 80, 90, "v2"));
        assertLinearizable(result);
        assertThat(result.operations()).isEqualTo(5);
        assertThat(result.keys()).isEqualTo(1);
        assertThat(result.summary()).startsWith("linearizable: 5 operations on 1 keys");
    }

    @Test
    void readConcurrentWithWriteMaySeeEitherValue() {
        for (String seen : new String[] {"v1", "v2"}) {
            assertLinearizable(check(
                    write(1, "k", "v1", 0, 10, OK),
                    write(1, "k", "v2", 20, 40, OK),
                    read(2, "k", 25, 35, seen)));
        }
        // ... but not flip back once it saw the new one
        assertViolation(check(
                write(1, "k", "v1", 0, 10, OK),
                write(1, "k", "v2", 20, 100, OK),
                read(2, "k", 25, 35, "v2"),
                read(3, "k", 40, 50, "v1")), "k");
    }

    @Test
    void equalTimestampsAreConcurrent() {
        // the write's completion equals the read's invocation: neither precedes the other
        assertLinearizable(check(
                write(1, "k", "v1", 0, 10, OK),
                write(1, "k", "v2", 20, 30, OK),
                read(2, "k", 30, 40, "v1")));
    }

    @Test
    void staleReadAfterAcknowledgedWriteIsAViolation() {
        Operation stale = read(54, "k4", 42_670_001_000L, 42_773_000_000L, "v2900");
        Result result = check(
                write(12, "k4", "v2900", 41_000_000_000L, 41_100_000_000L, OK),
                write(55, "k4", "v2925", 42_500_000_000L, 42_670_000_000L, OK),
                stale);
        assertViolation(result, "k4");
        assertThat(result.violations().get(0))
                .contains("stuck: cannot take effect by its completion:\n    " + stale)
                .contains("leaving value v2925")
                .contains("p55 write k4 v2925 [42.500s .. 42.670s] ok");
        assertThat(result.summary()).startsWith("NOT linearizable: 1 of 1 keys").contains(stale.toString());
    }

    @Test
    void readOfAValueNeverWrittenIsAViolation() {
        assertViolation(check(write(1, "k", "v1", 0, 10, OK), read(2, "k", 20, 30, "v9")), "k");
        assertViolation(check(read(2, "k", 20, 30, "v9")), "k");
        // a failed write definitely had no effect
        assertViolation(check(write(1, "k", "v1", 0, 10, FAILED), read(2, "k", 20, 30, "v1")), "k");
        // absent before any write, but not after an acknowledged one
        assertLinearizable(check(read(2, "k", 0, 30, null), write(1, "k", "v1", 10, 20, OK)));
        assertViolation(check(write(1, "k", "v1", 0, 10, OK), read(2, "k", 20, 30, null)), "k");
    }

    @Test
    void failedAndUnansweredReadsAreIgnored() {
        assertLinearizable(check(
                write(1, "k", "v1", 0, 10, OK),
                readFailed(2, "k", 20, 30),
                new Operation(3, "k", Kind.READ, null, null, 20, 30, UNKNOWN, false, "nonsense"),
                read(2, "k", 40, 50, "v1")));
    }

    @Test
    void casThatSwappedNeedsTheExpectedValue() {
        assertLinearizable(check(
                cas(1, "k", null, "v1", 0, 10, OK, true, null),
                cas(1, "k", "v1", "v2", 20, 30, OK, true, null),
                read(2, "k", 40, 50, "v2")));
        assertViolation(check(
                write(1, "k", "v0", 0, 10, OK),
                cas(1, "k", "v1", "v2", 20, 30, OK, true, null)), "k");
        // two concurrent CASes from the same value cannot both swap
        assertViolation(check(
                write(1, "k", "v0", 0, 10, OK),
                cas(1, "k", "v0", "v1", 20, 30, OK, true, null),
                cas(2, "k", "v0", "v2", 20, 30, OK, true, null)), "k");
    }

    @Test
    void casThatDidNotSwapMustHaveSeenADifferentCurrentValue() {
        assertLinearizable(check(
                write(1, "k", "v1", 0, 10, OK),
                cas(2, "k", "v0", "v2", 20, 30, OK, false, "v1"),
                read(1, "k", 40, 50, "v1")));
        assertLinearizable(check(cas(2, "k", "v0", "v2", 20, 30, OK, false, null)));
        // it claims the current value equalled what it expected, yet did not swap
        assertViolation(check(
                write(1, "k", "v1", 0, 10, OK),
                cas(2, "k", "v1", "v2", 20, 30, OK, false, "v1")), "k");
        // the value it reports was already overwritten
        assertViolation(check(
                write(1, "k", "v1", 0, 10, OK),
                write(1, "k", "v3", 20, 30, OK),
                cas(2, "k", "v0", "v2", 40, 50, OK, false, "v1")), "k");
        // and it did not change the value
        assertViolation(check(
                write(1, "k", "v1", 0, 10, OK),
                cas(2, "k", "v0", "v2", 20, 30, OK, false, "v1"),
                read(1, "k", 40, 50, "v2")), "k");
    }

    @Test
    void unknownWriteThatWasObservedTookEffect() {
        assertLinearizable(check(
                write(1, "k", "v1", 0, 10, OK),
                write(2, "k", "v2", 20, 25, UNKNOWN),
                read(3, "k", 30, 40, "v1"),
                read(3, "k", 1_000, 1_010, "v2")));
        // once seen, it cannot be undone
        assertViolation(check(
                write(1, "k", "v1", 0, 10, OK),
                write(2, "k", "v2", 20, 25, UNKNOWN),
                read(3, "k", 30, 40, "v2"),
                read(3, "k", 50, 60, "v1")), "k");
        // a swapped CAS and a not-swapped one count as observers too
        assertLinearizable(check(
                write(1, "k", "v1", 0, 10, OK),
                write(2, "k", "v2", 20, 25, UNKNOWN),
                cas(3, "k", "v2", "v3", 30, 40, OK, true, null)));
        assertLinearizable(check(
                write(1, "k", "v1", 0, 10, OK),
                write(2, "k", "v2", 20, 25, UNKNOWN),
                cas(3, "k", "v1", "v3", 30, 40, OK, false, "v2")));
    }

    @Test
    void unknownWriteNeverObservedIsDropped() {
        assertLinearizable(check(
                write(1, "k", "v1", 0, 10, OK),
                write(2, "k", "v2", 20, 25, UNKNOWN),
                read(3, "k", 30, 40, "v1"),
                read(3, "k", 1_000, 1_010, "v1")));
        assertLinearizable(check(write(2, "k", "v2", 20, 25, UNKNOWN)));
    }

    @Test
    void unknownWriteObservedBeforeItWasInvokedIsAViolation() {
        assertViolation(check(
                read(3, "k", 10, 20, "v2"),
                write(2, "k", "v2", 30, 40, UNKNOWN)), "k");
    }

    @Test
    void chainOfUnknownCasesIsResolved() {
        // v2 was seen, so the CAS v1->v2 swapped, so the unknown write of v1 happened before it
        assertLinearizable(check(
                write(1, "k", "v1", 0, 5, UNKNOWN),
                cas(2, "k", "v1", "v2", 10, 15, UNKNOWN, false, null),
                read(3, "k", 100, 110, "v2")));
        assertViolation(check(
                write(1, "k", "v1", 50, 55, UNKNOWN),
                cas(2, "k", "v1", "v2", 10, 15, UNKNOWN, false, null),
                read(3, "k", 20, 30, "v2")), "k");
        // nothing seen: both may have done nothing
        assertLinearizable(check(
                write(1, "k", "v1", 0, 5, UNKNOWN),
                cas(2, "k", "v1", "v2", 10, 15, UNKNOWN, false, null),
                read(3, "k", 100, 110, null)));
    }

    @Test
    void keysAreCheckedIndependently() {
        Result result = check(
                write(1, "a", "v1", 0, 10, OK),
                write(2, "b", "v1", 0, 10, OK), // same value on another key is fine
                write(1, "b", "v2", 20, 30, OK),
                read(2, "a", 40, 50, "v1"),
                read(2, "b", 40, 50, "v1"), // stale
                read(3, "c", 0, 10, null));
        assertViolation(result, "b");
        assertThat(result.keys()).isEqualTo(3);
        assertThat(result.violations().get(0)).doesNotContain(" a ").doesNotContain(" c ");
    }

    @Test
    void duplicateWriteValuesAreRejected() {
        assertThatThrownBy(() -> check(write(1, "k", "v1", 0, 10, OK), write(2, "k", "v1", 20, 30, UNKNOWN)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("v1");
        // a failed attempt had no effect, so retrying its value is fine
        assertLinearizable(check(write(1, "k", "v1", 0, 10, FAILED), write(1, "k", "v1", 20, 30, OK)));
    }

    @Test
    void stepBoundReportsUndecidedRatherThanViolation() {
        List<Operation> history = simulate(3, 5, 500, 1, 0.05);
        Result result = LinearizabilityChecker.check(history, 10);
        assertThat(result.exhausted()).isTrue();
        assertThat(result.linearizable()).isFalse();
        assertThat(result.violations()).isEmpty();
        assertThat(result.exhaustedKeys()).containsExactly("k0");
        assertThat(result.summary()).contains("undecided");
    }

    @Test
    void randomizedLinearizableHistoryPassesAndAStaleReadIsCaught() {
        List<Operation> history = simulate(42, 7, 3_000, 1, 0.05);
        assertThat(history).anyMatch(op -> op.outcome() == UNKNOWN);
        assertLinearizable(LinearizabilityChecker.check(history));

        // make one read return the value of a write that was overwritten before the read began
        List<Operation> writes = history.stream().filter(op -> op.kind() == Kind.WRITE && op.outcome() == OK)
                .sorted(Comparator.comparingLong(Operation::invokedNanos)).toList();
        Operation second = writes.get(writes.size() / 2);
        Operation first = writes.stream().filter(w -> w.completedNanos() < second.invokedNanos())
                .reduce((a, b) -> b).orElseThrow();
        Operation victim = history.stream()
                .filter(op -> op.kind() == Kind.READ && op.outcome() == OK
                        && op.invokedNanos() > second.completedNanos())
                .min(Comparator.comparingLong(Operation::invokedNanos)).orElseThrow();
        Operation stale = read(victim.process(), victim.key(), victim.invokedNanos(), victim.completedNanos(),
                first.value());
        List<Operation> corrupted = new ArrayList<>(history);
        corrupted.set(history.indexOf(victim), stale);

        Result result = LinearizabilityChecker.check(corrupted);
        assertViolation(result, "k0");
        assertThat(result.violations().get(0)).contains(stale.toString());
    }

    @Test
    void fifteenThousandOperationsOverFiveKeys() {
        List<Operation> history = simulate(11, 10, 15_000, 5, 0.03);
        Result result = LinearizabilityChecker.check(history);
        assertThat(result.exhausted()).as(result.summary()).isFalse();
        assertThat(result.linearizable()).as(result.summary()).isTrue();
        assertThat(result.operations()).isEqualTo(15_000);
        assertThat(result.keys()).isEqualTo(5);
    }

    @Test
    void agreesWithBruteForceOnSmallRandomHistories() {
        Random rnd = new Random(5);
        int linearizable = 0;
        for (int t = 0; t < 5_000; t++) {
            List<Operation> history = randomSmallHistory(rnd, 2 + rnd.nextInt(7));
            boolean expected = bruteForce(history);
            assertThat(LinearizabilityChecker.check(history).linearizable()).as("%s", history).isEqualTo(expected);
            linearizable += expected ? 1 : 0;
        }
        assertThat(linearizable).isBetween(500, 4_500); // both verdicts well exercised
    }

    /** Few processes, coarse clock (many ties), arbitrary results: often, but not always, linearizable. */
    private static List<Operation> randomSmallHistory(Random rnd, int count) {
        List<Operation> ops = new ArrayList<>();
        List<String> values = new ArrayList<>(Collections.singletonList(null));
        long[] clock = new long[3];
        for (int i = 0; i < count; i++) {
            int p = rnd.nextInt(clock.length);
            long invoked = clock[p] + rnd.nextInt(4);
            long completed = invoked + rnd.nextInt(5);
            clock[p] = completed + rnd.nextInt(2);
            double d = rnd.nextDouble();
            Outcome outcome = d < 0.65 ? OK : d < 0.9 ? UNKNOWN : FAILED;
            String some = values.get(rnd.nextInt(values.size()));
            double k = rnd.nextDouble();
            if (k < 0.4) {
                String seen = rnd.nextInt(4) == 0 ? "v" + rnd.nextInt(count) : some; // maybe not written (yet)
                ops.add(outcome == OK ? read(p, "k", invoked, completed, seen) : readFailed(p, "k", invoked, completed));
            } else {
                boolean swapped = rnd.nextBoolean();
                ops.add(k < 0.75 ? write(p, "k", "v" + i, invoked, completed, outcome)
                        : cas(p, "k", some, "v" + i, invoked, completed, outcome, swapped,
                                swapped ? null : values.get(rnd.nextInt(values.size()))));
                values.add("v" + i);
            }
        }
        return ops;
    }

    /** The definition: some subset of the UNKNOWN writes and CASes, plus all OK ops, in some real-time-respecting order. */
    private static boolean bruteForce(List<Operation> history) {
        List<Operation> known = new ArrayList<>();
        List<Operation> unknown = new ArrayList<>();
        for (Operation op : history) {
            if (op.outcome() == OK) {
                known.add(op);
            } else if (op.outcome() == UNKNOWN && op.kind() != Kind.READ) {
                unknown.add(op);
            }
        }
        for (int subset = 0; subset < 1 << unknown.size(); subset++) {
            List<Operation> ops = new ArrayList<>(known);
            for (int j = 0; j < unknown.size(); j++) {
                if ((subset >> j & 1) == 1) {
                    ops.add(unknown.get(j));
                }
            }
            if (someOrder(ops, new boolean[ops.size()], ops.size(), null)) {
                return true;
            }
        }
        return false;
    }

    private static boolean someOrder(List<Operation> ops, boolean[] used, int left, String state) {
        if (left == 0) {
            return true;
        }
        for (int i = 0; i < ops.size(); i++) {
            Operation op = ops.get(i);
            boolean mayGoNext = !used[i];
            for (int j = 0; j < ops.size() && mayGoNext; j++) {
                Operation other = ops.get(j);
                mayGoNext = used[j] || other.outcome() != OK || other.completedNanos() >= op.invokedNanos();
            }
            boolean keeps = op.kind() == Kind.READ || (op.kind() == Kind.CAS && op.outcome() == OK && !op.swapped());
            boolean fits = switch (op.kind()) {
                case READ -> Objects.equals(state, op.observed());
                case WRITE -> true;
                case CAS -> keeps ? !Objects.equals(state, op.expected()) && Objects.equals(state, op.observed())
                        : Objects.equals(state, op.expected()); // an UNKNOWN CAS that took effect swapped
            };
            if (!mayGoNext || !fits) {
                continue;
            }
            used[i] = true;
            boolean found = someOrder(ops, used, left - 1, keeps ? state : op.value());
            used[i] = false;
            if (found) {
                return true;
            }
        }
        return false;
    }

    /**
     * A history of a real linearizable register: each op gets a random linearization point in its
     * interval (for UNKNOWN writes and CASes, possibly long after the client gave up, or never),
     * results come from applying the ops in that order. Processes run one op at a time.
     */
    private static List<Operation> simulate(long seed, int processes, int count, int keys, double unknownRate) {
        record Planned(int process, String key, Kind kind, String value, long invoked, long completed, long point,
                       Outcome outcome, boolean applies) {
        }
        Random rnd = new Random(seed);
        long[] clock = new long[processes];
        List<Planned> planned = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int p = 0;
            for (int q = 1; q < processes; q++) {
                p = clock[q] < clock[p] ? q : p;
            }
            long invoked = clock[p] + rnd.nextInt(20) * MS;
            long duration = (1 + rnd.nextInt(100)) * MS;
            clock[p] = invoked + duration;
            double d = rnd.nextDouble();
            Kind kind = d < 0.5 ? Kind.READ : d < 0.8 ? Kind.WRITE : Kind.CAS;
            Outcome outcome = rnd.nextDouble() >= unknownRate ? OK : rnd.nextBoolean() ? UNKNOWN : FAILED;
            boolean applies = outcome == OK || (outcome == UNKNOWN && rnd.nextBoolean());
            long window = outcome == UNKNOWN ? 10 * duration : duration;
            planned.add(new Planned(p, "k" + rnd.nextInt(keys), kind, "v" + i, invoked, invoked + duration,
                    invoked + (long) (rnd.nextDouble() * window), outcome, applies));
        }
        planned.sort(Comparator.comparingLong(Planned::point));
        Map<String, String> register = new HashMap<>();
        Map<String, List<String>> pastValues = new HashMap<>();
        List<Operation> history = new ArrayList<>();
        for (Planned o : planned) {
            String current = register.get(o.key());
            List<String> past = pastValues.computeIfAbsent(o.key(), k -> new ArrayList<>());
            switch (o.kind()) {
                case READ -> history.add(o.outcome() == OK
                        ? read(o.process(), o.key(), o.invoked(), o.completed(), current)
                        : readFailed(o.process(), o.key(), o.invoked(), o.completed()));
                case WRITE -> {
                    if (o.applies()) {
                        register.put(o.key(), o.value());
                        past.add(o.value());
                    }
                    history.add(write(o.process(), o.key(), o.value(), o.invoked(), o.completed(), o.outcome()));
                }
                case CAS -> {
                    String expected = rnd.nextBoolean() || past.isEmpty() ? current
                            : past.get(rnd.nextInt(past.size()));
                    boolean swapped = Objects.equals(expected, current);
                    if (swapped && o.applies()) {
                        register.put(o.key(), o.value());
                        past.add(o.value());
                    }
                    history.add(cas(o.process(), o.key(), expected, o.value(), o.invoked(), o.completed(),
                            o.outcome(), swapped, swapped ? null : current));
                }
                default -> throw new AssertionError(o);
            }
        }
        Collections.shuffle(history, rnd); // the checker must not rely on input order
        return history;
    }
}
