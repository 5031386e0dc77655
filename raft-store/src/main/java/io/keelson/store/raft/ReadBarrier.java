package io.keelson.store.raft;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
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

    /**
     * Runs rounds until no read is waiting. A round that completes at once (a single member's read
     * index needs no network round) is finished here in the loop rather than by recursion, so a steady
     * stream of reads cannot grow the stack; a round still in flight continues from its callback.
     */
    private void startRound() {
        while (true) {
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
            if (!round.isDone()) {
                round.whenComplete((ignored, error) -> {
                    if (finish(tasks, futures, error)) {
                        startRound();
                    }
                });
                return;
            }
            Throwable error = null;
            try {
                round.join();
            } catch (CompletionException | CancellationException e) {
                error = e;
            }
            if (!finish(tasks, futures, error)) {
                return;
            }
        }
    }

    /** Releases or fails one round's reads; whether more reads are waiting for the next round. */
    private boolean finish(List<Runnable> tasks, List<CompletableFuture<?>> futures, Throwable error) {
        if (error == null) {
            readers.execute(() -> tasks.forEach(Runnable::run));
        } else {
            RuntimeException failure = failures.apply(error);
            futures.forEach(f -> f.completeExceptionally(failure));
        }
        synchronized (lock) {
            boolean again = !waiting.isEmpty();
            roundInFlight = again;
            return again;
        }
    }
}
