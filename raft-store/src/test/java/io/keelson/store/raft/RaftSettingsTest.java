package io.keelson.store.raft;

import static org.assertj.core.api.Assertions.assertThat;

import io.keelson.store.StoreConfig;
import java.nio.file.Path;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.junit.jupiter.api.Test;

class RaftSettingsTest {
    private static final Path DIR = Path.of("unused");

    private static int unflushedForPromptAppends(StoreConfig config) {
        return RaftSettings.unflushedEntriesForPromptAppends(RaftSettings.server(config, DIR), config);
    }

    @Test
    void byDefaultALeaderProposesOnCallersThreadsWhileNoMoreThanItsInFlightEntriesWaitForTheirFsync() {
        StoreConfig config = StoreConfig.singleNode(DIR);
        assertThat(unflushedForPromptAppends(config)).isGreaterThan(config.maxInFlightBatches())
                .isLessThanOrEqualTo(16);
    }

    @Test
    void entriesTooLargeForTheLogQueueToHoldTwoAreNeverProposedOnCallersThreads() {
        long queueBytes = RaftServerConfigKeys.Log.queueByteLimit(RaftSettings.server(StoreConfig.singleNode(DIR),
                DIR)).getSize();
        assertThat(unflushedForPromptAppends(StoreConfig.singleNode(DIR).withMaxRequestBytes(queueBytes / 8)))
                .isEqualTo(3);
        assertThat(unflushedForPromptAppends(StoreConfig.singleNode(DIR).withMaxRequestBytes(queueBytes / 2)))
                .isZero();
    }
}
