package io.keelson.watch;

import java.util.ArrayList;
import java.util.List;
import org.jetbrains.kotlinx.lincheck.LinChecker;
import org.jetbrains.kotlinx.lincheck.annotations.Operation;
import org.jetbrains.kotlinx.lincheck.annotations.Param;
import org.jetbrains.kotlinx.lincheck.paramgen.IntGen;
import org.jetbrains.kotlinx.lincheck.strategy.managed.modelchecking.ModelCheckingOptions;
import org.jetbrains.kotlinx.lincheck.strategy.stress.StressOptions;
import org.junit.jupiter.api.Test;

/**
 * Lincheck over the buffer between the dispatcher and a watch's drain loop: offers (all or nothing),
 * ends, polls and the refusal/room signal, run concurrently, must be linearizable. A broken lock protocol
 * here would show as a lost or duplicated event, an event after the end, or a lost catch-up signal.
 */
@Param(name = "batch", gen = IntGen.class, conf = "1:3")
@Param(name = "revision", gen = IntGen.class, conf = "1:5")
public class WatchBufferLincheckTest {
    private final WatchBuffer buffer = new WatchBuffer(3);

    @Operation
    public String offer(@Param(name = "batch") int size, @Param(name = "revision") int revision) {
        List<CacheEvent> batch = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            batch.add(CacheEvent.bookmark(revision * 10L + i, false));
        }
        return buffer.offer(batch).name();
    }

    @Operation
    public String end(@Param(name = "revision") int revision) {
        return buffer.end(CacheEvent.ended(CacheEvent.EndReason.CLOSED, "test", revision)).name();
    }

    /** The polled event's revision, with the end marked; "stop" when the drain must stop. */
    @Operation
    public String poll() {
        CacheEvent e = buffer.poll();
        if (e == null) {
            return "stop";
        }
        return (e.type() == CacheEvent.Type.ENDED ? "end@" : "") + e.revision();
    }

    @Operation
    public boolean roomAfterRefusal() {
        return buffer.roomAfterRefusal();
    }

    @Operation
    public int free() {
        return buffer.free();
    }

    @Test
    void modelChecking() {
        LinChecker.check(WatchBufferLincheckTest.class, new ModelCheckingOptions().iterations(20)
                .invocationsPerIteration(500).threads(2).actorsPerThread(3));
    }

    @Test
    void stress() {
        LinChecker.check(WatchBufferLincheckTest.class, new StressOptions().iterations(20)
                .invocationsPerIteration(2_000).threads(3).actorsPerThread(3));
    }
}
