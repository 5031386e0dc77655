package io.keelson.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A three-member group in one JVM: failover, catch-up by snapshot, full restart. */
class ThreeMemberIT {
    @TempDir
    Path root;
    final List<StoreMember> members = new ArrayList<>();
    List<StoreConfig> configs;

    @AfterEach
    void closeAll() {
        members.forEach(m -> {
            if (m != null) {
                m.close();
            }
        });
    }

    private void startAll(List<StoreConfig> configs) {
        this.configs = configs;
        for (StoreConfig c : configs) {
            members.add(KeelsonStore.open(c));
        }
    }

    private StoreMember awaitLeader() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            for (StoreMember m : members) {
                if (m != null && m.status().isLeader()) {
                    return m;
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no leader elected");
    }


    @Test
    void leaderKilledUnderWrites_newLeaderElected_andEveryAcknowledgedWriteSurvives() throws Exception {
        startAll(TestStores.threeMembers(root));
        StoreMember leader = awaitLeader();
        Map<String, String> acknowledged = new ConcurrentHashMap<>();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger failures = new AtomicInteger();
        CountDownLatch someWritten = new CountDownLatch(200);
        List<Thread> writers = new ArrayList<>();
        for (int w = 0; w < 4; w++) {
            int writer = w;
            Thread t = new Thread(() -> {
                for (int i = 0; !stop.get(); i++) {
                    String key = "w" + writer + "/" + i;
                    StoreMember target = members.get((writer + i) % members.size());
                    if (target == null) {
                        continue;
                    }
                    try {
                        target.put(PutRequest.of(key, "v" + i)).get(15, TimeUnit.SECONDS);
                        acknowledged.put(key, "v" + i);
                        someWritten.countDown();
                    } catch (Exception e) {
                        failures.incrementAndGet(); // unacknowledged: may or may not be applied
                    }
                }
            });
            t.start();
            writers.add(t);
        }
        assertThat(someWritten.await(60, TimeUnit.SECONDS)).isTrue();
        int leaderIndex = members.indexOf(leader);
        members.set(leaderIndex, null);
        leader.close();
        StoreMember newLeader = awaitLeader();
        assertThat(newLeader).isNotSameAs(leader);
        int before = acknowledged.size();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (acknowledged.size() < before + 200 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        stop.set(true);
        for (Thread t : writers) {
            t.join();
        }
        assertThat(acknowledged.size()).as("writes continue after failover").isGreaterThanOrEqualTo(before + 200);

        for (StoreMember m : members) {
            if (m != null) {
                assertThat(TestStores.contents(m, false)).containsAllEntriesOf(acknowledged);
            }
        }
        // the old leader comes back and catches up
        members.set(leaderIndex, KeelsonStore.open(configs.get(leaderIndex)));
        Map<String, String> expected = TestStores.contents(newLeader, false);
        awaitEqual(members.get(leaderIndex), expected);
    }

    private static void awaitEqual(StoreMember m, Map<String, String> expected) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!TestStores.contents(m, true).equals(expected) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(TestStores.contents(m, true)).isEqualTo(expected);
    }

    @Test
    void followerBehindThePurgedLog_catchesUpBySnapshot() throws Exception {
        List<StoreConfig> small = TestStores.threeMembers(root).stream()
                .map(c -> c.withSnapshotCount(100, 0)).toList();
        startAll(small);
        StoreMember leader = awaitLeader();
        leader.put(PutRequest.of("before", "stop")).join();
        int followerIndex = leader == members.get(0) ? 1 : 0;
        StoreMember follower = members.get(followerIndex);
        awaitEqual(follower, TestStores.contents(leader, false));
        long stoppedAt = follower.status().appliedIndex();
        follower.close();
        members.set(followerIndex, null);

        // one entry each, well past snapshot-count; large enough values to fill and close a 32 MB log
        // segment (Ratis purges only closed segments)
        com.google.protobuf.ByteString big = com.google.protobuf.ByteString.copyFrom(new byte[128 * 1024]);
        for (int i = 0; i < 400; i++) {
            leader.put(PutRequest.of(TestStores.bs("k" + (i % 50)), big.concat(TestStores.bs("v" + i)))).join();
        }
        leader.delete(DeleteRangeRequest.prefix("k4")).join();
        long leaderRevision = leader.status().revision();

        members.set(followerIndex, KeelsonStore.open(small.get(followerIndex)));
        StoreMember restarted = members.get(followerIndex);
        awaitEqual(restarted, TestStores.contents(leader, false));
        assertThat(restarted.status().revision()).isEqualTo(leaderRevision);
        // the entries it missed never reached its log: they came as a snapshot
        assertThat(logHolds(small.get(followerIndex).dataDir(), stoppedAt + 50)).isFalse();
        // and it keeps up with new writes afterwards
        leader.put(PutRequest.of("after", "catch-up")).join();
        awaitEqual(restarted, TestStores.contents(leader, false));
    }

    private static final Pattern SEGMENT = Pattern.compile("log_(?:(\\d+)-(\\d+)|inprogress_(\\d+))");

    /** Whether one of the member's Raft log segments contains {@code index}. */
    private static boolean logHolds(Path dataDir, long index) throws IOException {
        try (Stream<Path> files = Files.walk(dataDir.resolve("raft"))) {
            return files.map(p -> SEGMENT.matcher(p.getFileName().toString()))
                    .filter(Matcher::matches)
                    .anyMatch(m -> m.group(3) != null ? Long.parseLong(m.group(3)) <= index
                            : Long.parseLong(m.group(1)) <= index && index <= Long.parseLong(m.group(2)));
        }
    }

    @Test
    void leaseExpiry_newLeaderGivesFullTtl_andEveryMemberDeletesTheKeysAtOneRevision() throws Exception {
        startAll(TestStores.threeMembers(root));
        StoreMember leader = awaitLeader();
        long granted = System.nanoTime();
        long id = leader.leaseGrant(Lease.GrantRequest.ttl(3)).join().id();
        long putRevision = leader.txn(TxnRequest.of(List.of(), List.of(
                PutRequest.of("eph/1", "a").withLease(id), PutRequest.of("eph/2", "b").withLease(id)),
                List.of())).join().header().revision();
        Thread.sleep(1500);
        members.set(members.indexOf(leader), null);
        leader.close();
        StoreMember newLeader = awaitLeader();
        // past the lease's original deadline the keys are still there: the new leader restarted its TTL
        long sinceGrant = System.nanoTime() - granted;
        Thread.sleep(Math.max(0, TimeUnit.MILLISECONDS.toNanos(3500) - sinceGrant) / 1_000_000);
        assertThat(newLeader.range(RangeRequest.prefix("eph/")).join().kvs()).hasSize(2);

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!newLeader.range(RangeRequest.prefix("eph/")).join().kvs().isEmpty()) {
            assertThat(System.nanoTime()).as("lease expires under the new leader").isLessThan(deadline);
            Thread.sleep(50);
        }
        List<Long> deleteRevisions = new ArrayList<>();
        for (StoreMember m : members) {
            if (m != null) {
                deleteRevisions.add(deleteRevision(m, putRevision));
            }
        }
        assertThat(deleteRevisions).hasSize(2).allMatch(r -> r.equals(deleteRevisions.get(0)));
        assertThat(newLeader.leaseTimeToLive(id, false).join().ttl()).isEqualTo(-1);
    }

