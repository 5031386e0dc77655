package io.keelson.kernel.workqueue;

import java.util.concurrent.atomic.AtomicLong;
import org.jetbrains.kotlinx.lincheck.LinChecker;
import org.jetbrains.kotlinx.lincheck.annotations.Operation;
import org.jetbrains.kotlinx.lincheck.annotations.Param;
import org.jetbrains.kotlinx.lincheck.paramgen.IntGen;
import org.jetbrains.kotlinx.lincheck.strategy.managed.modelchecking.ModelCheckingOptions;
import org.jetbrains.kotlinx.lincheck.strategy.stress.StressOptions;
import org.junit.jupiter.api.Test;

/**
 * Lincheck over the work queue's contract: concurrent adds, polls and dones must be linearizable, so an item is
 * never handed to two workers at once, repeated adds merge, and an add during processing or a rest is not lost.
 */
@Param(name = "item", gen = IntGen.class, conf = "1:3")
public class WorkQueueLincheckTest {
    private final AtomicLong clock = new AtomicLong();
    private final WorkQueue<Integer> queue = WorkQueue.create(clock::get);

    @Operation
    public void add(@Param(name = "item") int item) {
        queue.add(item);
    }

    @Operation
    public Integer poll() {
        return queue.poll();
    }

    @Operation
    public void done(@Param(name = "item") int item) {
        queue.done(item);
    }

    /** A done that rests the item for one tick of the clock. */
    @Operation
    public void doneResting(@Param(name = "item") int item) {
        queue.done(item, java.time.Duration.ofNanos(1));
    }

    @Operation
    public void tick() {
        clock.incrementAndGet();
    }

    @Operation
    public boolean isIdle() {
        return queue.isIdle();
    }

    @Operation
    public int length() {
        return queue.length();
    }

    @Test
    void modelChecking() {
        LinChecker.check(WorkQueueLincheckTest.class, new ModelCheckingOptions().iterations(20)
                .invocationsPerIteration(200).threads(2).actorsPerThread(4));
    }

    @Test
    void stress() {
        LinChecker.check(WorkQueueLincheckTest.class, new StressOptions().iterations(10)
                .invocationsPerIteration(1_000).threads(3).actorsPerThread(3));
    }
}
