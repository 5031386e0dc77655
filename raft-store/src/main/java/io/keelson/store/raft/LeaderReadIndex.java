package io.keelson.store.raft;

import io.keelson.store.ErrorCode;
import io.keelson.store.StoreException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import org.apache.ratis.proto.RaftProtos.AppendEntriesReplyProto;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftConfiguration;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.leader.LogAppender;

/**
 * Raft's ReadIndex on the leader (§6.4 of the Raft thesis), done here rather than by Ratis: the read
 * index is the commit index when the round starts, and it is returned only once a quorum has
 * acknowledged, in this leader's term, an AppendEntries request sent <em>after</em> the round started.
 * That proves no newer term had a leader when the read arrived, whatever the clock did meanwhile (a
 * process frozen for seconds, a leader cut off from its peers).
 *
 * <p>Ratis 3.3's own ReadIndex skips the heartbeat round when the commit index is no higher than one a
 * previous round confirmed, and lets a read join a round whose heartbeats went out before it arrived.
 * A leader that is paused or cut off cannot commit, so its commit index stays put and every read
 * passed without asking any peer: deposed leaders served stale reads. Nothing here is cached across
 * rounds, and there is no leader lease.
 *
 * <p>The leader's log appenders ({@link PeerRpc}) register here and hand over every AppendEntries
 * reply. Rounds complete on {@code completions}, never on Ratis' reply threads: a caller that starts
 * its next round from the completion would otherwise do so while Ratis iterates its own listeners.
 */
final class LeaderReadIndex {
    private final Executor completions;
    private final LongSupplier nanoTime;
    private final long timeoutNanos;
    private final Object lock = new Object();
    // guarded by lock: this member's live log appenders with the term they send in, and open rounds
    private final Map<LogAppender, Long> appenders = new IdentityHashMap<>();
    private final List<Round> rounds = new ArrayList<>();

