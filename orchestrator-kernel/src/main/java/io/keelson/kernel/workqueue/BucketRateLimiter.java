package io.keelson.kernel.workqueue;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * A token bucket over all items (golang.org/x/time/rate's reservation, as client-go's BucketRateLimiter uses it):
 * each {@link #when} takes a token, waiting for it when none is left.
 */
final class BucketRateLimiter<T> implements RateLimiter<T> {
    private final double tokensPerNano;
    private final int burst;
    private final LongSupplier nanoTime;
    /** guarded by this */
    private double tokens;
    /** guarded by this */
    private long last;

    BucketRateLimiter(double qps, int burst, LongSupplier nanoTime) {
        if (qps <= 0 || burst <= 0) {
            throw new IllegalArgumentException("qps and burst must be positive: " + qps + ", " + burst);
        }
        this.tokensPerNano = qps / 1e9;
        this.burst = burst;
        this.nanoTime = nanoTime;
        this.tokens = burst;
        this.last = nanoTime.getAsLong();
    }

    @Override
    public synchronized Duration when(T item) {
        long now = nanoTime.getAsLong();
        tokens = Math.min(burst, tokens + (now - last) * tokensPerNano);
        last = now;
        tokens -= 1;
        return tokens >= 0 ? Duration.ZERO : Duration.ofNanos((long) Math.ceil(-tokens / tokensPerNano));
    }

    @Override
    public void forget(T item) {
    }

    @Override
    public int numRequeues(T item) {
        return 0;
    }
}
