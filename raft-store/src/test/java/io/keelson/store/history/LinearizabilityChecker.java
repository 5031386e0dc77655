package io.keelson.store.history;

import io.keelson.store.history.Operation.Kind;
import io.keelson.store.history.Operation.Outcome;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * Checks that a history of register operations ({@link Operation}) is linearizable.
 *
 * <p>Keys are independent registers, so each key is checked on its own (linearizability is
 * compositional). Each key is searched with the Wing &amp; Gong algorithm as improved by Lowe: a
 * linked list of call and return entries in time order, a stack of tentatively linearized
 * operations for backtracking, and a cache of (set of linearized operations, register value)
 * configurations already explored. Operation A precedes B only if {@code A.completed < B.invoked}
 * strictly: equal timestamps count as concurrent, so clock granularity never fakes a violation.
 *
 * <p>Write values must be unique per key (the workloads guarantee it; duplicates are rejected).
 * That makes a value observed by a completed operation proof that its write took effect, so an
 * {@link Outcome#UNKNOWN} write or CAS (which may have taken effect at any time after invocation,
 * or never) is either required, before its first observer completed, or safely assumed never to
 * have happened. It also means a value never recurs, which lets the search take any operation
 * that fits the current value without changing it (a read, a CAS that did not swap) as a forced
 * move instead of a choice to backtrack over.
 */
public final class LinearizabilityChecker {
    /** Default bound on search steps per key; beyond it the key is reported as undecided. */
    public static final long DEFAULT_MAX_STEPS = 50_000_000L;
    private static final int EXCERPT = 6;

    private LinearizabilityChecker() {
    }

    /**
     * Outcome of a check.
     *
     * @param operations operations in the checked history, all keys, as given
     * @param keys distinct keys in the history
     * @param violations one report per key proven non-linearizable, with the operations around where it got stuck
     * @param exhaustedKeys keys whose search hit the step bound: neither proven nor refuted
     */
    public record Result(int operations, int keys, List<String> violations, List<String> exhaustedKeys) {
        public Result {
            violations = List.copyOf(violations);
            exhaustedKeys = List.copyOf(exhaustedKeys);
        }

        /** True only when every key was proven linearizable. */
        public boolean linearizable() {
            return violations.isEmpty() && exhaustedKeys.isEmpty();
        }

        /** True when the step bound stopped the search on some key (its verdict is unknown, not a violation). */
        public boolean exhausted() {
            return !exhaustedKeys.isEmpty();
        }

        /** One line verdict, followed by the violation reports. */
        public String summary() {
            if (linearizable()) {
                return "linearizable: " + operations + " operations on " + keys + " keys";
            }
            StringBuilder sb = new StringBuilder();
            if (!violations.isEmpty()) {
                sb.append("NOT linearizable: ").append(violations.size()).append(" of ").append(keys)
                        .append(" keys (").append(operations).append(" operations)");
            }
            if (exhausted()) {
                sb.append(sb.length() > 0 ? "; " : "").append("undecided: search step bound reached on keys ")
                        .append(exhaustedKeys);
            }
            violations.forEach(v -> sb.append('\n').append(v));
            return sb.toString();
        }

        @Override
        public String toString() {
            return summary();
        }
    }

    /** Checks with {@link #DEFAULT_MAX_STEPS} per key. */
    public static Result check(List<Operation> history) {
        return check(history, DEFAULT_MAX_STEPS);
    }

    /**
     * Checks {@code history}, in any order, giving up on a key after {@code maxStepsPerKey} search steps.
     *
     * @throws IllegalArgumentException if two writes or CASes that may have taken effect write the same value to a key
     */
    public static Result check(List<Operation> history, long maxStepsPerKey) {
        Map<String, List<Operation>> byKey = new TreeMap<>(); // sorted: deterministic report order
        for (Operation op : history) {
            byKey.computeIfAbsent(op.key(), k -> new ArrayList<>()).add(op);
        }
        List<String> violations = new ArrayList<>();
        List<String> exhausted = new ArrayList<>();
        byKey.forEach((key, ops) -> {
            KeySearch search = new KeySearch(key, prepare(key, ops));
            switch (search.run(maxStepsPerKey)) {
                case VIOLATION -> violations.add(search.report());
                case EXHAUSTED -> exhausted.add(key);
                default -> { }
            }
        });
        return new Result(history.size(), byKey.size(), violations, exhausted);
    }

    /** An operation to linearize, with the latest time it may take effect. */
    private record Item(Operation op, long end) {
    }

    private enum Verdict { LINEARIZABLE, VIOLATION, EXHAUSTED }

    /** The value an OK operation proves was current at some point during it, or null if none. */
    private static String witnessed(Operation op) {
        return switch (op.kind()) {
            case READ -> op.observed();
            case WRITE -> null;
            case CAS -> op.swapped() ? op.expected() : op.observed();
        };
    }

