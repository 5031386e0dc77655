package io.keelson.store.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.Election;
import io.etcd.jetcd.Lock;
import io.etcd.jetcd.election.CampaignResponse;
import io.etcd.jetcd.election.LeaderKey;
import io.etcd.jetcd.election.LeaderResponse;
import io.etcd.jetcd.election.NoLeaderException;
import io.etcd.jetcd.election.NotLeaderException;
import io.etcd.jetcd.lock.LockResponse;
import io.etcd.jetcd.options.GetOption;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * etcd's Lock and Election services through jetcd (the cases of jetcd's own LockTest and ElectionTest) and the
 * etcdctl commands built on the same semantics, against three members.
 */
class LockElectionIT {
    @TempDir
    static Path root;
    static ServedCluster cluster;
    static Client client;

    @BeforeAll
    static void start() throws Exception {
        cluster = ServedCluster.start(root);
        client = cluster.client();
    }

    @AfterAll
    static void stop() {
        client.close();
        cluster.close();
    }

    static ByteSequence bs(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }

    static long lease(long ttl) throws Exception {
        return client.getLeaseClient().grant(ttl).get(10, TimeUnit.SECONDS).getID();
    }

    @Test
    void lockWithoutALease_isGrantedOne_andAMissingLeaseIsRefused() throws Exception {
        Lock lock = client.getLockClient();
        LockResponse held = lock.lock(bs("jetcd/no-lease"), 0).get(10, TimeUnit.SECONDS);
        assertThat(held.getHeader()).isNotNull();
        assertThat(held.getKey().toString(StandardCharsets.UTF_8)).startsWith("jetcd/no-lease/");
        lock.unlock(held.getKey()).get(10, TimeUnit.SECONDS);

        assertThatThrownBy(() -> lock.lock(bs("jetcd/missing"), 123456).get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).hasMessageContaining("etcdserver: requested lease not found");
    }

