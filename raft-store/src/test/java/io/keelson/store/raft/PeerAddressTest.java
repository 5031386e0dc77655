package io.keelson.store.raft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PeerAddressTest {
    @Test
    void anAddressCarriesTheMemberId_andIsDialedWhereItJoined_untilTheMemberMoves() {
        long id = 0x7f3a_0000_0000_12abL;
        String address = PeerAddress.of(id, "10.0.0.7:2380");
        assertThat(address).isEqualTo("keelson-peer://7f3a0000000012ab@10.0.0.7:2380");
        assertThat(PeerAddress.id(address)).hasValue(id);
        assertThat(PeerAddress.current(address)).isEqualTo("10.0.0.7:2380");

        PeerAddress.moved(id, "10.0.0.8:2390");
        assertThat(PeerAddress.current(address)).isEqualTo("10.0.0.8:2390");
        assertThat(PeerAddress.id(address)).hasValue(id);
    }

    @Test
    void ipv6Hosts_andPlainAddressesFromOlderDataDirectories() {
        String v6 = PeerAddress.of(5, "[::1]:2380");
        assertThat(PeerAddress.id(v6)).hasValue(5);
        assertThat(PeerAddress.current(v6)).isEqualTo("[::1]:2380");

        assertThat(PeerAddress.id("127.0.0.1:2380")).isEmpty();
        assertThat(PeerAddress.current("127.0.0.1:2380")).isEqualTo("127.0.0.1:2380");
        assertThatThrownBy(() -> PeerAddress.id("keelson-peer://no-id-here"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
