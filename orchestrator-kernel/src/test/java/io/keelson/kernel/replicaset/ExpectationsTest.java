package io.keelson.kernel.replicaset;

import static org.assertj.core.api.Assertions.assertThat;

import io.keelson.kernel.FakeClock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** ControllerExpectations: outstanding creations and deletions hold the controller back until seen or expired. */
class ExpectationsTest {
    private final FakeClock clock = new FakeClock();
    private final Expectations expectations = new Expectations(clock);

    @Test
    void creations_areSatisfiedOnceAllAreObserved() {
        assertThat(expectations.satisfied("ns/rs")).as("nothing recorded").isTrue();
        expectations.expectCreations("ns/rs", 2);
        assertThat(expectations.satisfied("ns/rs")).isFalse();
        expectations.creationObserved("ns/rs");
        assertThat(expectations.satisfied("ns/rs")).isFalse();
        expectations.creationObserved("ns/rs");
        assertThat(expectations.satisfied("ns/rs")).isTrue();
    }

    @Test
    void deletions_countEachPodOnce_evenWhenSeenGoingTwice() {
        expectations.expectDeletions("ns/rs", List.of("ns/a", "ns/b"));
        expectations.deletionObserved("ns/rs", "ns/a");
        expectations.deletionObserved("ns/rs", "ns/a"); // marked for deletion, then gone
        assertThat(expectations.satisfied("ns/rs")).isFalse();
        expectations.deletionObserved("ns/rs", "ns/b");
        assertThat(expectations.satisfied("ns/rs")).isTrue();
    }

    @Test
    void expectations_expireAfterFiveMinutes_andCanBeForgotten() {
        expectations.expectCreations("ns/rs", 1);
        clock.advance(Duration.ofMinutes(5).minusSeconds(1));
        assertThat(expectations.satisfied("ns/rs")).isFalse();
        clock.advance(Duration.ofSeconds(1));
        assertThat(expectations.satisfied("ns/rs")).isTrue();
        expectations.expectCreations("ns/other", 1);
        expectations.forget("ns/other");
        assertThat(expectations.satisfied("ns/other")).isTrue();
    }
}
