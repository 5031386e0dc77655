package io.keelson.store.raft;

import io.keelson.store.StoreConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.rpc.SupportedRpcType;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.util.TimeDuration;

/**
 * Ratis settings derived from a {@link StoreConfig}. Peer traffic uses Ratis' gRPC transport (as
 * {@link PeerRpc}, which adds the heartbeat interval): it pipelines appends and serves ReadIndex to
 * followers, which the Netty transport does not.
 */
final class RaftSettings {
    private RaftSettings() {
    }

    static RaftProperties server(StoreConfig config, Path raftDir) {
        RaftProperties p = new RaftProperties();
        RaftConfigKeys.Rpc.setType(p, new PeerRpc());
        PeerRpc.setHeartbeatInterval(p, config.heartbeatInterval().toMillis());
        PeerRpc.setReconnectAfterSilence(p, config.electionTimeout().toMillis());
        GrpcConfigKeys.Server.setHost(p, config.self().host());
        GrpcConfigKeys.Server.setPort(p, config.self().port());
        RaftServerConfigKeys.setStorageDir(p, List.of(raftDir.toFile()));
        RaftServerConfigKeys.Read.setOption(p, RaftServerConfigKeys.Read.Option.LINEARIZABLE);
        // reads confirm their read index with a quorum round of their own (LeaderReadIndex); a leader
        // lease would answer from a leader that a pause or a partition has already deposed
        RaftServerConfigKeys.Read.setLeaderLeaseEnabled(p, false);
        long election = config.electionTimeout().toMillis();
        RaftServerConfigKeys.Rpc.setTimeoutMin(p, TimeDuration.valueOf(election, TimeUnit.MILLISECONDS));
        RaftServerConfigKeys.Rpc.setTimeoutMax(p, TimeDuration.valueOf(2 * election, TimeUnit.MILLISECONDS));
        RaftServerConfigKeys.Rpc.setRequestTimeout(p, TimeDuration.valueOf(Math.max(3000, 3 * election),
                TimeUnit.MILLISECONDS));
        RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(p, true);
        RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(p, config.snapshotCount());
        RaftServerConfigKeys.Snapshot.setCreationGap(p, Math.min(1024, config.snapshotCount()));
        // purge the log up to the snapshot even while a follower is down: it catches up by snapshot
        RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(p, true);
        RaftServerConfigKeys.Log.setPurgePreservationLogNum(p, config.catchUpEntries());
        RaftServerConfigKeys.Log.setPurgeGap(p, (int) Math.min(1024, config.snapshotCount()));
        // no commit-metadata entries (one more entry per commit to replicate and fsync everywhere): the
        // leader's appenders (PeerRpc) send idle followers a heartbeat with the new commit index instead
        RaftServerConfigKeys.Log.setLogMetadataEnabled(p, false);
        // a follower that was unreachable hears from the leader within a heartbeat interval of coming back
        // (Ratis' default backs off to 5 s between attempts after 30 failures, and the healed follower
        // stays without a leader meanwhile, its pre-votes refused by members that have one)
        RaftServerConfigKeys.Log.Appender.setRetryPolicy(p, "1ms,10, " + config.heartbeatInterval().toMillis()
                + "ms,2000000000");
        // send the next AppendEntries as soon as there is something to send
        RaftServerConfigKeys.Log.Appender.setWaitTimeMin(p, TimeDuration.ZERO);
        return p;
    }

    /**
     * How many entries a leader's log may have waiting for their fsync while a proposal still goes out on a
     * caller's thread ({@link Proposer}): half of what Ratis' write queue is sure to hold (at most 16), so
     * that such a proposal never waits for room there. Normally only the handful in flight wait.
     */
    static int unflushedEntriesForPromptAppends(RaftProperties p, StoreConfig config) {
        // one request larger than a batch goes alone; 1 KiB covers its entry's own framing
        long largestEntry = Math.max(config.maxBatchBytes(), config.maxRequestBytes()) + 1024;
        long fits = Math.min(RaftServerConfigKeys.Log.queueElementLimit(p),
                RaftServerConfigKeys.Log.queueByteLimit(p).getSize() / largestEntry);
        return (int) Math.min(16, fits / 2);
    }

    static RaftProperties client() {
        RaftProperties p = new RaftProperties();
        RaftConfigKeys.Rpc.setType(p, SupportedRpcType.GRPC);
        RaftClientConfigKeys.Rpc.setRequestTimeout(p, TimeDuration.valueOf(3, TimeUnit.SECONDS));
        return p;
    }
}