    /**
     * Rounds complete on {@code completions}; {@code timer} fails, a few times per timeout, the rounds
     * older than {@code timeoutMillis} (one sweep rather than a timer task per round: thousands of rounds
     * a second would each leave one in the timer's queue for the whole timeout).
     */
    LeaderReadIndex(Executor completions, ScheduledExecutorService timer, LongSupplier nanoTime,
                    long timeoutMillis) {
        this.completions = completions;
        this.nanoTime = nanoTime;
        this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        long sweep = Math.max(1, timeoutMillis / 10);
        try {
            timer.scheduleWithFixedDelay(this::expire, sweep, sweep, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException closing) {
            // the member is closing: no round will be started
        }
    }

    /**
     * A log appender of a new leadership, or one that replaces a restarted appender of its follower,
     * sends AppendEntries in {@code term}.
     */
    void register(LogAppender appender, long term) {
        synchronized (lock) {
            appenders.entrySet().removeIf(a -> a.getValue() < term
                    || a.getKey().getFollowerId().equals(appender.getFollowerId()));
            appenders.put(appender, term);
        }
    }

    /** One round's view of the group: who votes, and what counts as a quorum. */
    interface Quorum {
        /** Whether {@code acknowledged} followers together with this member form a quorum. */
        boolean reached(Set<RaftPeerId> acknowledged);
    }

    /**
     * Confirms that {@code division} still leads: completes with the commit index as of this call once a
     * quorum acknowledged a request sent after it, and fails with "no leader" if the division does not
     * lead or is not ready yet (it has not committed an entry of its term), or with "request timed out"
     * when no quorum answered in time.
     */
    CompletableFuture<Long> confirm(RaftServer.Division division) {
        var info = division.getInfo();
        if (!info.isLeader() || !info.isLeaderReady()) {
            return CompletableFuture.failedFuture(new StoreException(ErrorCode.NO_LEADER));
        }
        long term = info.getCurrentTerm();
        long readIndex = division.getRaftLog().getLastCommittedIndex();
        RaftPeerId self = division.getId();
        RaftConfiguration conf = division.getRaftConf();
        return confirm(term, readIndex, acknowledged -> majority(conf.getCurrentPeers(), self, acknowledged)
                && majority(conf.getPreviousPeers(), self, acknowledged));
    }

    /** {@link #confirm(RaftServer.Division)} once the term, read index and quorum are known. */
    CompletableFuture<Long> confirm(long term, long readIndex, Quorum quorum) {
        Round round = new Round(term, readIndex, quorum, nanoTime.getAsLong());
        List<LogAppender> live = new ArrayList<>();
        synchronized (lock) {
            for (Map.Entry<LogAppender, Long> a : appenders.entrySet()) {
                if (a.getValue() == term) {
                    // the first call id the appender will use from now on: replies to it or later count
                    round.firstCallIds.put(a.getKey(), a.getKey().getCallId());
                    live.add(a.getKey());
                }
            }
            if (quorum.reached(Set.of())) { // a group of one
                return CompletableFuture.completedFuture(readIndex);
            }
            rounds.add(round);
        }
        heartbeatsForQuorum(live, quorum).forEach(LogAppender::triggerHeartbeat);
        return round.result;
    }

    /**
     * The followers to send a heartbeat to at once: those that answered most recently, as many as make a
     * quorum with this member. The others would only add messages to answer; should one of the chosen
     * fail to reply, the heartbeats every follower gets each heartbeat interval complete the round.
     */
    static List<LogAppender> heartbeatsForQuorum(List<LogAppender> appenders, Quorum quorum) {
        List<LogAppender> byLastReply = new ArrayList<>(appenders);
        byLastReply.sort(Comparator.comparing((LogAppender a) -> a.getFollower().getLastRpcResponseTime())
                .reversed());
        Set<RaftPeerId> chosen = new HashSet<>();
        for (int i = 0; i < byLastReply.size(); i++) {
            chosen.add(byLastReply.get(i).getFollowerId());
            if (quorum.reached(chosen)) {
                return byLastReply.subList(0, i + 1);
            }
        }
        return byLastReply;
    }

    /** An AppendEntries reply reached {@code appender}, the leader's appender for its follower. */
    void replied(LogAppender appender, AppendEntriesReplyProto reply) {
        if (reply.getResult() == AppendEntriesReplyProto.AppendResult.NOT_LEADER) {
            return; // the follower knows a newer term: this member steps down and its rounds fail
        }
        Long appenderTerm;
        synchronized (lock) {
            appenderTerm = appenders.get(appender);
        }
        if (appenderTerm != null) {
            take(round -> round.acknowledgedBy(appender, appenderTerm, reply))
                    .forEach(round -> complete(round, () -> round.result.complete(round.readIndex)));
        }
    }

    /** This member stopped leading: its open rounds can no longer be confirmed. */
    void leadershipLost() {
        fail(take(round -> true), new StoreException(ErrorCode.NO_LEADER));
    }

    /** Fails the rounds that found no quorum within the timeout. */
    private void expire() {
        long now = nanoTime.getAsLong();
        fail(take(round -> now - round.startNanos >= timeoutNanos), new StoreException(ErrorCode.TIMEOUT));
    }

    /** Removes and returns the open rounds that {@code done} holds for (asked once per round). */
    private List<Round> take(Predicate<Round> done) {
        List<Round> taken = new ArrayList<>();
        synchronized (lock) {
            for (Iterator<Round> it = rounds.iterator(); it.hasNext(); ) {
                Round round = it.next();
                if (done.test(round)) {
                    it.remove();
                    taken.add(round);
                }
            }
        }
        return taken;
    }

    private void fail(List<Round> failed, StoreException error) {
        failed.forEach(round -> complete(round, () -> round.result.completeExceptionally(error)));
    }

    private void complete(Round round, Runnable completion) {
        try {
            completions.execute(completion);
        } catch (RejectedExecutionException closing) {
            round.result.completeExceptionally(new StoreException(ErrorCode.STOPPED));
        }
    }

    /** Whether {@code acknowledged} and {@code self} are a majority of {@code voters} (none: no constraint). */
    static boolean majority(Collection<RaftPeer> voters, RaftPeerId self, Set<RaftPeerId> acknowledged) {
        if (voters.isEmpty()) {
            return true;
        }
        int votes = 0;
        for (RaftPeer p : voters) {
            if (p.getId().equals(self) || acknowledged.contains(p.getId())) {
                votes++;
            }
        }
        return votes > voters.size() / 2;
    }

    private static final class Round {
        final long term;
        final long readIndex;
        final Quorum quorum;
        // the appenders live when the round began, with the first call id each sent after that
        final Map<LogAppender, Long> firstCallIds = new IdentityHashMap<>();
        final Set<RaftPeerId> acknowledged = new HashSet<>();
        final CompletableFuture<Long> result = new CompletableFuture<>();

        final long startNanos;

        Round(long term, long readIndex, Quorum quorum, long startNanos) {
            this.term = term;
            this.readIndex = readIndex;
            this.quorum = quorum;
            this.startNanos = startNanos;
        }

        /**
         * Counts a reply that shows its follower accepted this term for a request sent after the round
         * began (an appender that started later sent only such requests); whether a quorum has now.
         */
        boolean acknowledgedBy(LogAppender appender, long appenderTerm, AppendEntriesReplyProto reply) {
            if (appenderTerm != term || reply.getTerm() != term) {
                return false;
            }
            Long first = firstCallIds.get(appender);
            long callId = reply.getServerReply().getCallId();
            if (first != null && appender.getCallIdComparator().compare(callId, first) < 0) {
                return false; // sent before the round began: it proves nothing about now
            }
            return acknowledged.add(appender.getFollowerId()) && quorum.reached(acknowledged);
        }
    }
}
