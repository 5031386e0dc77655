package io.keelson.store.server;

import io.keelson.store.StoreException;
import io.keelson.store.StoreMember;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayDeque;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * etcd's {@code --auto-compaction-mode} / {@code --auto-compaction-retention}, run by the leader
 * (compactions go through the Raft log, so one member proposing them is enough).
 *
 * <ul>
 *   <li>{@code periodic}: keeps {@code retention} of history. The revision is sampled every tenth of
 *       the retention; at each sample, history older than the newest sample taken at least
 *       {@code retention} ago is compacted.</li>
 *   <li>{@code revision}: every five minutes, compacts to the current revision minus {@code retention}.</li>
 * </ul>
 */
public final class AutoCompaction implements AutoCloseable {
    /** How often the revision mode looks, as etcd does. */
    static final Duration REVISION_INTERVAL = Duration.ofMinutes(5);

    /** What to keep. */
    public sealed interface Policy permits Periodic, Revisions {
        /** Parses etcd's flag pair; {@code null} when the retention is zero (compaction off). */
        static Policy parse(String mode, String retention) {
            String r = retention.trim();
            switch (mode) {
                case "periodic" -> {
                    Duration d = duration(r);
                    return d.isZero() ? null : new Periodic(d);
                }
                case "revision" -> {
                    long n;
                    try {
                        n = Long.parseLong(r);
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("--auto-compaction-retention: revision mode needs a "
                                + "number of revisions, got '" + retention + "'");
                    }
                    if (n < 0) {
                        throw new IllegalArgumentException("--auto-compaction-retention must not be negative");
                    }
                    return n == 0 ? null : new Revisions(n);
                }
                default -> throw new IllegalArgumentException(
                        "--auto-compaction-mode must be 'periodic' or 'revision', not '" + mode + "'");
            }
        }

        /** etcd: a bare number is hours; otherwise a Go duration such as {@code 30m}, {@code 1h30m}, {@code 10s}. */
        private static Duration duration(String r) {
            try {
                return Duration.ofHours(Long.parseLong(r));
            } catch (NumberFormatException notHours) {
                try {
                    String iso = "PT" + r.toUpperCase(Locale.ROOT);
                    Duration d = Duration.parse(iso);
                    if (d.isNegative()) {
                        throw new IllegalArgumentException("--auto-compaction-retention must not be negative");
                    }
                    return d;
                } catch (DateTimeParseException e) {
                    throw new IllegalArgumentException("--auto-compaction-retention: expected hours (e.g. 1) or a "
                            + "duration (e.g. 30m, 1h), got '" + r + "'");
                }
            }
        }
    }

    /** Keep this much time of history. */
    public record Periodic(Duration retention) implements Policy {
    }

    /** Keep this many revisions of history. */
    public record Revisions(long retain) implements Policy {
    }

    private record Sample(long atNanos, long revision) {
    }

    private final StoreMember member;
    private final Policy policy;
    private final LongSupplier nanoClock;
    private final ArrayDeque<Sample> samples = new ArrayDeque<>(); // periodic mode; only touched by tick()
    private final ScheduledExecutorService timer;

    AutoCompaction(StoreMember member, Policy policy, LongSupplier nanoClock, ScheduledExecutorService timer) {
        this.member = member;
        this.policy = policy;
        this.nanoClock = nanoClock;
        this.timer = timer;
    }

    /** Starts compacting {@code member} by {@code policy} on a timer of its own. */
    public static AutoCompaction start(StoreMember member, Policy policy) {
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "keelson-auto-compaction");
            t.setDaemon(true);
            return t;
        });
        AutoCompaction c = new AutoCompaction(member, policy, System::nanoTime, timer);
        long every = c.interval().toMillis();
        timer.scheduleWithFixedDelay(c::tick, every, every, TimeUnit.MILLISECONDS);
        return c;
    }

    Duration interval() {
        if (policy instanceof Periodic p) {
            return p.retention().dividedBy(10).compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1)
                    : p.retention().dividedBy(10);
        }
        return REVISION_INTERVAL;
    }

    /** One look: compacts if this member leads and there is history beyond what is kept. */
    void tick() {
        try {
            var status = member.status();
            long target = policy instanceof Periodic p ? periodicTarget(p.retention(), status.revision())
                    : status.revision() - ((Revisions) policy).retain();
            boolean leads = status.leader().map(status.memberName()::equals).orElse(false);
            if (leads && target > status.compactRevision()) {
                member.compact(target).join();
            }
        } catch (StoreException | java.util.concurrent.CompletionException e) {
            // compacted meanwhile, or no leader right now: the next tick tries again
        }
    }

    /** Records the revision now; returns that of the newest sample at least {@code retention} old (0 if none). */
    private long periodicTarget(Duration retention, long revision) {
        long now = nanoClock.getAsLong();
        long keep = retention.toNanos();
        samples.addLast(new Sample(now, revision));
        while (samples.size() > 1 && now - secondOldest().atNanos() >= keep) {
            samples.removeFirst(); // a newer sample is old enough too
        }
        Sample oldest = samples.peekFirst();
        return now - oldest.atNanos() >= keep ? oldest.revision() : 0;
    }

    private Sample secondOldest() {
        var it = samples.iterator();
        it.next();
        return it.next();
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
