package io.keelson.store.raft;

import static org.assertj.core.api.Assertions.assertThat;

import io.keelson.store.ErrorCode;
import io.keelson.store.StoreException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.proto.RaftProtos.AppendEntriesReplyProto;
import org.apache.ratis.proto.RaftProtos.AppendEntriesReplyProto.AppendResult;
import org.apache.ratis.proto.RaftProtos.RaftRpcReplyProto;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.leader.FollowerInfo;
import org.apache.ratis.util.Timestamp;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LeaderReadIndexTest {
    private static final long TERM = 3;
    private final List<Runnable> completions = new ArrayList<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private volatile long now; // the fake clock; the sweep reads it on the timer thread
    private final LeaderReadIndex readIndex = new LeaderReadIndex(completions::add, timer, () -> now, 60_000);
    private final FakeAppender m2 = new FakeAppender("m2");
    private final FakeAppender m3 = new FakeAppender("m3");
    private final FakeAppender m4 = new FakeAppender("m4");
    private final FakeAppender m5 = new FakeAppender("m5");

    @AfterEach
    void stopTimer() {
        timer.shutdownNow();
    }

    /** A quorum of three: this member and one follower. */
    private static boolean twoOfThree(Set<RaftPeerId> acknowledged) {
        return !acknowledged.isEmpty();
    }

    private void runCompletions() {
        List<Runnable> pending = new ArrayList<>(completions);
        completions.clear();
        pending.forEach(Runnable::run);
    }

    @Test
    void aRoundCompletesWithItsCommitIndex_onceAQuorumAcknowledgedARequestSentAfterItBegan() {
        readIndex.register(m2.appender, TERM);
        readIndex.register(m3.appender, TERM);
        m2.send();
        m3.send(); // call ids 0 went out before the read arrived

        CompletableFuture<Long> round = readIndex.confirm(TERM, 41, LeaderReadIndexTest::twoOfThree);
        assertThat(m2.heartbeatsTriggered + m3.heartbeatsTriggered).as("one follower makes a quorum").isEqualTo(1);

        readIndex.replied(m2.appender, m2.success(0, TERM));
        readIndex.replied(m3.appender, m3.success(0, TERM));
        runCompletions();
        assertThat(round).as("replies to requests sent before the read prove nothing about now").isNotDone();

        readIndex.replied(m2.appender, m2.success(m2.send(), TERM));
        assertThat(round).as("completed off the reply thread").isNotDone();
        runCompletions();
        assertThat(round).isCompletedWithValue(41L);
    }

    /** The shortcut that let deposed leaders serve stale reads: one confirmation per commit index. */
    @Test
    void everyRoundNeedsItsOwnAcknowledgements_evenAtACommitIndexAlreadyConfirmed() {
        readIndex.register(m2.appender, TERM);
        readIndex.register(m3.appender, TERM);
        CompletableFuture<Long> first = readIndex.confirm(TERM, 41, LeaderReadIndexTest::twoOfThree);
        readIndex.replied(m2.appender, m2.success(m2.send(), TERM));
        runCompletions();
        assertThat(first).isCompletedWithValue(41L);

        CompletableFuture<Long> second = readIndex.confirm(TERM, 41, LeaderReadIndexTest::twoOfThree);
        runCompletions();
        assertThat(second).isNotDone();
        readIndex.replied(m3.appender, m3.success(m3.send(), TERM));
        runCompletions();
        assertThat(second).isCompletedWithValue(41L);
    }

    @Test
    void repliesFromANewerTermOrRefusals_confirmNothing() {
        readIndex.register(m2.appender, TERM);
        readIndex.register(m3.appender, TERM);
        CompletableFuture<Long> round = readIndex.confirm(TERM, 7, LeaderReadIndexTest::twoOfThree);

        readIndex.replied(m2.appender, m2.reply(m2.send(), TERM + 1, AppendResult.NOT_LEADER));
        readIndex.replied(m3.appender, m3.success(m3.send(), TERM + 1));
        runCompletions();
        assertThat(round).isNotDone();

        readIndex.leadershipLost();
        runCompletions();
        assertThat(round).isCompletedExceptionally();
        assertThat(round.handle((ok, e) -> ((StoreException) e).code()).join()).isEqualTo(ErrorCode.NO_LEADER);
    }

    /** A follower whose log is behind still accepted the leader's term: that is what a read needs. */
    @Test
    void anInconsistencyReplyInThisTerm_countsAsAnAcknowledgement() {
        readIndex.register(m2.appender, TERM);
        CompletableFuture<Long> round = readIndex.confirm(TERM, 9, LeaderReadIndexTest::twoOfThree);
        readIndex.replied(m2.appender, m2.reply(m2.send(), TERM, AppendResult.INCONSISTENCY));
        runCompletions();
        assertThat(round).isCompletedWithValue(9L);
    }

    @Test
    void anAppenderOfAnEarlierLeadership_confirmsNothing() {
        readIndex.register(m2.appender, TERM - 1);
        FakeAppender m2Now = new FakeAppender("m2");
        readIndex.register(m2Now.appender, TERM);
        CompletableFuture<Long> round = readIndex.confirm(TERM, 5, LeaderReadIndexTest::twoOfThree);

        readIndex.replied(m2.appender, m2.success(m2.send(), TERM));
        runCompletions();
        assertThat(round).isNotDone();
        readIndex.replied(m2Now.appender, m2Now.success(m2Now.send(), TERM));
        runCompletions();
        assertThat(round).isCompletedWithValue(5L);
    }

    /** A restarted appender begins its call ids again at 0: all it sends follows the round's start. */
    @Test
    void anAppenderStartedAfterTheRoundBegan_countsFromItsFirstRequest() {
        readIndex.register(m2.appender, TERM);
        for (int i = 0; i < 5; i++) {
            m2.send();
        }
        CompletableFuture<Long> round = readIndex.confirm(TERM, 5, LeaderReadIndexTest::twoOfThree);
        FakeAppender restarted = new FakeAppender("m2");
        readIndex.register(restarted.appender, TERM);
        readIndex.replied(restarted.appender, restarted.success(restarted.send(), TERM));
        runCompletions();
        assertThat(round).isCompletedWithValue(5L);
    }

    @Test
    void aRoundWithoutAQuorumInTime_failsAsTimedOut() {
        LeaderReadIndex quick = new LeaderReadIndex(Runnable::run, timer, () -> now, 50);
        quick.register(m2.appender, TERM);
        CompletableFuture<Long> round = quick.confirm(TERM, 5, LeaderReadIndexTest::twoOfThree);
        now += TimeUnit.MILLISECONDS.toNanos(49);
        quick.replied(m2.appender, m2.reply(m2.send(), TERM + 1, AppendResult.NOT_LEADER));
        assertThat(round).isNotDone();
        now += TimeUnit.MILLISECONDS.toNanos(1);
        assertThat(round.handle((ok, e) -> ((StoreException) e).code()).orTimeout(5, TimeUnit.SECONDS).join())
                .isEqualTo(ErrorCode.TIMEOUT);
    }

    @Test
    void heartbeatsGoAtOnceToTheFollowersThatAnsweredLast_asManyAsAQuorumNeeds() {
        RaftPeerId self = RaftPeerId.valueOf("m1");
        List<RaftPeer> voters = new ArrayList<>();
        for (String name : List.of("m1", "m2", "m3", "m4", "m5")) {
            voters.add(RaftPeer.newBuilder().setId(name).build());
        }
        m2.lastReply = Timestamp.currentTime().addTimeMs(-5_000); // silent for seconds: down, or cut off
        m3.lastReply = Timestamp.currentTime().addTimeMs(-20);
        m4.lastReply = Timestamp.currentTime().addTimeMs(-3);
        m5.lastReply = Timestamp.currentTime().addTimeMs(-400);
        for (FakeAppender a : List.of(m2, m3, m4, m5)) {
            readIndex.register(a.appender, TERM);
        }
        CompletableFuture<Long> round = readIndex.confirm(TERM, 8,
                acknowledged -> LeaderReadIndex.majority(voters, self, acknowledged));
        assertThat(List.of(m2.heartbeatsTriggered, m3.heartbeatsTriggered, m4.heartbeatsTriggered,
                m5.heartbeatsTriggered)).containsExactly(0, 1, 1, 0);

        // a follower not asked still confirms the round with the heartbeat it gets every interval
        readIndex.replied(m4.appender, m4.success(m4.send(), TERM));
        readIndex.replied(m5.appender, m5.success(m5.send(), TERM));
        runCompletions();
        assertThat(round).isCompletedWithValue(8L);
    }

    @Test
    void aGroupOfOne_needsNoRound() {
        assertThat(readIndex.confirm(TERM, 12, acknowledged -> true)).isCompletedWithValue(12L);
    }

    @Test
    void aMajorityOfFive_needsTwoFollowers() {
        RaftPeerId self = RaftPeerId.valueOf("m1");
        List<RaftPeer> voters = new ArrayList<>();
        for (String name : List.of("m1", "m2", "m3", "m4", "m5")) {
            voters.add(RaftPeer.newBuilder().setId(name).build());
        }
        for (FakeAppender a : List.of(m2, m3, m4, m5)) {
            readIndex.register(a.appender, TERM);
        }
        CompletableFuture<Long> round = readIndex.confirm(TERM, 3,
                acknowledged -> LeaderReadIndex.majority(voters, self, acknowledged));
        readIndex.replied(m4.appender, m4.success(m4.send(), TERM));
        runCompletions();
        assertThat(round).isNotDone();
        readIndex.replied(m5.appender, m5.success(m5.send(), TERM));
        runCompletions();
        assertThat(round).isCompletedWithValue(3L);
        assertThat(LeaderReadIndex.majority(List.of(), self, Set.of())).as("no old configuration").isTrue();
    }

    /** The parts of a leader's log appender that the read index uses; call ids count up as Ratis' do. */
    private static final class FakeAppender {
        final RaftPeerId follower;
        final org.apache.ratis.server.leader.LogAppender appender;
        long nextCallId;
        int heartbeatsTriggered;
        Timestamp lastReply = Timestamp.currentTime();

        FakeAppender(String follower) {
            this.follower = RaftPeerId.valueOf(follower);
            this.appender = (org.apache.ratis.server.leader.LogAppender) Proxy.newProxyInstance(
                    getClass().getClassLoader(), new Class<?>[] {org.apache.ratis.server.leader.LogAppender.class},
                    (proxy, method, args) -> switch (method.getName()) {
                        case "getCallId" -> nextCallId;
                        case "getCallIdComparator" -> (Comparator<Long>) Long::compare;
                        case "getFollowerId" -> this.follower;
                        case "getFollower" -> Proxy.newProxyInstance(getClass().getClassLoader(),
                                new Class<?>[] {FollowerInfo.class}, (p, m, a) -> {
                                    if (m.getName().equals("getLastRpcResponseTime")) {
                                        return lastReply;
                                    }
                                    throw new UnsupportedOperationException(m.getName());
                                });
                        case "triggerHeartbeat" -> {
                            heartbeatsTriggered++;
                            yield null;
                        }
                        case "isRunning" -> true;
                        case "hashCode" -> System.identityHashCode(proxy);
                        case "equals" -> proxy == args[0];
                        case "toString" -> "appender to " + follower;
                        default -> throw new UnsupportedOperationException(method.getName());
                    });
        }

        /** Sends a request; its call id. */
        long send() {
            return nextCallId++;
        }

        AppendEntriesReplyProto success(long callId, long term) {
            return reply(callId, term, AppendResult.SUCCESS);
        }

        AppendEntriesReplyProto reply(long callId, long term, AppendResult result) {
            return AppendEntriesReplyProto.newBuilder()
                    .setServerReply(RaftRpcReplyProto.newBuilder().setCallId(callId)
                            .setSuccess(result == AppendResult.SUCCESS))
                    .setTerm(term).setResult(result).build();
        }
    }
}
