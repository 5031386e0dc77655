package io.keelson.store.raft;

import io.keelson.store.PeerTls;
import java.io.IOException;
import java.net.Socket;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.grpc.GrpcFactory;
import org.apache.ratis.grpc.GrpcTlsConfig;
import org.apache.ratis.grpc.server.GrpcLogAppender;
import org.apache.ratis.proto.RaftProtos.AppendEntriesReplyProto;
import org.apache.ratis.proto.RaftProtos.AppendEntriesRequestProto;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.rpc.RpcFactory;
import org.apache.ratis.rpc.RpcType;
import org.apache.ratis.security.TlsConf;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.leader.FollowerInfo;
import org.apache.ratis.server.leader.LeaderState;
import org.apache.ratis.server.leader.LogAppender;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.raftlog.RaftLogIOException;

/**
 * The peer transport: Ratis' gRPC transport, with the leader's heartbeat interval set on its own (etcd's
 * {@code --heartbeat-interval}; Ratis itself sends a heartbeat after half the minimum election timeout
 * without traffic and has no separate setting), with a new commit index sent to idle followers at
 * once, and with a fresh connection to a follower that has been silent for an election timeout. Every
 * AppendEntries reply also reaches the member's {@link LeaderReadIndex}, which confirms
 * linearizable reads with it. Ratis finds this class by its name in the server's properties
 * ({@code raft.rpc.type}), hence the public no-argument constructor; the member hands its
 * {@link LeaderReadIndex} over in the server's {@link Parameters}.
 */
public final class PeerRpc implements RpcType {
    /** The property holding the heartbeat interval in milliseconds. */
    static final String HEARTBEAT_INTERVAL_KEY = "keelson.raft.heartbeat.interval.ms";

    /** The property holding how long a follower may stay silent before its connection is replaced, in ms. */
    static final String RECONNECT_AFTER_SILENCE_KEY = "keelson.raft.reconnect.after.silence.ms";

    /** The parameter holding the member's {@link LeaderReadIndex}. */
    private static final String READ_INDEX_KEY = "keelson.raft.read.index";

    /** The parameter holding the member's {@link RoundTrips}. */
    private static final String ROUND_TRIPS_KEY = "keelson.raft.round.trips";

    /** Where a leader's appenders report each heartbeat's round trip to their follower. */
    interface RoundTrips {
        void heartbeat(RaftPeerId follower, long nanos);
    }

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

    static void setReconnectAfterSilence(RaftProperties properties, long millis) {
        properties.setLong(RECONNECT_AFTER_SILENCE_KEY, millis);
    }

    /**
     * The parameters of a member's Raft server or client: the member's {@link LeaderReadIndex} and
     * {@link RoundTrips} (servers only; null for a client) and TLS between the members (null: plaintext).
     */
    static Parameters parameters(LeaderReadIndex readIndex, RoundTrips roundTrips, GrpcTlsConfig tls) {
        Parameters parameters = new Parameters();
        if (readIndex != null) {
            parameters.put(READ_INDEX_KEY, readIndex, LeaderReadIndex.class);
        }
        if (roundTrips != null) {
            parameters.put(ROUND_TRIPS_KEY, roundTrips, RoundTrips.class);
        }
        if (tls != null) {
            GrpcConfigKeys.TLS.setConf(parameters, tls); // server, client and admin services alike
        }
        return parameters;
    }

    /** Ratis' TLS settings for {@code peerTls}; null for null. */
    static GrpcTlsConfig tls(PeerTls peerTls) throws IOException {
        if (peerTls == null) {
            return null;
        }
        try {
            PrivateKey key = PemFiles.privateKey(peerTls.keyFile());
            X509Certificate[] chain = PemFiles.certificates(peerTls.certFile());
            if (peerTls.trustedCaFile() == null) {
                return new GrpcTlsConfig.Builder().setPrivateKey(new TlsConf.PrivateKeyConf(key))
                        .setKeyCertificates(new TlsConf.CertificatesConf(chain)).setTrustManager(new AnyCertificate())
                        .setMutualTls(false).build();
            }
            return new GrpcTlsConfig(key, chain[0], List.of(PemFiles.certificates(peerTls.trustedCaFile())),
                    peerTls.clientCertAuth());
        } catch (IOException e) {
            throw new IOException("peer TLS: " + e.getMessage(), e);
        }
    }

