package io.keelson.scheduler.plugins.helper;

import static org.assertj.core.api.Assertions.assertThat;

import io.keelson.kernel.scheduler.framework.NodeScore;
import io.keelson.scheduler.plugins.Fixtures;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** kube-scheduler's TestDefaultNormalizeScore cases. */
class ScoresTest {
    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of(false, new long[] {1, 2, 3, 4}, new long[] {25, 50, 75, 100}),
                Arguments.of(true, new long[] {1, 2, 3, 4}, new long[] {75, 50, 25, 0}),
                Arguments.of(false, new long[] {1000, 10, 20, 30}, new long[] {100, 1, 2, 3}),
                Arguments.of(true, new long[] {1000, 10, 20, 30}, new long[] {0, 99, 98, 97}),
                Arguments.of(false, new long[] {1, 1, 1, 1}, new long[] {100, 100, 100, 100}),
                Arguments.of(false, new long[] {1000, 1, 1, 1}, new long[] {100, 0, 0, 0}),
                Arguments.of(true, new long[] {0, 1, 1, 1}, new long[] {100, 0, 0, 0}),
                Arguments.of(false, new long[] {0, 0}, new long[] {0, 0}),
                Arguments.of(true, new long[] {0, 0}, new long[] {100, 100}));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void defaultNormalize(boolean reverse, long[] in, long[] out) {
        NodeScore[] scores = Fixtures.scores(in);
        Scores.defaultNormalize(scores, reverse);
        assertThat(Fixtures.values(scores)).containsExactly(out);
    }
}
