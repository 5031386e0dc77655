package io.keelson.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Concurrent writers, watchers started at random past revisions (some slow, some on compacted
 * revisions) and random compactions. Every watcher's stream is checked against the complete history
 * recorded by a reference watcher for the six guarantees: ordered, unique, atomic, bookmarkable,
 * reliable (exactly the matching events from its start revision, unless canceled for compaction)
 * and resumable (re-watching from the last revision + 1 yields the rest, or a compaction cancel).
 */
class WatchRandomizedTest {
    @TempDir
    Path dir;

    private record Started(WatchRequest request, WatchStream stream) {
    }

    @ParameterizedTest
    @ValueSource(longs = {11, 23, 47})
    void randomWorkload_everyStreamKeepsTheGuarantees(long seed) throws Exception {
        Random random = new Random(seed);
        try (StoreMember store = KeelsonStore.open(TestStores.singleNode(dir)
                .withWatchProgressInterval(Duration.ofMillis(100)))) {
            long first = store.status().revision() + 1;
            WatchStream reference = new WatchStream();
            store.watch(WatchRequest.all().withPrevKv(), reference);

            AtomicBoolean failed = new AtomicBoolean();
            List<Thread> writers = new ArrayList<>();
            for (int w = 0; w < 3; w++) {
                Random r = new Random(seed * 31 + w);
                Thread t = new Thread(() -> write(store, r, failed));
                writers.add(t);
                t.start();
            }
            List<Started> watchers = new ArrayList<>();
            long compacted = 0;
            // watchers keep being added (from past revisions) until enough started, however fast the writers are
            while (writers.stream().anyMatch(Thread::isAlive) || watchers.size() <= 10) {
                long head = store.status().revision();
                int dice = random.nextInt(10);
                if (dice < 6) {
                    long start = first + (long) (random.nextDouble() * (head - first + 1));
                    String prefix = List.of("", "r/1", "r/").get(random.nextInt(3));
                    WatchRequest req = (prefix.isEmpty() ? WatchRequest.all() : WatchRequest.prefix(prefix))
                            .fromRevision(Math.max(1, start));
                    WatchStream stream = random.nextInt(4) == 0 ? slowStream() : new WatchStream();
                    store.watch(req, stream);
                    watchers.add(new Started(req, stream));
                } else if (dice == 6 && seen(reference) - 20 > compacted) {
                    // never past what the reference has seen: it must record the whole history
                    long target = compacted + 1 + (long) (random.nextDouble() * (seen(reference) - 20 - compacted));
                    store.compact(target).join();
                    compacted = target;
                }
                Thread.sleep(15);
            }
            assertThat(failed).isFalse();
            assertThat(watchers).as("the workload started watchers").hasSizeGreaterThan(10);
            long last = store.status().revision();
            reference.await(s -> s.lastEventRevision() == last, "the reference watcher reaching " + last);
            reference.assertGuarantees();
            List<Event> history = reference.events();

            for (Started w : watchers) {
                WatchStream s = w.stream();
                s.await(x -> ended(x) || caughtUp(x, w.request(), history, last), "watch " + w + " to finish");
                s.assertGuarantees();
                List<Event> expected = matching(history, w.request(), w.request().startRevision());
                List<Event> got = s.events();
                assertThat(revisionsAndKeys(got)).as("a prefix of the expected stream")
                        .isEqualTo(revisionsAndKeys(expected.subList(0, got.size())));
                if (ended(s)) {
                    WatchResponse end = s.responses.get(s.responses.size() - 1);
                    assertThat(end.compactRevision()).as("only compaction ends a watch here").isPositive();
                    long resumeAt = got.isEmpty() ? w.request().startRevision() : got.get(got.size() - 1).revision() + 1;
                    assertThat(end.compactRevision()).isGreaterThan(resumeAt - 1);
                    // resume from the oldest revision still available (later compactions may have moved it)
                    long resumeFrom = Math.max(end.compactRevision(), compacted);
                    WatchStream resumed = new WatchStream();
                    store.watch(w.request().fromRevision(resumeFrom), resumed);
                    List<Event> rest = matching(history, w.request(), resumeFrom);
                    resumed.awaitEvents(rest.size());
                    assertThat(revisionsAndKeys(resumed.events())).isEqualTo(revisionsAndKeys(rest));
                } else {
                    assertThat(revisionsAndKeys(got)).as("reliable").isEqualTo(revisionsAndKeys(expected));
                }
            }
        }
    }

    private static void write(StoreMember store, Random r, AtomicBoolean failed) {
        try {
            for (int i = 0; i < 200; i++) {
                String k = "r/" + r.nextInt(20);
                int op = r.nextInt(10);
                if (op < 6) {
                    store.put(PutRequest.of(k, "v" + i)).get(10, TimeUnit.SECONDS);
                } else if (op < 8) {
                    store.delete(DeleteRangeRequest.key(k)).get(10, TimeUnit.SECONDS);
                } else {
                    String other = "q/" + r.nextInt(5);
                    store.txn(TxnRequest.of(List.of(), List.of(PutRequest.of(k, "t" + i), PutRequest.of(other, "t")),
                            List.of())).get(10, TimeUnit.SECONDS);
                }
            }
        } catch (Exception e) {
            failed.set(true);
        }
    }

    /** A listener that takes its time, so its watcher falls behind and catches up from history. */
    private static WatchStream slowStream() {
        return new WatchStream() {
            @Override
            public void accept(WatchResponse r) {
                super.accept(r);
                try {
                    Thread.sleep(2);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
    }

    private static long seen(WatchStream s) {
        List<Event> events = s.events();
        return events.isEmpty() ? 0 : events.get(events.size() - 1).revision();
    }

    private static boolean ended(WatchStream s) {
        return s.responses.stream().anyMatch(WatchResponse::canceled);
    }

    private static boolean caughtUp(WatchStream s, WatchRequest req, List<Event> history, long last) {
        return s.events().size() >= matching(history, req, req.startRevision()).size();
    }

    private static List<Event> matching(List<Event> history, WatchRequest req, long from) {
        return history.stream().filter(e -> e.revision() >= from
                && KeyRanges.contains(req.key(), req.rangeEnd(), e.kv().key())).toList();
    }

    private static List<String> revisionsAndKeys(List<Event> events) {
        return events.stream().map(e -> e.revision() + ":" + e.type() + ":" + e.kv().keyUtf8() + "="
                + e.kv().valueUtf8()).toList();
    }
}
