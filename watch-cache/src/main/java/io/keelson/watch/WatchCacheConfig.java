package io.keelson.watch;

import com.google.protobuf.ByteString;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Settings of one {@link WatchCache}. Start from {@link #forPrefix} and change with {@code withX}.
 *
 * @param prefix             the key prefix the cache mirrors (non-empty)
 * @param minEvents          the event window never holds fewer than this many events (default 100)
 * @param maxEvents          nor more than this many (default 102,400)
 * @param minHistory         the window grows (up to maxEvents) to keep at least this much history (default 75 s)
 * @param bookmarkInterval   how often watchers that asked for bookmarks get one (default 1 min)
 * @param watcherBuffer      events buffered per watcher before it counts as lagging (default 1,000)
 * @param slowWatcherTimeout a watcher whose buffer stays full this long without its consumer taking an event
 *                           is ended with {@link CacheEvent.EndReason#TOO_SLOW} (default 5 s)
 * @param waitTimeout        how long a list waits for the cache to reach a revision (default 3 s)
 * @param listPageSize       page size of the cache's own lists from the source (default 10,000)
 * @param deliveryThreads    threads of the shared pool that runs listeners (default: available processors)
 * @param nanoTime           the clock (System::nanoTime; tests inject a fake one)
 */
public record WatchCacheConfig(ByteString prefix, int minEvents, int maxEvents, Duration minHistory,
                               Duration bookmarkInterval, int watcherBuffer, Duration slowWatcherTimeout,
                               Duration waitTimeout, int listPageSize, int deliveryThreads, LongSupplier nanoTime) {

    public WatchCacheConfig {
        if (prefix == null || prefix.isEmpty()) {
            throw new IllegalArgumentException("prefix must not be empty");
        }
        if (minEvents < 1 || maxEvents < minEvents) {
            throw new IllegalArgumentException("need 1 <= minEvents <= maxEvents: " + minEvents + ", " + maxEvents);
        }
        requirePositive("minHistory", minHistory);
        requirePositive("bookmarkInterval", bookmarkInterval);
        requirePositive("slowWatcherTimeout", slowWatcherTimeout);
        requirePositive("waitTimeout", waitTimeout);
        if (watcherBuffer < 1 || listPageSize < 1 || deliveryThreads < 1) {
            throw new IllegalArgumentException("watcherBuffer, listPageSize and deliveryThreads must be >= 1");
        }
        if (nanoTime == null) {
            throw new NullPointerException("nanoTime");
        }
    }

    public static WatchCacheConfig forPrefix(ByteString prefix) {
        return new WatchCacheConfig(prefix, 100, 102_400, Duration.ofSeconds(75), Duration.ofMinutes(1), 1_000,
                Duration.ofSeconds(5), Duration.ofSeconds(3), 10_000,
                Runtime.getRuntime().availableProcessors(), System::nanoTime);
    }

    public static WatchCacheConfig forPrefix(String prefix) {
        return forPrefix(ByteString.copyFromUtf8(prefix));
    }

    public WatchCacheConfig withWindow(int minEvents, int maxEvents, Duration minHistory) {
        return new WatchCacheConfig(prefix, minEvents, maxEvents, minHistory, bookmarkInterval, watcherBuffer,
                slowWatcherTimeout, waitTimeout, listPageSize, deliveryThreads, nanoTime);
    }

    public WatchCacheConfig withBookmarkInterval(Duration bookmarkInterval) {
        return new WatchCacheConfig(prefix, minEvents, maxEvents, minHistory, bookmarkInterval, watcherBuffer,
                slowWatcherTimeout, waitTimeout, listPageSize, deliveryThreads, nanoTime);
    }

    public WatchCacheConfig withWatcherBuffer(int watcherBuffer, Duration slowWatcherTimeout) {
        return new WatchCacheConfig(prefix, minEvents, maxEvents, minHistory, bookmarkInterval, watcherBuffer,
                slowWatcherTimeout, waitTimeout, listPageSize, deliveryThreads, nanoTime);
    }

    public WatchCacheConfig withWaitTimeout(Duration waitTimeout) {
        return new WatchCacheConfig(prefix, minEvents, maxEvents, minHistory, bookmarkInterval, watcherBuffer,
                slowWatcherTimeout, waitTimeout, listPageSize, deliveryThreads, nanoTime);
    }

    public WatchCacheConfig withListPageSize(int listPageSize) {
        return new WatchCacheConfig(prefix, minEvents, maxEvents, minHistory, bookmarkInterval, watcherBuffer,
                slowWatcherTimeout, waitTimeout, listPageSize, deliveryThreads, nanoTime);
    }

    public WatchCacheConfig withDeliveryThreads(int deliveryThreads) {
        return new WatchCacheConfig(prefix, minEvents, maxEvents, minHistory, bookmarkInterval, watcherBuffer,
                slowWatcherTimeout, waitTimeout, listPageSize, deliveryThreads, nanoTime);
    }

    public WatchCacheConfig withNanoTime(LongSupplier nanoTime) {
        return new WatchCacheConfig(prefix, minEvents, maxEvents, minHistory, bookmarkInterval, watcherBuffer,
                slowWatcherTimeout, waitTimeout, listPageSize, deliveryThreads, nanoTime);
    }

    private static void requirePositive(String name, Duration d) {
        if (d == null || d.isZero() || d.isNegative()) {
            throw new IllegalArgumentException(name + " must be positive: " + d);
        }
    }
}
