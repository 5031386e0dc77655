package io.keelson.kernel.workqueue;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;

/** {@code base * 2^failures}, capped at {@code max} (client-go's ItemExponentialFailureRateLimiter). */
final class ExponentialRateLimiter<T> implements RateLimiter<T> {
    private final long baseNanos;
    private final long maxNanos;
    private final ConcurrentHashMap<T, Integer> failures = new ConcurrentHashMap<>();

    ExponentialRateLimiter(Duration base, Duration max) {
        if (base.isNegative() || max.compareTo(base) < 0) {
            throw new IllegalArgumentException("need 0 <= base <= max: " + base + ", " + max);
        }
        this.baseNanos = base.toNanos();
        this.maxNanos = max.toNanos();
    }

    @Override
    public Duration when(T item) {
        int exp = failures.merge(item, 1, Integer::sum) - 1;
        if (exp >= 62 || baseNanos == 0) {
            return Duration.ofNanos(baseNanos == 0 ? 0 : maxNanos);
        }
        double backoff = baseNanos * Math.pow(2, exp);
        return Duration.ofNanos(backoff > maxNanos ? maxNanos : (long) backoff);
    }

    @Override
    public void forget(T item) {
        failures.remove(item);
    }

    @Override
    public int numRequeues(T item) {
        return failures.getOrDefault(item, 0);
    }
}
