package io.keelson.kernel;

import io.keelson.store.KvStore;
import io.keelson.watch.WatchCache;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.random.RandomGenerator;

/** What every resource store shares: the store, the injected clock and randomness, admission, the caches. */
record Environment(KvStore store, Clock clock, RandomGenerator random, List<AdmissionPlugin> admission,
                   Function<ResourceType<?>, WatchCache> caches, Duration requestTimeout, ObjectLeases leases,
                   ServiceRanges serviceRanges, Kernel kernel, Executor executor) {
    /** Characters of generated names: no vowels (no words), no look-alikes ({@code names.SimpleNameGenerator}). */
    private static final String NAME_CHARACTERS = "bcdfghjklmnpqrstvwxz2456789";

    /** RFC 3339 to the second, as metav1.Time serialises. */
    String now() {
        return timestamp(clock.instant());
    }

    static String timestamp(Instant instant) {
        return Timestamps.time(instant);
    }

    /** A random (version 4) UUID from the injected randomness. */
    String uid() {
        long msb = (random.nextLong() & ~0xF000L) | 0x4000L;
        long lsb = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(msb, lsb).toString();
    }

    /** {@code generateName}'s name: the base cut to 58 characters, then 5 random characters. */
    String generatedName(String base) {
        StringBuilder name = new StringBuilder(base.length() > 58 ? base.substring(0, 58) : base);
        for (int i = 0; i < 5; i++) {
            name.append(NAME_CHARACTERS.charAt(random.nextInt(NAME_CHARACTERS.length())));
        }
        return name.toString();
    }

    /** Waits for a store call, mapping its failures to Statuses. */
    <R> R await(CompletableFuture<R> call, String what) {
        try {
            return call.get(requestTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw failure(call, e.getCause(), what);
        } catch (TimeoutException e) {
            throw failure(call, e, what);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw Statuses.internal("interrupted: " + what);
        }
    }

    /** The store call's outcome, its failures mapped to Statuses as {@link #await} maps them, without waiting. */
    <R> CompletableFuture<R> async(CompletableFuture<R> call, String what) {
        return call.orTimeout(requestTimeout.toMillis(), TimeUnit.MILLISECONDS).exceptionallyCompose(e ->
                CompletableFuture.failedFuture(failure(call, e instanceof CompletionException
                        || e instanceof ExecutionException ? e.getCause() : e, what)));
    }

    /** The Status a store call's failure answers with: the call's own, a timeout (cancelling it), or internal. */
    private static ApiException failure(CompletableFuture<?> call, Throwable cause, String what) {
        if (cause instanceof ApiException a) {
            return a;
        }
        if (cause instanceof TimeoutException) {
            call.cancel(false);
            return Statuses.timeout("request did not complete within requested timeout - " + what);
        }
        return Statuses.internal(what + ": " + cause.getMessage());
    }
}
