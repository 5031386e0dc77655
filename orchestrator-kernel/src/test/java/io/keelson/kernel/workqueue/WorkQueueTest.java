package io.keelson.kernel.workqueue;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class WorkQueueTest {
    private final AtomicLong now = new AtomicLong();
    private final WorkQueue<String> queue = WorkQueue.create(now::get);

    @Test
    void add_twiceWhileWaiting_isHandedOutOnce() {
        queue.add("a");
        queue.add("b");
        queue.add("a");
        assertThat(queue.length()).isEqualTo(2);
        assertThat(queue.poll()).isEqualTo("a");
        assertThat(queue.poll()).isEqualTo("b");
        assertThat(queue.poll()).isNull();
    }

    @Test
    void add_whileProcessing_isNotHandedOutUntilDone_thenAgainOnce() {
        queue.add("a");
        String taken = queue.poll();
        queue.add("a");
        queue.add("a");
        assertThat(queue.poll()).isNull();
        queue.done(taken);
        assertThat(queue.poll()).isEqualTo("a");
        assertThat(queue.poll()).isNull();
    }

    @Test
    void done_withoutReAdd_forgetsTheItem() {
        queue.add("a");
        queue.done(queue.poll());
        assertThat(queue.poll()).isNull();
        queue.add("a");
        assertThat(queue.poll()).isEqualTo("a");
    }

    @Test
    void done_withARest_holdsTheItemsAddsUntilTheRestIsOver_andTheQueueIsNotIdleMeanwhile() {
        queue.add("a");
        String taken = queue.poll();
        queue.add("a"); // while processing
        queue.done(taken, Duration.ofMillis(3));
        queue.add("a"); // while resting: merged
        assertThat(queue.poll()).isNull();
        assertThat(queue.isIdle()).as("a change waits for the rest").isFalse();
        now.addAndGet(Duration.ofMillis(3).toNanos());
        assertThat(queue.poll()).isEqualTo("a");
        assertThat(queue.poll()).isNull();
        queue.done("a", Duration.ofMillis(3));
        assertThat(queue.isIdle()).as("resting with nothing to do").isTrue();
        now.addAndGet(Duration.ofMillis(3).toNanos());
        assertThat(queue.poll()).as("a rest that ends with no add hands nothing out").isNull();
        queue.add("a");
        assertThat(queue.poll()).isEqualTo("a");
    }

    @Test
    void aRestingItem_isDrainedOnShutDownWithDrain() throws InterruptedException {
        queue.add("a");
        String taken = queue.poll();
        queue.add("a");
        queue.done(taken, Duration.ofHours(1));
        Thread worker = new Thread(() -> {
            try {
                for (String item; (item = queue.take()) != null; ) {
                    queue.done(item, Duration.ofHours(1));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        worker.start();
        assertThat(queue.shutDownWithDrain(Duration.ofSeconds(10))).isTrue();
        worker.join(10_000);
        assertThat(queue.isIdle()).isTrue();
    }

    @Test
    void addAfter_becomesReadyWhenTheClockPassesTheDelay() {
        queue.addAfter("later", Duration.ofSeconds(5));
        queue.addAfter("sooner", Duration.ofSeconds(1));
        assertThat(queue.poll()).isNull();
        now.addAndGet(Duration.ofSeconds(1).toNanos());
        assertThat(queue.poll()).isEqualTo("sooner");
        now.addAndGet(Duration.ofSeconds(4).toNanos());
        assertThat(queue.poll()).isEqualTo("later");
    }

    @Test
    void addRateLimited_backsOffExponentiallyPerItem_andForgetResets() {
        RateLimiter<String> limiter = RateLimiter.exponential(Duration.ofMillis(5), Duration.ofSeconds(1000));
        List<Duration> delays = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            delays.add(limiter.when("a"));
        }
        assertThat(delays).containsExactly(Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(20),
                Duration.ofMillis(40), Duration.ofMillis(80));
        assertThat(limiter.when("b")).isEqualTo(Duration.ofMillis(5));
        assertThat(limiter.numRequeues("a")).isEqualTo(5);
        limiter.forget("a");
        assertThat(limiter.numRequeues("a")).isZero();
        assertThat(limiter.when("a")).isEqualTo(Duration.ofMillis(5));
        for (int i = 0; i < 40; i++) {
            limiter.when("c");
        }
        assertThat(limiter.when("c")).isEqualTo(Duration.ofSeconds(1000));
    }

    @Test
    void bucket_allowsItsBurst_thenOneItemPerTenthOfASecond() {
        RateLimiter<String> bucket = RateLimiter.bucket(10, 100, now::get);
        for (int i = 0; i < 100; i++) {
            assertThat(bucket.when("x" + i)).isZero();
        }
        assertThat(bucket.when("y")).isEqualTo(Duration.ofMillis(100));
        assertThat(bucket.when("z")).isEqualTo(Duration.ofMillis(200));
        now.addAndGet(Duration.ofMillis(200).toNanos()); // pays back the two tokens taken on credit
        assertThat(bucket.when("w")).isEqualTo(Duration.ofMillis(100));
        now.addAndGet(Duration.ofSeconds(11).toNanos()); // refills the burst, no more
        for (int i = 0; i < 100; i++) {
            assertThat(bucket.when("v" + i)).isZero();
        }
        assertThat(bucket.when("u")).isEqualTo(Duration.ofMillis(100));
    }

    @Test
    void controllerDefault_isTheMaxOfBothLimiters() {
        RateLimiter<String> limiter = RateLimiter.controllerDefault(now::get);
        assertThat(limiter.when("a")).isEqualTo(Duration.ofMillis(5));
        assertThat(limiter.when("a")).isEqualTo(Duration.ofMillis(10));
        assertThat(limiter.numRequeues("a")).isEqualTo(2);
    }

    @Test
    void shutDown_wakesWaitingWorkers_andTakeReturnsNull() throws Exception {
        CountDownLatch waiting = new CountDownLatch(1);
        List<String> result = new ArrayList<>();
        Thread worker = new Thread(() -> {
            try {
                waiting.countDown();
                result.add(String.valueOf(queue.take()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        worker.start();
        waiting.await();
        queue.shutDown();
        worker.join(5_000);
        assertThat(result).containsExactly("null");
        queue.add("ignored");
        assertThat(queue.poll()).isNull();
    }

    @Test
    void shutDownWithDrain_waitsForItemsBeingProcessed() throws Exception {
        queue.add("a");
        String taken = queue.poll();
        Thread finisher = new Thread(() -> {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            queue.done(taken);
        });
        finisher.start();
        assertThat(queue.shutDownWithDrain(Duration.ofSeconds(5))).isTrue();
        finisher.join();
    }
}
