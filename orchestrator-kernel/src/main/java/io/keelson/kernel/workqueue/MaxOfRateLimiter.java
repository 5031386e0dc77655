package io.keelson.kernel.workqueue;

import java.time.Duration;
import java.util.List;

/** The longest of several limiters' delays. */
final class MaxOfRateLimiter<T> implements RateLimiter<T> {
    private final List<RateLimiter<T>> limiters;

    MaxOfRateLimiter(List<RateLimiter<T>> limiters) {
        if (limiters.isEmpty()) {
            throw new IllegalArgumentException("no limiters");
        }
        this.limiters = List.copyOf(limiters);
    }

    @Override
    public Duration when(T item) {
        Duration max = Duration.ZERO;
        for (RateLimiter<T> l : limiters) {
            Duration d = l.when(item);
            if (d.compareTo(max) > 0) {
                max = d;
            }
        }
        return max;
    }

    @Override
    public void forget(T item) {
        limiters.forEach(l -> l.forget(item));
    }

    @Override
    public int numRequeues(T item) {
        int max = 0;
        for (RateLimiter<T> l : limiters) {
            max = Math.max(max, l.numRequeues(item));
        }
        return max;
    }
}
