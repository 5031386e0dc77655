package io.keelson.store.raft;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Linearizable reads in batches, as etcd does: one ReadIndex round serves every read that arrived
 * before it started. A read that arrives while a round is in flight waits for the next round, because
 * the running round may have fixed its read index before the read began.
 */
final class ReadBarrier {
    private final Supplier<CompletableFuture<?>> readIndex;
    private final Executor readers;
    private final Function<Throwable, RuntimeException> failures;
    private final Object lock = new Object();
    // guarded by lock
    private List<Runnable> waiting = new ArrayList<>();
    private List<CompletableFuture<?>> waitingFutures = new ArrayList<>();
    private boolean roundInFlight;

    ReadBarrier(Supplier<CompletableFuture<?>> readIndex, Executor readers,
                Function<Throwable, RuntimeException> failures) {
        this.readIndex = readIndex;
        this.readers = readers;
        this.failures = failures;
    }

    /** Runs {@code read} on a reader thread once this member has applied everything committed before now. */
    <T> CompletableFuture<T> read(Supplier<T> read) {
        CompletableFuture<T> future = new CompletableFuture<>();
        Runnable task = () -> {
            try {
                future.complete(read.get());
            } catch (RuntimeException e) {
                future.completeExceptionally(e);
            }
        };
        boolean start;
        synchronized (lock) {
            waiting.add(task);
            waitingFutures.add(future);
            start = !roundInFlight;
            roundInFlight = true;
        }
        if (start) {
            startRound();
        }
        return future;
    }

    private void startRound() {
        List<Runnable> tasks;
        List<CompletableFuture<?>> futures;
        synchronized (lock) {
            tasks = waiting;
            futures = waitingFutures;
            waiting = new ArrayList<>();
            waitingFutures = new ArrayList<>();
        }
        CompletableFuture<?> round;
        try {
            round = readIndex.get();
        } catch (RuntimeException e) {
            round = CompletableFuture.failedFuture(e);
        }
        round.whenComplete((ignored, error) -> {
            if (error == null) {
                readers.execute(() -> tasks.forEach(Runnable::run));
            } else {
                RuntimeException failure = failures.apply(error);
                futures.forEach(f -> f.completeExceptionally(failure));
            }
            boolean again;
            synchronized (lock) {
                again = !waiting.isEmpty();
                roundInFlight = again;
            }
            if (again) {
                startRound();
            }
        });
    }
}
