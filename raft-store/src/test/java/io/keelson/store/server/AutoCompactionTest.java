package io.keelson.store.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.keelson.store.KeelsonStore;
import io.keelson.store.PutRequest;
import io.keelson.store.StoreMember;
import io.keelson.store.TestStores;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AutoCompactionTest {
    @TempDir
    Path dir;
    StoreMember member;
    ScheduledExecutorService unused;
    final AtomicLong clock = new AtomicLong();

    @BeforeEach
    void open() {
        member = KeelsonStore.open(TestStores.singleNode(dir));
        unused = Executors.newSingleThreadScheduledExecutor();
    }

    @AfterEach
    void close() {
        unused.shutdownNow();
        member.close();
    }

    private long put(String key) {
        return member.put(PutRequest.of(key, "v")).join().header().revision();
    }

    private void advance(Duration d) {
        clock.addAndGet(d.toNanos());
    }

    @Test
    void periodic_compactsToTheRevisionOfOneRetentionAgo() {
        AutoCompaction c = new AutoCompaction(member, new AutoCompaction.Periodic(Duration.ofHours(1)), clock::get,
                unused);
        assertThat(c.interval()).isEqualTo(Duration.ofMinutes(6));
        long hourAgo = put("/a");
        c.tick();
        advance(Duration.ofMinutes(30));
        long halfHourAgo = put("/b");
        c.tick();
        put("/c");
        advance(Duration.ofMinutes(29));
        c.tick();
        assertThat(member.status().compactRevision()).as("nothing is an hour old yet").isZero();

        advance(Duration.ofMinutes(1));
        c.tick();
        assertThat(member.status().compactRevision()).isEqualTo(hourAgo);

        advance(Duration.ofMinutes(30));
        c.tick();
        assertThat(member.status().compactRevision()).isEqualTo(halfHourAgo);
    }

    @Test
    void revision_keepsTheGivenNumberOfRevisions() {
        AutoCompaction c = new AutoCompaction(member, new AutoCompaction.Revisions(5), clock::get, unused);
        long last = 0;
        for (int i = 0; i < 12; i++) {
            last = put("/k" + i);
        }
        c.tick();
        assertThat(member.status().compactRevision()).isEqualTo(last - 5);
        c.tick();
        assertThat(member.status().compactRevision()).as("nothing new to compact").isEqualTo(last - 5);
    }

    @Test
    void flagsParseAsEtcdReadsThem() {
        assertThat(AutoCompaction.Policy.parse("periodic", "1")).isEqualTo(new AutoCompaction.Periodic(Duration.ofHours(1)));
        assertThat(AutoCompaction.Policy.parse("periodic", "30m"))
                .isEqualTo(new AutoCompaction.Periodic(Duration.ofMinutes(30)));
        assertThat(AutoCompaction.Policy.parse("periodic", "1h30m"))
                .isEqualTo(new AutoCompaction.Periodic(Duration.ofMinutes(90)));
        assertThat(AutoCompaction.Policy.parse("revision", "1000")).isEqualTo(new AutoCompaction.Revisions(1000));
        assertThat(AutoCompaction.Policy.parse("periodic", "0")).isNull();
        assertThat(AutoCompaction.Policy.parse("revision", "0")).isNull();
        assertThatThrownBy(() -> AutoCompaction.Policy.parse("revision", "1h"))
                .hasMessageContaining("number of revisions");
        assertThatThrownBy(() -> AutoCompaction.Policy.parse("periodic", "soon"))
                .hasMessageContaining("expected hours");
        assertThatThrownBy(() -> AutoCompaction.Policy.parse("weekly", "1"))
                .hasMessageContaining("'periodic' or 'revision'");
    }
}
