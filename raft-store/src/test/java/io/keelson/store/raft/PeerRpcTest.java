package io.keelson.store.raft;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.RaftConfigKeys;
import org.junit.jupiter.api.Test;

/** The leader's heartbeat timing with an interval of its own (etcd's --heartbeat-interval). */
class PeerRpcTest {
    private static final long INTERVAL = 100;
    private static final long RATIS_WAIT = 400; // half a 1 s election timeout, less some time passed

    @Test
    void aHeartbeatIsDueOnceTheFollowerWasSilentForAnInterval() {
        assertThat(PeerRpc.heartbeatWait(RATIS_WAIT, INTERVAL, 100, 100)).isZero();
        assertThat(PeerRpc.heartbeatWait(RATIS_WAIT, INTERVAL, 250, 250)).isNegative();
    }

    @Test
    void otherwiseItWaitsForTheRestOfTheInterval() {
        assertThat(PeerRpc.heartbeatWait(RATIS_WAIT, INTERVAL, 30, 30)).isEqualTo(70);
    }

    @Test
    void heartbeatsAreNotSentTwiceWithinHalfAnInterval() {
        // the follower has not answered for 120 ms, but a heartbeat went out 20 ms ago
        assertThat(PeerRpc.heartbeatWait(RATIS_WAIT, INTERVAL, 120, 20)).isEqualTo(30);
    }

    @Test
    void ratisStaysInChargeWhenItWantsAHeartbeatSooner() {
        assertThat(PeerRpc.heartbeatWait(0, INTERVAL, 0, 0)).isZero(); // asked for by a ReadIndex round
        assertThat(PeerRpc.heartbeatWait(40, 1000, 0, 0)).isEqualTo(40); // interval above half the election timeout
    }

    @Test
    void ratisFindsTheTransportByTheNameInItsProperties() {
        RaftProperties properties = new RaftProperties();
        RaftConfigKeys.Rpc.setType(properties, new PeerRpc());

        assertThat(RaftConfigKeys.Rpc.type(properties, s -> { })).isInstanceOf(PeerRpc.class);
    }
}
