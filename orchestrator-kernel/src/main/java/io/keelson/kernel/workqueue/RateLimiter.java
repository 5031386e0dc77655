package io.keelson.kernel.workqueue;

import java.time.Duration;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * How long an item waits before it is retried (client-go's {@code workqueue.TypedRateLimiter}).
 * Implementations are thread-safe.
 */
public interface RateLimiter<T> {
    /** The delay before {@code item} may be processed again; counts a failure of it. */
    Duration when(T item);

    /** Forgets the item's failures (it succeeded). */
    void forget(T item);

    /** How many times the item has been rate-limited since it was last forgotten. */
    int numRequeues(T item);

    /** Exponential per item: {@code base * 2^failures}, capped at {@code max}. */
    static <T> RateLimiter<T> exponential(Duration base, Duration max) {
        return new ExponentialRateLimiter<>(base, max);
    }

    /** A token bucket shared by all items: {@code qps} tokens a second, at most {@code burst} saved up. */
    static <T> RateLimiter<T> bucket(double qps, int burst, LongSupplier nanoTime) {
        return new BucketRateLimiter<>(qps, burst, nanoTime);
    }

    /** The longest delay of several limiters (each counts every failure). */
    @SafeVarargs
    static <T> RateLimiter<T> maxOf(RateLimiter<T>... limiters) {
        return new MaxOfRateLimiter<>(List.of(limiters));
    }

    /**
     * client-go's {@code DefaultControllerRateLimiter}: per item 5 ms doubling to 1000 s, combined with an overall
     * 10 qps, burst 100 bucket.
     */
    static <T> RateLimiter<T> controllerDefault(LongSupplier nanoTime) {
        return maxOf(exponential(Duration.ofMillis(5), Duration.ofSeconds(1000)), bucket(10, 100, nanoTime));
    }
}