    /** The first revision after {@code from} at which both eph/ keys are gone, read on {@code m} itself. */
    private static long deleteRevision(StoreMember m, long from) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (m.range(RangeRequest.prefix("eph/").withSerializable()).join().kvs().size() > 0) {
            assertThat(System.nanoTime()).isLessThan(deadline);
            Thread.sleep(20);
        }
        for (long rev = from; ; rev++) {
            int live = m.range(RangeRequest.prefix("eph/").atRevision(rev).withSerializable()).join().kvs().size();
            if (live == 0) {
                return rev;
            }
            assertThat(live).as("both keys go at the same revision").isEqualTo(2);
        }
    }

    @Test
    void watchOnFollower_whileLeaderIsKilled_continuesWithoutGaps_andMatchesTheLeadersOrder() throws Exception {
        startAll(TestStores.threeMembers(root));
        StoreMember leader = awaitLeader();
        StoreMember follower = members.get(leader == members.get(0) ? 1 : 0);
        StoreMember third = members.stream().filter(m -> m != leader && m != follower).findFirst().orElseThrow();
        long start = leader.put(PutRequest.of("x/start", "0")).join().header().revision();
        WatchStream onFollower = new WatchStream();
        WatchStream onLeader = new WatchStream();
        follower.watch(WatchRequest.prefix("x/").fromRevision(start), onFollower);
        leader.watch(WatchRequest.prefix("x/").fromRevision(start), onLeader);

        AtomicBoolean stop = new AtomicBoolean();
        List<Long> acked = new java.util.concurrent.CopyOnWriteArrayList<>();
        Thread writer = new Thread(() -> {
            for (int i = 0; !stop.get(); i++) {
                try {
                    acked.add(follower.put(PutRequest.of("x/" + (i % 13), "v" + i)).get(15, TimeUnit.SECONDS)
                            .header().revision());
                } catch (Exception e) {
                    // unacknowledged during the election
                }
            }
        });
        writer.start();
        onLeader.awaitEvents(100);
        members.set(members.indexOf(leader), null);
        leader.close();
        awaitLeader();
        int before = acked.size();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (acked.size() < before + 100 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        stop.set(true);
        writer.join();
        long last = third.status().revision();
        onFollower.await(s -> s.responses.stream().anyMatch(WatchResponse::canceled)
                || s.lastEventRevision() >= last, "catch-up");
        onFollower.assertGuarantees();
        onLeader.assertGuarantees();
        List<Event> events = onFollower.events();
        if (onFollower.responses.stream().anyMatch(WatchResponse::canceled)) {
            // canceled with a reason: resuming from the last revision + 1 yields the rest
            long resumeAt = events.get(events.size() - 1).revision() + 1;
            WatchStream resumed = new WatchStream();
            follower.watch(WatchRequest.prefix("x/").fromRevision(resumeAt), resumed);
            resumed.await(s -> s.lastEventRevision() >= last, "the rest");
            events = new ArrayList<>(events);
            events.addAll(resumed.events());
        }
        // reliable: every acknowledged write is in the stream, revisions strictly follow the history
        assertThat(events.stream().map(Event::revision).toList()).containsAll(acked);
        // the same events in the same order as the old leader delivered before it died
        List<Event> fromLeader = onLeader.events();
        assertThat(events.subList(0, fromLeader.size())).isEqualTo(fromLeader);
        // and as a watch replayed on the third member
        WatchStream replay = new WatchStream();
        third.watch(WatchRequest.prefix("x/").fromRevision(start), replay);
        replay.awaitEvents(events.size());
        assertThat(replay.events()).isEqualTo(events);
    }

    @Test
    void leaseGrantedThroughOneMember_isUsableAtOnceThroughAnother() throws Exception {
        startAll(TestStores.threeMembers(root));
        awaitLeader();
        for (int i = 0; i < 30; i++) {
            long id = members.get(i % 3).leaseGrant(Lease.GrantRequest.ttl(60)).join().id();
            members.get((i + 1) % 3).put(PutRequest.of("lease/" + i, "v").withLease(id)).join();
            members.get((i + 2) % 3).leaseRevoke(id).join();
        }
        assertThat(members.get(0).range(RangeRequest.prefix("lease/")).join().kvs()).isEmpty();
    }

    @Test
    void writesSentRightAfterStart_waitForTheLeaderOnEveryMember() throws Exception {
        startAll(TestStores.threeMembers(root)); // no waiting: the group is still electing
        List<CompletableFuture<PutResponse>> puts = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            puts.add(members.get(i % 3).put(PutRequest.of("early/" + i, "v")));
        }

        puts.forEach(CompletableFuture::join); // none fails with "no leader" or "request timed out"
        assertThat(members.get(0).range(RangeRequest.prefix("early/")).join().count()).isEqualTo(30);
    }

    @Test
    void fullClusterRestart_recoversAllData() throws Exception {
        startAll(TestStores.threeMembers(root));
        StoreMember leader = awaitLeader();
        for (int i = 0; i < 300; i++) {
            members.get(i % 3).put(PutRequest.of("r/" + i, "v" + i)).join();
        }
        long lease = leader.leaseGrant(Lease.GrantRequest.ttl(600)).join().id();
        leader.put(PutRequest.of("leased", "x").withLease(lease)).join();
        Map<String, String> expected = TestStores.contents(leader, false);
        long revision = leader.status().revision();
        for (int i = 0; i < 3; i++) {
            members.get(i).close();
            members.set(i, null);
        }
        for (int i = 0; i < 3; i++) {
            members.set(i, KeelsonStore.open(configs.get(i)));
        }
        StoreMember newLeader = awaitLeader();
        assertThat(TestStores.contents(newLeader, false)).isEqualTo(expected);
        assertThat(newLeader.range(RangeRequest.key("r/0")).join().header().revision()).isEqualTo(revision);
        assertThat(newLeader.leaseList().join().ids()).contains(lease);
        for (StoreMember m : members) {
            awaitEqual(m, expected);
        }
    }
}
