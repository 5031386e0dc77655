package io.keelson.store.raft;

import org.apache.ratis.conf.Parameters;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcFactory;
import org.apache.ratis.grpc.server.GrpcLogAppender;
import org.apache.ratis.proto.RaftProtos.AppendEntriesRequestProto;
import org.apache.ratis.rpc.RpcFactory;
import org.apache.ratis.rpc.RpcType;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.leader.FollowerInfo;
import org.apache.ratis.server.leader.LeaderState;
import org.apache.ratis.server.leader.LogAppender;
import org.apache.ratis.server.raftlog.RaftLogIOException;

/**
 * The peer transport: Ratis' gRPC transport, with the leader's heartbeat interval set on its own (etcd's
 * {@code --heartbeat-interval}; Ratis itself sends a heartbeat after half the minimum election timeout
 * without traffic and has no separate setting), and with a new commit index sent to idle followers at
 * once. Ratis finds this class by its name in the server's properties ({@code raft.rpc.type}), hence
 * the public no-argument constructor.
 */
public final class PeerRpc implements RpcType {
    /** The property holding the heartbeat interval in milliseconds. */
    static final String HEARTBEAT_INTERVAL_KEY = "keelson.raft.heartbeat.interval.ms";

    public PeerRpc() {
    }

    @Override
    public String name() {
        return PeerRpc.class.getName();
    }

    @Override
    public RpcFactory newFactory(Parameters parameters) {
        return new Factory(parameters);
    }

    static void setHeartbeatInterval(RaftProperties properties, long millis) {
        properties.setLong(HEARTBEAT_INTERVAL_KEY, millis);
    }

    private static final class Factory extends GrpcFactory {
        Factory(Parameters parameters) {
            super(parameters);
        }

        @Override
        public LogAppender newLogAppender(RaftServer.Division server, LeaderState state, FollowerInfo follower) {
            long interval = server.getRaftServer().getProperties().getLong(HEARTBEAT_INTERVAL_KEY, Long.MAX_VALUE);
            return new HeartbeatAppender(server, state, follower, interval);
        }
    }

    /**
     * A log appender that sends a heartbeat after {@code interval} ms without a reply from its follower,
     * and one as soon as the commit index moved past what an idle follower knows. Ratis' own appender
     * sends nothing when there are no new entries, so without its commit-metadata log entries (each
     * one more entry to replicate and fsync on every member) a follower would learn a commit only from
     * the next write or heartbeat; a heartbeat carries it without touching the follower's log.
     */
    private static final class HeartbeatAppender extends GrpcLogAppender {
        private final long interval;
        private long commitSent; // appender thread only

        HeartbeatAppender(RaftServer.Division server, LeaderState state, FollowerInfo follower, long interval) {
            super(server, state, follower);
            this.interval = interval;
        }

        @Override
        public AppendEntriesRequestProto newAppendEntriesRequest(long callId, boolean heartbeat)
                throws RaftLogIOException {
            AppendEntriesRequestProto request = super.newAppendEntriesRequest(callId, heartbeat);
            if (request != null) {
                return request;
            }
            FollowerInfo follower = getFollower();
            long commit = getRaftLog().getLastCommittedIndex();
            boolean idle = follower.getNextIndex() >= getRaftLog().getNextIndex()
                    && follower.getMatchIndex() + 1 >= follower.getNextIndex(); // everything sent was acknowledged
            if (idle && commit > follower.getCommitIndex() && commit > commitSent) {
                commitSent = commit;
                return super.newAppendEntriesRequest(callId, true);
            }
            return null;
        }

        @Override
        public long getHeartbeatWaitTimeMs() {
            return heartbeatWait(super.getHeartbeatWaitTimeMs(), interval,
                    getFollower().getLastRpcResponseTime().elapsedTimeMs(),
                    getFollower().getLastHeartbeatSendTime().elapsedTimeMs());
        }
    }

    /**
     * Milliseconds until the next heartbeat to a follower is due: Ratis' own rule with {@code interval}
     * in place of half the minimum election timeout (due when nothing was heard from the follower for
     * an interval, but not twice within half an interval), and never later than Ratis' wait
     * {@code ratisWait}, which is 0 when a heartbeat was asked for (a ReadIndex round).
     */
    static long heartbeatWait(long ratisWait, long interval, long sinceReply, long sinceHeartbeat) {
        if (ratisWait <= 0 || interval == Long.MAX_VALUE) {
            return ratisWait;
        }
        long due = interval - sinceReply;
        long tooSoon = interval / 2 - sinceHeartbeat;
        return Math.min(ratisWait, Math.max(due, tooSoon));
    }
}
