package io.keelson.store.raft;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** etcd's simple tokens: valid while used within the TTL, dropped with their user or when auth is disabled. */
class TokensTest {
    final AtomicLong now = new AtomicLong();
    final Tokens tokens = new Tokens(now::get, java.time.Duration.ofMinutes(5));

    private void advanceSeconds(long seconds) {
        now.addAndGet(TimeUnit.SECONDS.toNanos(seconds));
    }

    @Test
    void aTokenLastsFiveMinutesFromItsLastUse() {
        tokens.issued("t1", "alice");
        advanceSeconds(299);
        assertThat(tokens.user("t1")).contains("alice"); // and renewed
        advanceSeconds(299);
        assertThat(tokens.user("t1")).contains("alice");
        advanceSeconds(301);
        assertThat(tokens.user("t1")).isEmpty();
        assertThat(tokens.user("never-issued")).isEmpty();
    }

    @Test
    void tokensAreDroppedWithTheirUser_orAllAtOnce() {
        tokens.issued("a1", "alice");
        tokens.issued("a2", "alice");
        tokens.issued("b1", "bob");
        tokens.dropUser("alice");
        assertThat(tokens.user("a1")).isEmpty();
        assertThat(tokens.user("a2")).isEmpty();
        assertThat(tokens.user("b1")).contains("bob");
        tokens.dropAll();
        assertThat(tokens.user("b1")).isEmpty();
    }
}
