package io.keelson.store.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ReadBarrierTest {
    private final List<CompletableFuture<Void>> rounds = new ArrayList<>();

    private ReadBarrier asyncRounds() {
        return new ReadBarrier(() -> {
            CompletableFuture<Void> round = new CompletableFuture<>();
            rounds.add(round);
            return round;
        }, Runnable::run, e -> new IllegalStateException("round failed", e));
    }

    @Test
    void aReadArrivingDuringARound_waitsForTheNextRound() {
        ReadBarrier barrier = asyncRounds();
        CompletableFuture<String> first = barrier.read(() -> "first");
        CompletableFuture<String> second = barrier.read(() -> "second");
        assertEquals(1, rounds.size(), "one round at a time");

        rounds.get(0).complete(null);
        assertEquals("first", first.join());
        assertFalse(second.isDone(), "the first round may have fixed its index before the second read began");
        assertEquals(2, rounds.size());

        rounds.get(1).complete(null);
        assertEquals("second", second.join());
    }

    @Test
    void aFailedRound_failsItsReads_andTheNextRoundStillRuns() {
        ReadBarrier barrier = asyncRounds();
        CompletableFuture<String> first = barrier.read(() -> "first");
        CompletableFuture<String> second = barrier.read(() -> "second");
        RuntimeException noLeader = new RuntimeException("no leader");
        rounds.get(0).completeExceptionally(noLeader);

        ExecutionException failed = assertThrows(ExecutionException.class, first::get);
        assertInstanceOf(IllegalStateException.class, failed.getCause());
        assertSame(noLeader, failed.getCause().getCause());
        rounds.get(1).complete(null);
        assertEquals("second", second.join());
    }

    /**
     * A single member's rounds complete at once. Reads that keep arriving while each round runs are
     * served round after round without the stack growing with them.
     */
    @Test
    void roundsThatCompleteAtOnce_serveAnEndlessStreamOfReadsWithoutRecursion() {
        int reads = 200_000;
        AtomicInteger served = new AtomicInteger();
        List<CompletableFuture<Integer>> futures = new ArrayList<>();
        ReadBarrier[] barrier = new ReadBarrier[1];
        barrier[0] = new ReadBarrier(() -> {
            // another client's read arrives while this round runs
            if (futures.size() < reads - 1) { // the first read is added below, once it has been served
                futures.add(barrier[0].read(served::incrementAndGet));
            }
            return CompletableFuture.completedFuture(null);
        }, Runnable::run, IllegalStateException::new);

        futures.add(barrier[0].read(served::incrementAndGet));

        assertEquals(reads, futures.size());
        assertTrue(futures.stream().allMatch(CompletableFuture::isDone));
        assertEquals(reads, served.get());
    }
}