    /**
     * Drops what cannot matter and bounds what is uncertain. Failed operations and unanswered reads
     * had no effect. An UNKNOWN write or CAS whose value was seen must have taken effect (values are
     * unique) before the first observer completed: it becomes a normal operation with that deadline
     * as its end, which keeps the search window small. A swapped CAS sees its expected value, so an
     * UNKNOWN CAS that must have happened makes its expected value seen as well. Any other UNKNOWN
     * operation is dropped: in a linearization containing it, every operation that checks the value
     * pins it to a seen one, so removing all unseen UNKNOWN operations leaves a valid linearization.
     */
    private static List<Item> prepare(String key, List<Operation> ops) {
        List<Operation> live = new ArrayList<>();
        Set<String> written = new HashSet<>();
        for (Operation op : ops) {
            if (op.outcome() == Outcome.FAILED || (op.kind() == Kind.READ && op.outcome() != Outcome.OK)) {
                continue;
            }
            if (op.kind() != Kind.READ && !written.add(op.value())) {
                throw new IllegalArgumentException("value " + op.value() + " written twice to key " + key
                        + "; the checker relies on unique write values");
            }
            live.add(op);
        }
        Map<String, Long> deadline = new HashMap<>(); // seen value -> its write took effect before this
        for (Operation op : live) {
            String seen = op.outcome() == Outcome.OK ? witnessed(op) : null;
            if (seen != null) {
                deadline.merge(seen, op.completedNanos(), Math::min);
            }
        }
        boolean changed = true; // propagate along chains of UNKNOWN CASes; deadlines only decrease
        while (changed) {
            changed = false;
            for (Operation op : live) {
                Long d = deadline.get(op.value());
                if (op.kind() == Kind.CAS && op.outcome() == Outcome.UNKNOWN && op.expected() != null && d != null) {
                    long end = Math.max(op.invokedNanos(), d);
                    Long old = deadline.get(op.expected());
                    if (old == null || end < old) {
                        deadline.put(op.expected(), end);
                        changed = true;
                    }
                }
            }
        }
        List<Item> items = new ArrayList<>();
        for (Operation op : live) {
            if (op.outcome() == Outcome.OK) {
                items.add(new Item(op, op.completedNanos()));
            } else if (deadline.containsKey(op.value())) { // seen before invoked: end = invocation, search fails
                items.add(new Item(op, Math.max(op.invokedNanos(), deadline.get(op.value()))));
            }
        }
        // Ids in invocation order keep the linearized set a dense prefix plus a few bits (see Config).
        items.sort(Comparator.comparingLong((Item i) -> i.op().invokedNanos()).thenComparingLong(Item::end));
        return items;
    }

    /** Whether {@code op} can take effect when the register holds {@code state}. */
    private static boolean allowed(Operation op, String state) {
        return switch (op.kind()) {
            case READ -> Objects.equals(state, op.observed());
            case WRITE -> true;
            // a kept UNKNOWN CAS is one that swapped
            case CAS -> op.outcome() == Outcome.OK && !op.swapped()
                    ? !Objects.equals(state, op.expected()) && Objects.equals(state, op.observed())
                    : Objects.equals(state, op.expected());
        };
    }

    /** Whether linearizing {@code op} sets the value (reads and CASes that did not swap leave it). */
    private static boolean writes(Operation op) {
        return op.kind() == Kind.WRITE || (op.kind() == Kind.CAS && (op.outcome() != Outcome.OK || op.swapped()));
    }

    /** A search configuration: linearized set (as leading run of ids + remaining bits) and register value. */
    private static final class Config {
        private final int prefix;
        private final long[] rest;
        private final String state;
        private final int hash;

