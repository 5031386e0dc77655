package io.keelson.store.raft;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.DoubleConsumer;
import java.util.function.Supplier;
import org.apache.ratis.metrics.LongCounter;
import org.apache.ratis.metrics.MetricRegistries;
import org.apache.ratis.metrics.MetricRegistryInfo;
import org.apache.ratis.metrics.RatisMetricRegistry;
import org.apache.ratis.metrics.Timekeeper;
import org.apache.ratis.util.TimeDuration;

/**
 * Ratis' metrics, as Keelson keeps them: counters and timers that cost a counter increment, no reporters, and the
 * one timer operators need passed on — the Raft log's fsync (etcd's {@code etcd_disk_wal_fsync_duration_seconds}),
 * to the listener of the member whose log it is. Ratis finds this class through {@code META-INF/services}; it
 * replaces Ratis' default registries, whose timers keep sampled reservoirs that cannot give a histogram's buckets.
 */
public final class RatisMetrics extends MetricRegistries {
    /** The Ratis registry component of a member's log worker, and its timer around each flush to disk. */
    private static final String LOG_WORKER = "log_worker";
    private static final String SYNC_TIME = "syncTime";

    /** Listeners of each member's log fsyncs, by the member's Raft id ("name@group-..."), as Ratis prefixes them. */
    private static final Map<String, DoubleConsumer> WAL_SYNC = new ConcurrentHashMap<>();

    private final Map<MetricRegistryInfo, Registry> registries = new ConcurrentHashMap<>();

    public RatisMetrics() {
    }

    /** Calls {@code listener} with each fsync's duration in seconds of the log of {@code raftMemberId}. */
    static void onWalSync(String raftMemberId, DoubleConsumer listener) {
        WAL_SYNC.put(raftMemberId, listener);
    }

    static void stopWalSync(String raftMemberId) {
        WAL_SYNC.remove(raftMemberId);
    }

    @Override
    public void clear() {
        registries.clear();
    }

    @Override
    public RatisMetricRegistry create(MetricRegistryInfo info) {
        return registries.computeIfAbsent(info, Registry::new);
    }

    @Override
    public boolean remove(MetricRegistryInfo info) {
        return registries.remove(info) != null;
    }

    @Override
    public Optional<RatisMetricRegistry> get(MetricRegistryInfo info) {
        return Optional.ofNullable(registries.get(info));
    }

    @Override
    public Set<MetricRegistryInfo> getMetricRegistryInfos() {
        return Set.copyOf(registries.keySet());
    }

    @Override
    public Collection<RatisMetricRegistry> getMetricRegistries() {
        return List.copyOf(registries.values());
    }

    @Override
    public void addReporterRegistration(Consumer<RatisMetricRegistry> onAdd, Consumer<RatisMetricRegistry> onRemove) {
        // no reporters: what is exported goes through the members' listeners
    }

    @Override
    public void enableJmxReporter() {
    }

    @Override
    public void enableConsoleReporter(TimeDuration period) {
    }

    /** One component's metrics. */
    private static final class Registry implements RatisMetricRegistry {
        private final MetricRegistryInfo info;
        private final Map<String, Object> metrics = new ConcurrentHashMap<>();

        Registry(MetricRegistryInfo info) {
            this.info = info;
        }

        @Override
        public Timekeeper timer(String name) {
            if (LOG_WORKER.equals(info.getMetricsComponentName()) && SYNC_TIME.equals(name)) {
                String member = info.getPrefix();
                return (Timekeeper) metrics.computeIfAbsent(name, n -> new Timer(seconds -> {
                    DoubleConsumer listener = WAL_SYNC.get(member);
                    if (listener != null) {
                        listener.accept(seconds);
                    }
                }));
            }
            return (Timekeeper) metrics.computeIfAbsent(name, n -> new Timer(null));
        }

        @Override
        public LongCounter counter(String name) {
            return (LongCounter) metrics.computeIfAbsent(name, n -> new Counter());
        }

        @Override
        public boolean remove(String name) {
            return metrics.remove(name) != null;
        }

        @Override
        public <T> void gauge(String name, Supplier<Supplier<T>> supplier) {
            metrics.put(name, supplier);
        }

        @Override
        public MetricRegistryInfo getMetricRegistryInfo() {
            return info;
        }
    }

    /** A timer that measures, and tells its listener (if any) each duration in seconds. */
    private record Timer(DoubleConsumer listener) implements Timekeeper {
        @Override
        public Context time() {
            long start = System.nanoTime();
            return () -> {
                long elapsed = System.nanoTime() - start;
                if (listener != null) {
                    listener.accept(elapsed / 1e9);
                }
                return elapsed;
            };
        }
    }

    private static final class Counter implements LongCounter {
        private final LongAdder count = new LongAdder();

        @Override
        public void inc(long n) {
            count.add(n);
        }

        @Override
        public void dec(long n) {
            count.add(-n);
        }

        @Override
        public long getCount() {
            return count.sum();
        }
    }
}
