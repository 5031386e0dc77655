package io.keelson.kernel.scheduler;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntPredicate;

/**
 * Runs per-node work over a fixed number of workers in chunks, as kube-scheduler's parallelizer (chunk size about
 * the square root of the work, at most an even share), and lets the work stop early.
 */
final class Parallelizer {
    private final int parallelism;
    private final ExecutorService workers;

    Parallelizer(int parallelism, ExecutorService workers) {
        this.parallelism = parallelism;
        this.workers = workers;
    }

    /**
     * Calls {@code work} for indexes 0..pieces-1 until it returns false for one (then the rest is skipped).
     * The caller's thread takes part.
     */
    void until(int pieces, IntPredicate work) {
        int chunk = chunkSize(pieces);
        int chunks = (pieces + chunk - 1) / chunk;
        AtomicInteger next = new AtomicInteger();
        AtomicBoolean stop = new AtomicBoolean();
        Runnable worker = () -> {
            for (int c; !stop.get() && (c = next.getAndIncrement()) < chunks; ) {
                for (int i = c * chunk, end = Math.min(pieces, i + chunk); i < end; i++) {
                    if (!work.test(i)) {
                        stop.set(true);
                        return;
                    }
                }
            }
        };
        int helpers = Math.min(parallelism, chunks) - 1; // 0 with one worker: all on the caller's thread
        List<Future<?>> futures = new ArrayList<>(Math.max(helpers, 0));
        for (int i = 0; i < helpers; i++) {
            futures.add(workers.submit(worker));
        }
        worker.run();
        for (Future<?> f : futures) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            } catch (ExecutionException e) {
                throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
            }
        }
    }

    /** Calls {@code work} for every index. */
    void all(int pieces, java.util.function.IntConsumer work) {
        until(pieces, i -> {
            work.accept(i);
            return true;
        });
    }

    private int chunkSize(int pieces) {
        int s = (int) Math.sqrt(pieces);
        int share = pieces / parallelism + 1;
        return Math.max(1, Math.min(s, share));
    }
}
