package io.keelson.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;

/** Records one watch's responses and checks etcd's watch guarantees on them. */
class WatchStream implements Consumer<WatchResponse> {
    final List<WatchResponse> responses = new CopyOnWriteArrayList<>();

    @Override
    public void accept(WatchResponse r) {
        responses.add(r);
    }

    List<Event> events() {
        List<Event> out = new ArrayList<>();
        for (WatchResponse r : responses) {
            out.addAll(r.events());
        }
        return out;
    }

    /** The revision of the last event delivered so far, 0 before any (one snapshot: the stream grows as it is read). */
    long lastEventRevision() {
        List<Event> events = events();
        return events.isEmpty() ? 0 : events.get(events.size() - 1).revision();
    }

    void awaitEvents(int count) throws InterruptedException {
        await(s -> s.events().size() >= count, "at least " + count + " events");
    }

    void awaitKind(WatchResponse.Kind kind) throws InterruptedException {
        await(s -> s.responses.stream().anyMatch(r -> r.kind() == kind), "a " + kind + " response");
    }

    void await(Predicate<WatchStream> condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.test(this)) {
            assertThat(System.nanoTime()).as("waiting for " + what + ", got " + responses).isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    /** Ordered, unique, atomic and bookmarkable (etcd's validators); CREATED first, nothing after CANCELED. */
    void assertGuarantees() {
        assertThat(responses).isNotEmpty();
        assertThat(responses.get(0).kind()).isEqualTo(WatchResponse.Kind.CREATED);
        long lastEventRevision = 0;
        long lastBookmark = 0;
        Set<String> seen = new HashSet<>();
        boolean canceled = false;
        for (WatchResponse r : responses) {
            assertThat(canceled).as("nothing after CANCELED").isFalse();
            canceled = r.canceled();
            if (r.kind() == WatchResponse.Kind.PROGRESS) {
                assertThat(r.header().revision()).as("bookmark covers delivered events")
                        .isGreaterThanOrEqualTo(lastEventRevision).isGreaterThanOrEqualTo(lastBookmark);
                lastBookmark = r.header().revision();
                continue;
            }
            if (!r.events().isEmpty()) {
                assertThat(r.events().get(0).revision()).as("atomic: a revision is never split")
                        .isGreaterThan(lastEventRevision);
                assertThat(r.events().get(0).revision()).as("bookmarkable: nothing at or before a bookmark")
                        .isGreaterThan(lastBookmark);
            }
            for (Event e : r.events()) {
                assertThat(e.revision()).as("ordered").isGreaterThanOrEqualTo(lastEventRevision);
                assertThat(seen.add(e.revision() + "/" + e.kv().keyUtf8())).as("unique " + e).isTrue();
                lastEventRevision = e.revision();
            }
        }
    }
}
