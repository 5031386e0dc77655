package io.keelson.kernel.events;

import static org.assertj.core.api.Assertions.assertThat;

import io.keelson.kernel.FakeClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class DropReportsTest {
    private final FakeClock clock = new FakeClock();
    private final DropReports drops = new DropReports(clock);

    @Test
    void theFirstDrop_isReportedAtOnce_thenOneSummaryPerInterval() {
        assertThat(drops.drop()).as("the first drop").isEqualTo(1);
        for (int i = 0; i < 500; i++) {
            assertThat(drops.drop()).as("within the interval").isZero();
        }
        clock.advance(DropReports.INTERVAL.minusMillis(1));
        assertThat(drops.drop()).isZero();
        clock.advance(Duration.ofMillis(1));
        assertThat(drops.drop()).as("the 501 quiet drops and this one").isEqualTo(502);
        assertThat(drops.drop()).isZero();
        assertThat(drops.total()).isEqualTo(504);
    }

    @Test
    void dropsNotReportedYet_areLeftForTheLastReport_once() {
        drops.drop();
        drops.drop();
        drops.drop();
        assertThat(drops.unreported()).isEqualTo(2);
        assertThat(drops.unreported()).isZero();
        clock.advance(DropReports.INTERVAL);
        assertThat(drops.drop()).as("only the drop since").isEqualTo(1);
    }
}
