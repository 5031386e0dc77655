package io.keelson.store.raft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.keelson.store.ErrorCode;
import io.keelson.store.StoreException;
import io.keelson.store.raft.proto.Batch;
import io.keelson.store.raft.proto.Entry;
import io.keelson.store.raft.proto.Op;
import io.keelson.store.raft.proto.PutOp;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ProposerTest {
    /** A leader's log that records each appended entry and the thread that appended it. */
    private final class Log implements Proposer.Transport {
        final List<Batch> appended = new CopyOnWriteArrayList<>();
        final List<Thread> appendedOn = new CopyOnWriteArrayList<>();
        final List<CompletableFuture<Object>> pending = new CopyOnWriteArrayList<>();
        volatile boolean prompt = true;

        @Override
        public boolean leading() {
            return true;
        }

        @Override
        public boolean appendsPromptly() {
            return prompt;
        }

        @Override
        public CompletableFuture<?> append(byte[] entry) {
            CompletableFuture<Object> done = new CompletableFuture<>();
            pending.add(done); // before the batch: an entry seen in `appended` can be applied
            appendedOn.add(Thread.currentThread());
            try {
                for (ByteString group : Entry.parseFrom(entry).getGroupsList()) {
                    appended.add(Batch.parseFrom(group));
                }
            } catch (InvalidProtocolBufferException e) {
                throw new AssertionError(e);
            }
            return done;
        }

        @Override
        public CompletableFuture<?> forward(ByteString batch) {
            throw new AssertionError("a leader does not forward");
        }

        /** Commits and applies the {@code i}th entry: its operations' results are their keys. */
        void apply(int i) {
            Batch batch = appended.get(i);
            List<Object> results = new ArrayList<>();
            batch.getOpsList().forEach(op -> results.add(op.getPut().getKey().toStringUtf8()));
            proposer.applied(batch.getSequence(), results);
            pending.get(i).complete(null);
        }
    }

    private final Log log = new Log();
    private Proposer proposer;

    private Proposer start(int maxInFlight) {
        proposer = new Proposer("m1/test", log, 1000, 1 << 20, maxInFlight, 1 << 14, Runnable::run, e ->
                e instanceof StoreException s ? s : new StoreException(ErrorCode.TIMEOUT, e));
        proposer.start();
        return proposer;
    }

    @AfterEach
    void close() {
        if (proposer != null) {
            proposer.close();
        }
    }

    private static Op put(String key) {
        return Op.newBuilder().setPut(PutOp.newBuilder().setKey(ByteString.copyFromUtf8(key))).build();
    }

    @Test
    void aWriteToAnIdleProposerIsProposedOnTheCallersThreadAndCompletesWhenApplied() throws Exception {
        start(4);
        CompletableFuture<Object> put = proposer.propose(put("a"), 10);

        assertThat(log.appendedOn).containsExactly(Thread.currentThread());
        assertThat(put).isNotDone(); // appended is not applied
        log.apply(0);
        assertThat(put.get(5, TimeUnit.SECONDS)).isEqualTo("a");
    }

    @Test
    void aWriteIsLeftToTheProposerThreadWhileTheLogIsNotTakingAppendsPromptly() throws Exception {
        start(4);
        log.prompt = false; // an append could wait for room in the log's queue: not on the caller's thread
        CompletableFuture<Object> put = proposer.propose(put("a"), 10);

        waitFor(() -> log.appended.size() == 1);
        assertThat(log.appendedOn).hasSize(1).doesNotContain(Thread.currentThread());
        log.apply(0);
        assertThat(put.get(5, TimeUnit.SECONDS)).isEqualTo("a");
    }

    @Test
    void writesArrivingWhileTheOnlyProposalIsInFlightGoOutTogetherAsTheNextOne() throws Exception {
        start(1);
        CompletableFuture<Object> first = proposer.propose(put("a"), 10);
        List<CompletableFuture<Object>> next = new ArrayList<>();
        for (String key : List.of("b", "c", "d")) {
            next.add(proposer.propose(put(key), 10));
        }
        assertThat(log.appended).hasSize(1);

        log.apply(0); // frees the in-flight slot: the proposer thread takes the three queued writes
        waitFor(() -> log.appended.size() == 2);
        assertThat(log.appended.get(1).getOpsList()).extracting(op -> op.getPut().getKey().toStringUtf8())
                .containsExactly("b", "c", "d");
        assertThat(log.appended.get(1).getSequence()).isGreaterThan(log.appended.get(0).getSequence());
        log.apply(1);
        assertThat(first.get(5, TimeUnit.SECONDS)).isEqualTo("a");
        for (int i = 0; i < next.size(); i++) {
            assertThat(next.get(i).get(5, TimeUnit.SECONDS)).isEqualTo(List.of("b", "c", "d").get(i));
        }
    }

    @Test
    void concurrentWritersEachProposeExactlyOnceInTheirOwnOrder() throws Exception {
        start(2);
        int writers = 4;
        int perWriter = 2000;
        List<Thread> threads = new ArrayList<>();
        List<CompletableFuture<Object>> futures = Collections.synchronizedList(new ArrayList<>());
        for (int w = 0; w < writers; w++) {
            int writer = w;
            threads.add(new Thread(() -> {
                for (int i = 0; i < perWriter; i++) {
                    futures.add(proposer.propose(put(writer + "/" + i), 10));
                }
            }));
        }
        threads.forEach(Thread::start);
        // the test is the log: it commits and applies whatever has been appended, as it comes
        int applied = 0;
        int appliedEntries = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (applied < writers * perWriter && System.nanoTime() < deadline) {
            int entries = log.appended.size();
            for (int i = appliedEntries; i < entries; i++) {
                log.apply(i);
                applied += log.appended.get(i).getOpsCount();
            }
            appliedEntries = entries;
            Thread.onSpinWait();
        }
        for (Thread t : threads) {
            t.join();
        }
        List<Long> sequences = new ArrayList<>();
        List<List<Integer>> seen = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            seen.add(new ArrayList<>());
        }
        for (Batch b : log.appended) {
            sequences.add(b.getSequence());
            for (Op op : b.getOpsList()) {
                String[] parts = op.getPut().getKey().toStringUtf8().split("/");
                seen.get(Integer.parseInt(parts[0])).add(Integer.parseInt(parts[1]));
            }
        }
        assertThat(sequences).isSorted().doesNotHaveDuplicates();
        for (List<Integer> ops : seen) {
            assertThat(ops).hasSize(perWriter).isSorted();
        }
        for (CompletableFuture<Object> f : futures) {
            assertThat(f).isCompleted();
        }
    }

    @Test
    void closingFailsQueuedAndOutstandingWritesAsStopped() {
        start(1);
        CompletableFuture<Object> inFlight = proposer.propose(put("a"), 10);
        CompletableFuture<Object> queued = proposer.propose(put("b"), 10);
        proposer.close();

        for (CompletableFuture<Object> f : List.of(inFlight, queued)) {
            assertThatThrownBy(f::join).isInstanceOf(CompletionException.class)
                    .cause().isInstanceOf(StoreException.class)
                    .satisfies(e -> assertThat(((StoreException) e).code()).isEqualTo(ErrorCode.STOPPED));
        }
        assertThat(proposer.propose(put("c"), 10)).isCompletedExceptionally();
    }

    private static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met in 5 s");
            }
            Thread.sleep(1);
        }
    }
}