    /**
     * Trusts any certificate and name, as etcd's peers do under {@code --peer-auto-tls} (each member's certificate
     * is self-signed): the traffic is encrypted, the peers are not authenticated.
     */
    private static final class AnyCertificate extends X509ExtendedTrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }

    private static final class Factory extends GrpcFactory {
        private final LeaderReadIndex readIndex;
        private final RoundTrips roundTrips;

        Factory(Parameters parameters) {
            super(parameters);
            this.readIndex = parameters == null ? null : parameters.get(READ_INDEX_KEY, LeaderReadIndex.class);
            this.roundTrips = parameters == null ? null : parameters.get(ROUND_TRIPS_KEY, RoundTrips.class);
        }

        @Override
        public LogAppender newLogAppender(RaftServer.Division server, LeaderState state, FollowerInfo follower) {
            long interval = server.getRaftServer().getProperties().getLong(HEARTBEAT_INTERVAL_KEY, Long.MAX_VALUE);
            if (readIndex == null) {
                return new HeartbeatAppender(server, state, follower, interval, roundTrips);
            }
            LogAppender appender = new HeartbeatAppender(server, new ReportingLeaderState(state, readIndex),
                    follower, interval, roundTrips);
            readIndex.register(appender, server.getInfo().getCurrentTerm());
            return appender;
        }
    }

    /** The leader's state as its appenders see it, with every AppendEntries reply also reported for reads. */
    private record ReportingLeaderState(LeaderState leader, LeaderReadIndex readIndex) implements LeaderState {
        @Override
        public void onAppendEntriesReply(LogAppender appender, AppendEntriesReplyProto reply) {
            leader.onAppendEntriesReply(appender, reply);
            readIndex.replied(appender, reply);
            if (appender instanceof HeartbeatAppender heartbeats) {
                heartbeats.replied(reply);
            }
        }

        @Override
        public void restart(LogAppender appender) {
            leader.restart(appender);
        }

        @Override
        public AppendEntriesRequestProto newAppendEntriesRequestProto(FollowerInfo follower,
                List<LogEntryProto> entries, TermIndex previous, long callId) {
            return leader.newAppendEntriesRequestProto(follower, entries, previous, callId);
        }

        @Override
        public void checkHealth(FollowerInfo follower) {
            leader.checkHealth(follower);
        }

        @Override
        public boolean onFollowerTerm(FollowerInfo follower, long followerTerm) {
            return leader.onFollowerTerm(follower, followerTerm);
        }

        @Override
        public void onFollowerCommitIndex(FollowerInfo follower, long commitIndex) {
            leader.onFollowerCommitIndex(follower, commitIndex);
        }

        @Override
        public void onFollowerSuccessAppendEntries(FollowerInfo follower) {
            leader.onFollowerSuccessAppendEntries(follower);
        }

        @Override
        public boolean isFollowerBootstrapping(FollowerInfo follower) {
            return leader.isFollowerBootstrapping(follower);
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
        /** Heartbeats awaiting their reply before the oldest are forgotten (a follower that does not answer). */
        private static final int MAX_PENDING_HEARTBEATS = 64;

        private final long interval;
        private final long silenceBeforeReconnect;
        private final RoundTrips roundTrips;
        /** Send times of heartbeats in flight, by call id: their replies give the network's round trip. */
        private final Map<Long, Long> heartbeatsSent = new ConcurrentHashMap<>();
        private long commitSent; // appender thread only
        private long lastReconnect = System.nanoTime(); // appender thread only

        HeartbeatAppender(RaftServer.Division server, LeaderState state, FollowerInfo follower, long interval,
                          RoundTrips roundTrips) {
            super(server, state, follower);
            this.interval = interval;
            this.roundTrips = roundTrips;
            this.silenceBeforeReconnect = server.getRaftServer().getProperties().getLong(
                    RECONNECT_AFTER_SILENCE_KEY, Long.MAX_VALUE);
        }

        @Override
        public AppendEntriesRequestProto newAppendEntriesRequest(long callId, boolean heartbeat)
                throws RaftLogIOException {
            reconnectIfSilent();
            AppendEntriesRequestProto request = timed(super.newAppendEntriesRequest(callId, heartbeat));
            if (request != null) {
                return request;
            }
            FollowerInfo follower = getFollower();
            long commit = getRaftLog().getLastCommittedIndex();
            boolean idle = follower.getNextIndex() >= getRaftLog().getNextIndex()
                    && follower.getMatchIndex() + 1 >= follower.getNextIndex(); // everything sent was acknowledged
            if (idle && commit > follower.getCommitIndex() && commit > commitSent) {
                commitSent = commit;
                return timed(super.newAppendEntriesRequest(callId, true));
            }
            return null;
        }

        /**
         * Notes when a heartbeat (a request without entries) leaves: its reply measures the round trip to the
         * follower without the follower's disk in it, as etcd's peer round-trip time does.
         */
        private AppendEntriesRequestProto timed(AppendEntriesRequestProto request) {
            if (request != null && roundTrips != null && request.getEntriesCount() == 0) {
                if (heartbeatsSent.size() >= MAX_PENDING_HEARTBEATS) {
                    heartbeatsSent.clear();
                }
                heartbeatsSent.put(request.getServerRequest().getCallId(), System.nanoTime());
            }
            return request;
        }

        void replied(AppendEntriesReplyProto reply) {
            Long sent = heartbeatsSent.remove(reply.getServerReply().getCallId());
            if (sent != null) {
                roundTrips.heartbeat(getFollowerId(), System.nanoTime() - sent);
            }
        }

        /**
         * Replaces the connection to a follower that has answered nothing for longer than an election
         * timeout, at most once per such period. After a partition, the old TCP connection may stay
         * stalled in retransmission back-off for seconds after the network heals (Ratis sets no keepalive
         * on it), and the follower, hearing nothing, stays without a leader; a new connection gets
         * through as soon as the network does.
         */
        private void reconnectIfSilent() {
            if (silenceBeforeReconnect == Long.MAX_VALUE
                    || getFollower().getLastRpcResponseTime().elapsedTimeMs() <= silenceBeforeReconnect) {
                return;
            }
            long now = System.nanoTime();
            if (TimeUnit.NANOSECONDS.toMillis(now - lastReconnect) > silenceBeforeReconnect) {
                lastReconnect = now;
                getServerRpc().getProxies().resetProxy(getFollowerId());
            }
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