        Config(BitSet done, String state) {
            prefix = done.nextClearBit(0);
            rest = done.get(prefix, Math.max(prefix, done.length())).toLongArray();
            this.state = state;
            hash = (31 * prefix + Arrays.hashCode(rest)) * 31 + Objects.hashCode(state);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Config c && c.prefix == prefix && Objects.equals(c.state, state)
                    && Arrays.equals(c.rest, rest);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    /** The search for one key. Node 2i is operation i's call entry, 2i+1 its return entry. */
    private static final class KeySearch {
        private final String key;
        private final Item[] items;
        private final int head;
        private final int[] next;
        private final int[] prev;
        // where the search got deepest, for the report
        private int bestDepth = -1;
        private String bestState;
        private int bestBlocked = -1;
        private int[] bestTail = new int[0];
        private final List<Integer> bestPending = new ArrayList<>();

        KeySearch(String key, List<Item> list) {
            this.key = key;
            this.items = list.toArray(new Item[0]);
            head = 2 * items.length;
            next = new int[head + 1];
            prev = new int[head + 1];
            // calls before returns at equal times: a return at t does not precede a call at t
            Integer[] nodes = new Integer[head];
            Arrays.setAll(nodes, i -> i);
            Arrays.sort(nodes, Comparator.comparingLong((Integer n) -> time(n)).thenComparingInt(n -> n & 1)
                    .thenComparingInt(n -> n));
            int last = head;
            for (int node : nodes) {
                next[last] = node;
                prev[node] = last;
                last = node;
            }
            next[last] = -1;
        }

        private long time(int node) {
            Item item = items[node >> 1];
            return (node & 1) == 0 ? item.op().invokedNanos() : item.end();
        }

        private void unlink(int n) {
            next[prev[n]] = next[n];
            if (next[n] >= 0) {
                prev[next[n]] = prev[n];
            }
        }

        private void relink(int n) { // dancing links: undo unlink(n) in reverse order
            next[prev[n]] = n;
            if (next[n] >= 0) {
                prev[next[n]] = n;
            }
        }

        Verdict run(long maxSteps) {
            int[] stack = new int[items.length];
            String[] before = new String[items.length];
            int depth = 0;
            BitSet done = new BitSet(items.length);
            Set<Config> seen = new HashSet<>();
            String state = null; // the register starts absent
            int entry = keeperFirst(state);
            for (long step = 0; depth < items.length; step++) {
                if (step >= maxSteps) {
                    return Verdict.EXHAUSTED;
                }
                // a return entry: that op was not linearized, and nothing invoked later may go first
                boolean stuck = entry < 0 || (entry & 1) == 1;
                if (!stuck) { // a call: try to linearize that operation now
                    int i = entry >> 1;
                    Operation op = items[i].op();
                    if (allowed(op, state)) {
                        String after = writes(op) ? op.value() : state;
                        done.set(i);
                        if (seen.add(new Config(done, after))) {
                            stack[depth] = i;
                            before[depth++] = state;
                            state = after;
                            unlink(2 * i);
                            unlink(2 * i + 1);
                            entry = keeperFirst(state);
                            continue;
                        }
                        done.clear(i); // explored from this configuration before, without success
                        // Values never recur, so an op that fits the current value and keeps it can go
                        // first in any valid continuation: if it leads nowhere, nothing here does.
                        stuck = !writes(op);
                    }
                    if (!stuck) {
                        entry = next[entry];
                        continue;
                    }
                }
                if (depth > bestDepth) {
                    remember(entry, stack, depth, state);
                }
                int i;
                do { // undo the last choice; for the same reason, undo value-keeping ops back to one that wrote
                    if (depth == 0) {
                        return Verdict.VIOLATION;
                    }
                    i = stack[--depth];
                    state = before[depth];
                    done.clear(i);
                    relink(2 * i + 1);
                    relink(2 * i);
                } while (!writes(items[i].op()));
                entry = next[2 * i];
            }
            return Verdict.LINEARIZABLE;
        }

        /**
         * The call entry of a linearizable-now op that keeps the value if there is one (taking it
         * first is always safe, see run), else the first entry: trying writes first wastes search.
         */
        private int keeperFirst(String state) {
            for (int n = next[head]; n >= 0 && (n & 1) == 0; n = next[n]) {
                Operation op = items[n >> 1].op();
                if (!writes(op) && allowed(op, state)) {
                    return n;
                }
            }
            return next[head];
        }

        private void remember(int entry, int[] stack, int depth, String state) {
            bestDepth = depth;
            bestState = state;
            bestBlocked = entry >= 0 && (entry & 1) == 1 ? entry >> 1 : -1;
            bestTail = Arrays.copyOfRange(stack, Math.max(0, depth - EXCERPT), depth);
            bestPending.clear();
            for (int n = next[head]; n >= 0 && n != entry && bestPending.size() < 2 * EXCERPT; n = next[n]) {
                if ((n & 1) == 0 && n >> 1 != bestBlocked) {
                    bestPending.add(n >> 1);
                }
            }
        }

        String report() {
            StringBuilder sb = new StringBuilder("key ").append(key).append(": not linearizable; at most ")
                    .append(bestDepth).append(" of ").append(items.length)
                    .append(" operations linearize, leaving value ").append(Operation.show(bestState))
                    .append("\n  last linearized:").append(bestTail.length == 0 ? " none" : "");
            for (int i : bestTail) {
                sb.append("\n    ").append(items[i].op());
            }
            if (bestBlocked >= 0) {
                sb.append("\n  stuck: cannot take effect by its completion:\n    ").append(items[bestBlocked].op());
            }
            if (!bestPending.isEmpty()) {
                sb.append("\n  concurrent with it, also tried:");
                bestPending.forEach(i -> sb.append("\n    ").append(items[i].op()));
            }
            return sb.toString();
        }
    }
}