    @Test
    void aSecondLock_waitsForTheFirstLeaseToExpire_orForAnUnlock() throws Exception {
        Lock lock = client.getLockClient();
        LockResponse first = lock.lock(bs("jetcd/with-lease"), lease(2)).get(10, TimeUnit.SECONDS);
        long started = System.nanoTime();
        LockResponse second = lock.lock(bs("jetcd/with-lease"), 0).get(20, TimeUnit.SECONDS);
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isBetween(1000L, 6000L);
        assertThat(second.getKey()).isNotEqualTo(first.getKey());

        CompletableFuture<LockResponse> third = lock.lock(bs("jetcd/with-lease"), lease(30));
        assertThatThrownBy(() -> third.get(300, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);
        lock.unlock(second.getKey()).get(10, TimeUnit.SECONDS);
        assertThat(third.get(2, TimeUnit.SECONDS).getKey()).isNotEqualTo(second.getKey());
        lock.unlock(third.get().getKey()).get(10, TimeUnit.SECONDS);
    }

    @Test
    void aLockCallThatIsCancelled_leavesTheLine() throws Exception {
        Lock lock = client.getLockClient();
        LockResponse held = lock.lock(bs("grpc/cancelled"), lease(30)).get(10, TimeUnit.SECONDS);
        long quitter = lease(30);
        io.grpc.ManagedChannel channel = io.grpc.netty.NettyChannelBuilder.forTarget(
                cluster.endpoints.get(0).substring("http://".length())).usePlaintext().build();
        try {
            assertThatThrownBy(() -> io.etcd.jetcd.api.lock.LockGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(500, TimeUnit.MILLISECONDS).lock(io.etcd.jetcd.api.lock.LockRequest
                            .newBuilder().setName(com.google.protobuf.ByteString.copyFromUtf8("grpc/cancelled"))
                            .setLease(quitter).build())).hasMessageContaining("DEADLINE_EXCEEDED");
        } finally {
            channel.shutdownNow();
        }
        String quitterKey = "grpc/cancelled/" + Long.toHexString(quitter);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (client.getKVClient().get(bs(quitterKey)).get().getCount() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(client.getKVClient().get(bs(quitterKey)).get().getCount()).as("its key is deleted").isZero();
        lock.unlock(held.getKey()).get(10, TimeUnit.SECONDS);
    }

    @Test
    void locksOfClientsInDifferentNamespaces_doNotMeet() throws Exception {
        try (Client ns1 = Client.builder().endpoints(cluster.endpoints.toArray(String[]::new))
                .namespace(bs("test-ns/")).build();
             Client ns2 = Client.builder().endpoints(cluster.endpoints.toArray(String[]::new))
                     .namespace(bs("test-ns2/")).build()) {
            LockResponse first = ns1.getLockClient().lock(bs("sample_name"), lease(30)).get(10, TimeUnit.SECONDS);
            assertThat(first.getKey().toString(StandardCharsets.UTF_8)).startsWith("sample_name/");
            assertThat(values("test-ns/sample_name")).as("stored under the namespace").hasSize(1);
            LockResponse other = ns2.getLockClient().lock(bs("sample_name"), lease(30)).get(2, TimeUnit.SECONDS);
            assertThat(other.getKey().toString(StandardCharsets.UTF_8)).startsWith("sample_name/");
            ns1.getLockClient().unlock(first.getKey()).get(10, TimeUnit.SECONDS);
            ns2.getLockClient().unlock(other.getKey()).get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void anIsolatedElection_campaignsLeadsProclaimsAndResigns() throws Exception {
        Election election = client.getElectionClient();
        long lease = lease(10);
        CampaignResponse campaign = election.campaign(bs("jetcd/isolated"), lease, bs("proposal1"))
                .get(10, TimeUnit.SECONDS);
        LeaderKey me = campaign.getLeader();
        assertThat(me.getLease()).isEqualTo(lease);
        assertThat(me.getName()).isEqualTo(bs("jetcd/isolated"));
        LeaderResponse leader = election.leader(bs("jetcd/isolated")).get(10, TimeUnit.SECONDS);
        assertThat(leader.getKv().getKey()).isEqualTo(me.getKey());
        assertThat(leader.getKv().getValue()).isEqualTo(bs("proposal1"));
        assertThat(leader.getKv().getLease()).isEqualTo(lease);
        assertThat(leader.getKv().getCreateRevision()).isEqualTo(me.getRevision());

        election.proclaim(me, bs("proposal2")).get(10, TimeUnit.SECONDS);
        assertThat(values("jetcd/isolated")).containsExactly("proposal2");
        election.resign(me).get(10, TimeUnit.SECONDS);
        assertThat(values("jetcd/isolated")).isEmpty();
    }

    @Test
    void campaigningAgainWithTheSameLease_keepsTheKeyAndRevision_andChangesTheValue() throws Exception {
        Election election = client.getElectionClient();
        long lease = lease(10);
        LeaderKey first = election.campaign(bs("jetcd/retry"), lease, bs("proposal1")).get(5, TimeUnit.SECONDS)
                .getLeader();
        LeaderKey second = election.campaign(bs("jetcd/retry"), lease, bs("proposal2")).get(5, TimeUnit.SECONDS)
                .getLeader();
        assertThat(second.getKey()).isEqualTo(first.getKey());
        assertThat(second.getRevision()).isEqualTo(first.getRevision());
        assertThat(values("jetcd/retry")).containsExactly("proposal2");
        election.resign(second).get(5, TimeUnit.SECONDS);
    }

    @Test
    void noLeader_andNotLeader_areTheErrorsJetcdKnows() {
        Election election = client.getElectionClient();
        assertThatThrownBy(() -> election.leader(bs("jetcd/empty")).get(10, TimeUnit.SECONDS))
                .hasCauseInstanceOf(NoLeaderException.class);
        LeaderKey fake = new LeaderKey(bs("jetcd/fake"), bs("jetcd/fake/1"), 1, 1);
        assertThatThrownBy(() -> election.proclaim(fake, bs("proposal")).get(10, TimeUnit.SECONDS))
                .hasCauseInstanceOf(NotLeaderException.class);
    }

    @Test
    void anObserver_seesEachNewLeader() throws Exception {
        Election election = client.getElectionClient();
        long lease = lease(10);
        // a leader first: the observer reports it as soon as its stream is up, however long that takes here
        LeaderKey me = election.campaign(bs("jetcd/observed"), lease, bs("value-1")).get(10, TimeUnit.SECONDS)
                .getLeader();
        List<String> seen = new CopyOnWriteArrayList<>();
        election.observe(bs("jetcd/observed"), new Election.Listener() {
            @Override
            public void onNext(LeaderResponse response) {
                seen.add(response.getKv().getValue().toString(StandardCharsets.UTF_8));
            }

            @Override
            public void onError(Throwable throwable) {
                seen.add("error: " + throwable);
            }

            @Override
            public void onCompleted() {
            }
        });
        for (int i = 2; i <= 3; i++) {
            awaitSeen(seen, i - 1);
            election.resign(me).get(10, TimeUnit.SECONDS);
            me = election.campaign(bs("jetcd/observed"), lease, bs("value-" + i)).get(10, TimeUnit.SECONDS)
                    .getLeader();
        }
        awaitSeen(seen, 3);
        election.resign(me).get(10, TimeUnit.SECONDS);
        assertThat(seen).containsExactly("value-1", "value-2", "value-3");
    }

    private static void awaitSeen(List<String> seen, int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (seen.size() < count && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
    }

    @Test
    void fiveCandidates_takeTurns_oneAtATime() throws Exception {
        Election election = client.getElectionClient();
        ByteSequence counter = bs("jetcd/barrier-counter");
        client.getKVClient().put(counter, bs("0")).get(10, TimeUnit.SECONDS);
        List<CompletableFuture<Void>> turns = new java.util.ArrayList<>();
        for (int i = 0; i < 5; i++) {
            long lease = lease(100);
            turns.add(election.campaign(bs("jetcd/barrier"), lease, bs("candidate-" + i)).thenAccept(c -> {
                try {
                    int n = Integer.parseInt(client.getKVClient().get(counter).get().getKvs().get(0).getValue()
                            .toString(StandardCharsets.UTF_8));
                    Thread.sleep(100);
                    client.getKVClient().put(counter, bs(Integer.toString(n + 1))).get();
                    election.resign(c.getLeader()).get();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        CompletableFuture.allOf(turns.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        assertThat(client.getKVClient().get(counter).get().getKvs().get(0).getValue()).isEqualTo(bs("5"));
        assertThat(values("jetcd/barrier")).isEmpty();
    }

    @Test
    void etcdctlLock_runsItsCommandHoldingTheLock() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Etcdctl.onPath("etcdctl"), "etcdctl is not installed");
        Etcdctl.Result r = Etcdctl.run(cluster.endpoints.get(1), null, "lock", "etcdctl/lock", "--", "sh", "-c",
                "echo \"held $ETCD_LOCK_KEY\"");
        assertThat(r.exit()).as(r.out()).isZero();
        assertThat(r.out()).startsWith("held etcdctl/lock/");
        assertThat(values("etcdctl/lock")).as("unlocked after the command").isEmpty();
    }

    @Test
    void aLeaderKilledWithKill9_isReplaced_onceItsLeaseRunsOut() throws Exception {
        Process leader = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), ElectionCandidate.class.getName(),
                String.join(",", cluster.endpoints), "jetcd/killed", "doomed", "2").redirectErrorStream(true).start();
        try {
            java.io.BufferedReader out = new java.io.BufferedReader(new java.io.InputStreamReader(
                    leader.getInputStream(), StandardCharsets.UTF_8));
            String line;
            while ((line = out.readLine()) != null && !line.equals("leading")) {
                // its log lines
            }
            assertThat(line).as("the candidate process leads").isEqualTo("leading");
            CompletableFuture<io.etcd.jetcd.election.CampaignResponse> successor = client.getElectionClient()
                    .campaign(bs("jetcd/killed"), lease(30), bs("successor"));
            assertThatThrownBy(() -> successor.get(500, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);
            leader.destroyForcibly(); // SIGKILL: no resignation, the lease is simply no longer renewed
            LeaderKey next = successor.get(15, TimeUnit.SECONDS).getLeader();
            assertThat(client.getElectionClient().leader(bs("jetcd/killed")).get(10, TimeUnit.SECONDS).getKv()
                    .getValue()).isEqualTo(bs("successor"));
            client.getElectionClient().resign(next).get(10, TimeUnit.SECONDS);
        } finally {
            leader.destroyForcibly();
        }
    }

    @Test
    void etcdctlElect_leads_andTheNextCandidateTakesOverWhenTheLeaderStops() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Etcdctl.onPath("etcdctl"), "etcdctl is not installed");
        Process first = etcdctl("elect", "etcdctl/elect", "p1");
        Process second = null;
        try {
            java.io.BufferedReader firstOut = lines(first);
            assertThat(firstOut.readLine()).startsWith("etcdctl/elect/");
            assertThat(firstOut.readLine()).isEqualTo("p1");
            second = etcdctl("elect", "etcdctl/elect", "p2");
            Thread.sleep(500);
            assertThat(values("etcdctl/elect")).containsExactlyInAnyOrder("p1", "p2");
            first.destroy(); // SIGTERM: etcdctl resigns
            java.io.BufferedReader secondOut = lines(second);
            assertThat(secondOut.readLine()).startsWith("etcdctl/elect/");
            assertThat(secondOut.readLine()).isEqualTo("p2");
        } finally {
            first.destroyForcibly();
            if (second != null) {
                second.destroy();
                second.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private static Process etcdctl(String... args) throws java.io.IOException {
        List<String> cmd = new java.util.ArrayList<>(List.of("etcdctl", "--endpoints=" + cluster.endpoints.get(2)));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("ETCDCTL_API", "3");
        return pb.start();
    }

    private static java.io.BufferedReader lines(Process p) {
        return new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    }

    private static List<String> values(String name) throws Exception {
        return client.getKVClient().get(bs(name + "/"), GetOption.builder().isPrefix(true).build())
                .get(10, TimeUnit.SECONDS).getKvs().stream().map(kv -> kv.getValue().toString(StandardCharsets.UTF_8))
                .toList();
    }
}
