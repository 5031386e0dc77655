package io.keelson.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * etcd's membership changes: a cluster grown from one member to three under writes, a join that needs a snapshot,
 * learners and their promotion, and etcd's refusals.
 */
class MembershipIT {
    @TempDir
    Path root;
    final List<StoreMember> open = new ArrayList<>();
    final List<Peer> peers = new ArrayList<>();

    Runnable stopWriter = () -> { };

    @AfterEach
    void closeAll() {
        stopWriter.run();
        open.forEach(StoreMember::close);
    }

    private Peer peer(String name) throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            Peer p = new Peer(name, "127.0.0.1", s.getLocalPort());
            peers.add(p);
            return p;
        }
    }

    private static String url(Peer p) {
        return "http://" + p.address();
    }

    /** A member of the peers known so far; {@code join} for one added to a running cluster. */
    private StoreMember start(Peer self, boolean join) {
        return start(self, join, UnaryOperator.identity());
    }

    private StoreMember start(Peer self, boolean join, UnaryOperator<StoreConfig> tuning) {
        StoreConfig config = tuning.apply(StoreConfig.member(root.resolve(self.name()), self.name(),
                List.copyOf(peers)).withElectionTimeout(Duration.ofMillis(300)));
        StoreMember m = KeelsonStore.open(join ? config.withJoinExisting() : config);
        open.add(m);
        return m;
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.sleep(20);
        }
    }

    private static ErrorCode failure(Runnable call) {
        try {
            call.run();
        } catch (CompletionException e) {
            return ((StoreException) e.getCause()).code();
        }
        throw new AssertionError("no failure");
    }

    @Test
    void growsFromOneMemberToThreeUnderWrites_thenRemovesOne() throws Exception {
        StoreMember a = start(peer("a"), false);
        Map<String, String> acknowledged = new ConcurrentHashMap<>();
        AtomicBoolean stop = new AtomicBoolean();
        stopWriter = () -> stop.set(true);
        Thread writer = new Thread(() -> {
            for (int i = 0; !stop.get(); i++) {
                try {
                    a.put(PutRequest.of("k" + i, "v" + i)).get(10, TimeUnit.SECONDS);
                    acknowledged.put("k" + i, "v" + i);
                } catch (Exception e) {
                    // a write during a configuration change may time out; only acknowledged ones must survive
                }
            }
        });
        writer.start();
        await(() -> acknowledged.size() > 100, "writes were acknowledged");

        Peer pb = peer("b");
        ClusterMember added = a.addMember(List.of(url(pb)), false).join();
        assertThat(added.name()).isEmpty();
        assertThat(added.learner()).isFalse();
        await(() -> a.memberList().size() == 2, "the registration applied");
        assertThat(a.memberList()).filteredOn(m -> m.id() == added.id()).singleElement()
                .satisfies(m -> assertThat(m.started()).isFalse());

        StoreMember b = start(pb, true);
        assertThat(b.status().memberId()).isEqualTo(added.id());
        assertThat(a.memberList()).extracting(ClusterMember::name).containsExactlyInAnyOrder("a", "b");
        assertThat(a.members()).extracting(Peer::name).containsExactly("a", "b");

        Peer pc = peer("c");
        ClusterMember third = a.addMember(List.of(url(pc)), false).join();
        StoreMember c = start(pc, true);
        assertThat(c.status().memberId()).isEqualTo(third.id());
        await(() -> acknowledged.size() > 300, "writes went on");
        stop.set(true);
        writer.join();

        Map<String, String> state = TestStores.contents(a, false);
        assertThat(state).containsAllEntriesOf(acknowledged);
        for (StoreMember m : List.of(a, b, c)) {
            assertThat(TestStores.contents(m, false)).isEqualTo(state);
            assertThat(m.memberList()).extracting(ClusterMember::name).containsExactlyInAnyOrder("a", "b", "c");
        }
        assertThat(a.memberIdOf("b")).isEqualTo(added.id());
        assertThat(c.memberIdOf("a")).isEqualTo(a.status().memberId());

        a.removeMember(added.id()).join();
        await(() -> a.members().size() == 2, "b left the configuration");
        b.removal().get(30, TimeUnit.SECONDS); // b learns it was removed, as etcd's member does
        assertThat(c.removal()).isNotDone();
        assertThat(a.memberList()).extracting(ClusterMember::name).containsExactlyInAnyOrder("a", "c");
        a.put(PutRequest.of("after", "removal")).get(10, TimeUnit.SECONDS);
        await(() -> "removal".equals(TestStores.contents(c, true).get("after")), "c applied a write");
        assertThat(failure(() -> a.removeMember(added.id()).join())).isEqualTo(ErrorCode.MEMBER_NOT_FOUND);
    }

    @Test
    void aLearnerJoinsWithoutVoting_andOnlyOneAtATime() throws Exception {
        StoreMember a = start(peer("a"), false);
        a.put(PutRequest.of("before", "join")).join();
        Peer pl = peer("l");
        ClusterMember learner = a.addMember(List.of(url(pl)), true).join();
        assertThat(learner.learner()).isTrue();
        assertThat(failure(() -> a.addMember(List.of("http://127.0.0.1:1"), true).join()))
                .isEqualTo(ErrorCode.TOO_MANY_LEARNERS);

        assertThat(failure(() -> a.promoteMember(learner.id()).join())).as("not started yet")
                .isEqualTo(ErrorCode.LEARNER_NOT_READY);

        StoreMember l = start(pl, true);
        assertThat(a.memberList()).filteredOn(ClusterMember::learner).singleElement()
                .satisfies(m -> assertThat(m.name()).isEqualTo("l"));
        assertThat(a.members()).extracting(Peer::name).containsExactly("a"); // it does not vote
        await(() -> "join".equals(TestStores.contents(l, true).get("before")), "the learner caught up");
        a.put(PutRequest.of("k", "v")).get(10, TimeUnit.SECONDS); // one voter is still a quorum

        assertThat(failure(() -> a.promoteMember(a.status().memberId()).join()))
                .isEqualTo(ErrorCode.MEMBER_NOT_LEARNER);
        assertThat(failure(() -> l.promoteMember(42).join())).isEqualTo(ErrorCode.MEMBER_NOT_FOUND);
        l.promoteMember(learner.id()).join(); // asked of the learner itself: it goes to the leader
        await(() -> a.members().size() == 2, "the learner votes");
        assertThat(a.memberList()).noneMatch(ClusterMember::learner);
        assertThat(failure(() -> a.promoteMember(learner.id()).join())).isEqualTo(ErrorCode.MEMBER_NOT_LEARNER);
        l.put(PutRequest.of("from", "l")).get(10, TimeUnit.SECONDS);
    }

    @Test
    void refusals_haveEtcdsErrors() throws Exception {
        Peer pa = peer("a");
        StoreMember a = start(pa, false);
        assertThat(failure(() -> a.addMember(List.of(url(pa)), false).join())).isEqualTo(ErrorCode.PEER_URL_EXISTS);
        assertThat(failure(() -> a.addMember(List.of("not a url"), false).join()))
                .isEqualTo(ErrorCode.MEMBER_BAD_URLS);
        assertThat(failure(() -> a.addMember(List.of("http://127.0.0.1:2380/path"), false).join()))
                .isEqualTo(ErrorCode.MEMBER_BAD_URLS);
        assertThat(failure(() -> a.removeMember(42).join())).isEqualTo(ErrorCode.MEMBER_NOT_FOUND);

        Peer pb = peer("b");
        ClusterMember b = a.addMember(List.of(url(pb)), false).join();
        assertThat(failure(() -> a.addMember(List.of(url(pb)), false).join())).isEqualTo(ErrorCode.PEER_URL_EXISTS);
        // with b added but not started, a third voter would make a quorum of two out of one member up
        assertThat(failure(() -> a.addMember(List.of("http://127.0.0.1:3"), false).join()))
                .isEqualTo(ErrorCode.MEMBER_NOT_ENOUGH_STARTED);
        // a member that never started is removed from the registry alone
        a.removeMember(b.id()).join();
        await(() -> a.memberList().size() == 1, "b's registration was removed");
    }

    @Test
    void aMemberMovedToNewPeerUrls_isReachedThere_withEtcdsRefusals() throws Exception {
        Peer pa = peer("a");
        Peer pb = peer("b");
        Peer pc = peer("c");
        StoreMember a = start(pa, false);
        StoreMember b = start(pb, false);
        StoreMember c = start(pc, false);
        await(() -> a.status().leaderId() != 0, "a leader was elected");
        a.put(PutRequest.of("before", "move")).get(10, TimeUnit.SECONDS);
        long cId = a.memberIdOf("c");
        assertThat(failure(() -> a.updateMember(42, List.of("http://127.0.0.1:9")).join()))
                .isEqualTo(ErrorCode.MEMBER_NOT_FOUND);
        assertThat(failure(() -> a.updateMember(cId, List.of(url(pa))).join())).isEqualTo(ErrorCode.PEER_URL_EXISTS);
        assertThat(failure(() -> a.updateMember(cId, List.of("not a url")).join()))
                .isEqualTo(ErrorCode.MEMBER_BAD_URLS);

        // c moves: it stops, its peer URLs are updated, and it starts again from its data at the new address
        c.close();
        open.remove(c);
        peers.remove(pc);
        Peer moved;
        try (ServerSocket s = new ServerSocket(0)) {
            moved = new Peer("c", "127.0.0.1", s.getLocalPort());
        }
        peers.add(moved);
        a.updateMember(cId, List.of(url(moved))).join();
        for (StoreMember m : List.of(a, b)) {
            await(() -> m.memberList().stream()
                    .anyMatch(x -> x.id() == cId && x.peerUrls().equals(List.of(url(moved)))), "the new URLs applied");
        }
        StoreMember c2 = start(moved, false);
        assertThat(c2.status().memberId()).isEqualTo(cId);
        a.put(PutRequest.of("after", "move")).get(10, TimeUnit.SECONDS);
        await(() -> "move".equals(TestStores.contents(c2, true).get("after")), "c applied a write at its new address");
        assertThat(c2.members()).filteredOn(p -> p.name().equals("c")).singleElement()
                .satisfies(p -> assertThat(p.address()).isEqualTo(moved.address()));
    }

    @Test
    void aMemberJoiningAfterTheLogWasCompacted_catchesUpFromASnapshot() throws Exception {
        // a snapshot every 50 entries, keeping 10 behind it: the start of the log is gone when b joins
        UnaryOperator<StoreConfig> smallLog = c -> c.withSnapshotCount(50, 10);
        StoreMember a = start(peer("a"), false, smallLog);
        for (int i = 0; i < 400; i++) {
            a.put(PutRequest.of("k" + i, "v" + i)).join();
        }
        a.delete(DeleteRangeRequest.key(TestStores.bs("k0"))).join();
        Peer pb = peer("b");
        a.addMember(List.of(url(pb)), false).join();
        StoreMember b = start(pb, true, smallLog);
        Map<String, String> state = TestStores.contents(a, false);
        assertThat(state).hasSize(399).doesNotContainKey("k0");
        assertThat(TestStores.contents(b, false)).isEqualTo(state);
        assertThat(b.range(RangeRequest.key("k1")).join().kvs().get(0).modRevision())
                .isEqualTo(a.range(RangeRequest.key("k1")).join().kvs().get(0).modRevision());
    }

    @Test
    void changesThatWouldLeaveTooFewMembersUp_areRefused() throws Exception {
        StoreMember a = start(peer("a"), false);
        Peer pb = peer("b");
        ClusterMember b = a.addMember(List.of(url(pb)), false).join();
        StoreMember bm = start(pb, true);
        Peer pc = peer("c");
        a.addMember(List.of(url(pc)), false).join();
        // c is registered, not started: without b, a would be the only one up of two voters
        assertThat(failure(() -> a.removeMember(b.id()).join())).isEqualTo(ErrorCode.MEMBER_NOT_ENOUGH_STARTED);
        StoreMember cm = start(pc, true);

        StoreMember leader = List.of(a, bm, cm).stream().filter(m -> m.status().isLeader()).findFirst().orElseThrow();
        List<StoreMember> followers = List.of(a, bm, cm).stream().filter(m -> m != leader).toList();
        StoreMember down = followers.get(0);
        long downId = down.status().memberId();
        long upId = followers.get(1).status().memberId();
        down.close();
        open.remove(down);
        Thread.sleep(5_500); // etcd's health interval: the leader has not heard from it for longer than that
        assertThat(failure(() -> leader.addMember(List.of("http://127.0.0.1:4"), false).join()))
                .isEqualTo(ErrorCode.UNHEALTHY);
        // removing the other follower, which is up, would leave one member up of two
        assertThat(failure(() -> leader.removeMember(upId).join())).isEqualTo(ErrorCode.UNHEALTHY);
        leader.removeMember(downId).join(); // the member that is down is not part of the quorum that is up
        await(() -> leader.members().size() == 2, "the member that was down was removed");
        leader.put(PutRequest.of("k", "v")).get(10, TimeUnit.SECONDS);
    }

    @Test
    void aMemberThatWasNotAdded_cannotJoin() throws Exception {
        StoreMember a = start(peer("a"), false);
        Peer stranger = peer("x");
        assertThatThrownBy(() -> start(stranger, true)).hasMessageContaining("was not added");
        assertThat(a.memberList()).extracting(ClusterMember::name).containsExactly("a");
    }
}
