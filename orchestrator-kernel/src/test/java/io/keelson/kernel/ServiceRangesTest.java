package io.keelson.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.BitSet;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Upstream's Test_calculateRangeOffset and TestAllocateReserved for addresses and ports. */
class ServiceRangesTest {
    @Test
    void theStaticBand_growsWithTheRange_withinUpstreamsBounds() {
        assertThat(ServiceRanges.IpRange.parse("192.168.1.0/29").staticBand()).isZero();
        assertThat(ServiceRanges.IpRange.parse("192.168.1.0/28").staticBand()).isZero();
        assertThat(ServiceRanges.IpRange.parse("192.168.1.0/27").staticBand()).isEqualTo(16);
        assertThat(ServiceRanges.IpRange.parse("192.168.1.0/24").staticBand()).isEqualTo(16);
        assertThat(ServiceRanges.IpRange.parse("192.168.0.0/22").staticBand()).isEqualTo(64);
        assertThat(ServiceRanges.IpRange.parse("10.0.0.0/8").staticBand()).isEqualTo(256);
        assertThat(ServiceRanges.PortRange.parse("30000-32767").staticBand()).isEqualTo(86);
        assertThat(ServiceRanges.PortRange.parse("30000-30009").staticBand()).isZero();
        assertThat(ServiceRanges.PortRange.parse("30000-30127").staticBand()).isEqualTo(16);
        assertThat(ServiceRanges.PortRange.parse("30000-38191").staticBand()).isEqualTo(128);
    }

    @Test
    void randomPicks_fillTheUpperBandFirst_thenTheStaticBand_thenReportFull() {
        BitSet taken = new BitSet();
        SplittableRandom random = new SplittableRandom(1);
        for (int i = 0; i < 110; i++) {
            int o = ServiceRanges.pick(126, 16, taken::get, random);
            assertThat(o).as("pick %d", i).isBetween(16, 125);
            taken.set(o);
        }
        for (int i = 0; i < 16; i++) {
            int o = ServiceRanges.pick(126, 16, taken::get, random);
            assertThat(o).isBetween(0, 15);
            taken.set(o);
        }
        assertThat(ServiceRanges.pick(126, 16, taken::get, random)).isEqualTo(-1);
        taken.clear(10);
        assertThat(ServiceRanges.pick(126, 16, taken::get, random)).as("a released one comes back").isEqualTo(10);
    }

    @Test
    void malformedRanges_areRefusedWithWhatIsExpected() {
        assertThatThrownBy(() -> ServiceRanges.IpRange.parse("10.96.0.0/30")).hasMessageContaining("at least 8");
        assertThatThrownBy(() -> ServiceRanges.IpRange.parse("10.96.0.1/24")).hasMessageContaining("host bits");
        assertThatThrownBy(() -> ServiceRanges.IpRange.parse("fd00::/108")).hasMessageContaining("IPv4 CIDR");
        assertThatThrownBy(() -> ServiceRanges.PortRange.parse("32767-30000")).hasMessageContaining("FIRST-LAST");
        assertThat(ServiceRanges.IpRange.parse("10.96.0.0/12").contains(ServiceRanges.IpRange.toLong("10.111.255.254")))
                .isTrue();
        assertThat(ServiceRanges.IpRange.parse("10.96.0.0/12").contains(ServiceRanges.IpRange.toLong("10.111.255.255")))
                .as("broadcast").isFalse();
    }
}
