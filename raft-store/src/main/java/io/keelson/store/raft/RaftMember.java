package io.keelson.store.raft;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.keelson.store.ClusterMember;
import io.keelson.store.CompactResponse;
import io.keelson.store.DeleteRangeRequest;
import io.keelson.store.DeleteRangeResponse;
import io.keelson.store.ErrorCode;
import io.keelson.store.KvStore;
import io.keelson.store.Lease;
import io.keelson.store.MemberStatus;
import io.keelson.store.Peer;
import io.keelson.store.PutRequest;
import io.keelson.store.PutResponse;
import io.keelson.store.RangeRequest;
import io.keelson.store.RangeResponse;
import io.keelson.store.ResponseHeader;
import io.keelson.store.StoreConfig;
import io.keelson.store.StoreException;
import io.keelson.store.MemberAlarm;
import io.keelson.store.StoreMember;
import io.keelson.store.TxnOp;
import io.keelson.store.TxnRequest;
import io.keelson.store.TxnResponse;
import io.keelson.store.Watch;
import io.keelson.store.WatchRequest;
import io.keelson.store.WatchResponse;
import io.keelson.store.mvcc.Command;
import io.keelson.store.mvcc.MvccStore;
import io.keelson.store.raft.proto.Batch;
import io.keelson.store.raft.proto.Entry;
import io.keelson.store.raft.proto.Op;
import io.keelson.store.raft.proto.Query;
import io.keelson.store.raft.proto.QueryReply;
import io.keelson.store.watch.WatchHub;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.grpc.GrpcTlsConfig;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientAsynchronousProtocol;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftGroupMemberId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.rpc.CallId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.raftlog.RaftLog;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import org.apache.ratis.util.TimeDuration;

/**
 * One store member: a Ratis server with the {@link KvStateMachine}, a Ratis client for proposals
 * and reads, the group-commit {@link Proposer}, the {@link ReadBarrier} with the
 * {@link LeaderReadIndex} that confirms its rounds, and the {@link Lessor}.
 */
public final class RaftMember implements StoreMember {
    /** etcd's largest lease TTL, in seconds. */
    static final long MAX_LEASE_TTL = 9_000_000_000L;
    private static final int QUEUE_CAPACITY = 1 << 16;
    private static final String RAFT_DIR = "raft";
    private static final String STATE_DIR = "state";

    private final StoreConfig config;
    private final RaftGroupId groupId;
    private final RaftPeerId selfId;
    private final long clusterId;
    private final UUID groupUuid;
    private final Membership membership;
    private final Authentication authentication;
    private final CompletableFuture<Void> removal = new CompletableFuture<>();
    /** Whether a configuration with this member in it has applied here: a joiner replays older ones first. */
    private volatile boolean seenInConfiguration;
    private final ExecutorService authWork;
    /** 0 until a joining member knows the id it was added with. */
    private volatile long memberId;
    private final RandomGenerator random;
    private final KvStateMachine stateMachine;
    private final RaftServer server;
    private final RaftClient client;
    private final ClientId localClientId = ClientId.randomId();
    private final AtomicLong localCallIds = new AtomicLong();
    private final LogTransport transport;
    private final Proposer proposer;
    private final ReadBarrier barrier;
    private final LeaderReadIndex leaderReadIndex;
    private final MemberListener listener = new MemberListener();
    private final Lessor lessor;
    private final RequestCheck check;
    private final java.util.concurrent.atomic.AtomicLong leaderChanges = new java.util.concurrent.atomic.AtomicLong();
    private final Quota quota;
    private final ExecutorService completions;
    private final ExecutorService readers;
    private final ScheduledExecutorService scheduler;
    private final ExecutorService watchDispatch;
    private final ScheduledExecutorService watchScheduler;
    private volatile WatchHub watches; // set once the state machine is up
    /** This member as Ratis names it in its metrics ("name@group-..."). */
    private final String raftMemberId;
    private final List<java.util.function.DoubleConsumer> walFsyncListeners = new CopyOnWriteArrayList<>();
    private final List<RoundTripListener> roundTripListeners = new CopyOnWriteArrayList<>();

    /**
     * @param joining the group a member without data joins (it starts outside the configuration and is let in by
     *                the leader), or null to start with its stored group or form a new one with its peers
     */
    private RaftMember(StoreConfig config, UUID joining) throws IOException {
        // the keys first: a key that cannot be read fails the start before any thread exists
        JwtIssuer jwt = config.jwtTokens() == null ? null : new JwtIssuer(config.jwtTokens(), System::currentTimeMillis);
        this.config = config;
        this.random = new SecureRandom();
        List<String> names = config.peers().stream().map(Peer::name).sorted().toList();
        Path raftDir = config.dataDir().resolve(RAFT_DIR);
        // as etcd's data dir does, a member's stored group wins over the names it is started with: a restart with
        // another --initial-cluster must not start a new, empty group beside the stored one
        this.groupUuid = joining != null ? joining : storedGroup(raftDir)
                .orElseGet(() -> UUID.nameUUIDFromBytes(("keelson:" + names).getBytes(StandardCharsets.UTF_8)));
        this.groupId = RaftGroupId.valueOf(groupUuid);
        this.clusterId = groupUuid.getMostSignificantBits() & Long.MAX_VALUE;
        this.selfId = RaftPeerId.valueOf(config.memberName());
        List<RaftPeer> peers = new ArrayList<>();
        PeerAddress.install();
        for (Peer p : config.peers()) {
            // a joining member knows the others only to reach them: the configuration it joins names them
            String address = joining != null ? p.address()
                    : PeerAddress.of(Membership.derivedId(groupUuid, p.name()), p.address());
            peers.add(RaftPeer.newBuilder().setId(p.name()).setAddress(address).build());
        }
        RaftGroup group = RaftGroup.valueOf(groupId, peers);

        this.completions = Executors.newSingleThreadExecutor(daemon("keelson-completions"));
        this.readers = Executors.newFixedThreadPool(2, daemon("keelson-reads"));
        this.scheduler = Executors.newSingleThreadScheduledExecutor(daemon("keelson-lessor"));
        this.watchDispatch = Executors.newFixedThreadPool(2, daemon("keelson-watch-dispatch"));
        this.watchScheduler = Executors.newSingleThreadScheduledExecutor(daemon("keelson-watch-sync"));

        boolean fresh = !hasFiles(raftDir);
        Files.createDirectories(raftDir);
        this.stateMachine = new KvStateMachine(config.dataDir().resolve(STATE_DIR),
                (rev, term) -> new ResponseHeader(clusterId, memberId, rev, etcdTerm(term)));
        RaftProperties properties = RaftSettings.server(config, raftDir);
        // rounds complete on the scheduler thread, off Ratis' reply threads
        this.leaderReadIndex = new LeaderReadIndex(scheduler, scheduler, System::nanoTime,
                config.requestTimeout().toMillis());
        GrpcTlsConfig peerTls = PeerRpc.tls(config.peerTls());
        this.raftMemberId = RaftGroupMemberId.valueOf(selfId, groupId).toString();
        RatisMetrics.onWalSync(raftMemberId, seconds -> walFsyncListeners.forEach(l -> l.accept(seconds)));
        PeerRpc.RoundTrips roundTrips = (follower, nanos) -> {
            long id = memberIdOf(follower.toString());
            roundTripListeners.forEach(l -> l.roundTrip(id, nanos / 1e9));
        };
        this.server = RaftServer.newBuilder()
                .setGroup(joining != null ? RaftGroup.valueOf(groupId) : group)
                .setServerId(selfId)
                .setProperties(properties)
                .setParameters(PeerRpc.parameters(leaderReadIndex, roundTrips, peerTls))
                .setStateMachine(stateMachine)
                .setOption(fresh ? RaftStorage.StartupOption.FORMAT : RaftStorage.StartupOption.RECOVER)
                .build();
        this.client = RaftClient.newBuilder()
                .setProperties(RaftSettings.client())
                .setParameters(PeerRpc.parameters(null, null, peerTls)) // the members' port: with their TLS
                .setRaftGroup(group)
                .setClientId(ClientId.randomId())
                .setRetryPolicy(RetryPolicies.retryUpToMaximumCountWithFixedSleep(
                        (int) Math.max(1, config.requestTimeout().toMillis() / 100), TimeDuration.valueOf(100,
                                TimeUnit.MILLISECONDS)))
                .build();
        this.check = new RequestCheck(config.maxTxnOps(), id -> stateMachine.mvcc().leaseExists(id));
        this.quota = new Quota(config.quotaBackendBytes(), () -> stateMachine.mvcc().sizeBytes());
        this.transport = new LogTransport(RaftSettings.unflushedEntriesForPromptAppends(properties, config));
        this.proposer = new Proposer(config.memberName() + "/" + UUID.randomUUID(), transport,
                config.maxBatchOps(), config.maxBatchBytes(), config.maxInFlightBatches(), QUEUE_CAPACITY,
                completions, StoreErrors::of);
        this.barrier = new ReadBarrier(this::readIndex, readers, StoreErrors::of);
        this.lessor = new Lessor(System::nanoTime, scheduler, 250,
                id -> propose(new Command.LeaseRevoke(id)));
        this.authWork = Executors.newCachedThreadPool(daemon("keelson-auth"));
        this.authentication = new Authentication(this::readAuthState, this::propose, authWork, random,
                config.authTokenTtl(), config.bcryptCost(), jwt);
        this.membership = new Membership(groupUuid, config.peers(), config.peerTls() != null,
                new RaftConfigurationView(), () -> stateMachine.mvcc() == null ? null
                        : stateMachine.mvcc().registeredMembers(), this::propose, client, random);
        this.seenInConfiguration = joining == null;
        stateMachine.setListener(listener);
    }

    /** Starts a member as configured; returns once its Raft server is running (a leader may not exist yet). */
    public static RaftMember start(StoreConfig config) throws IOException {
        StoreConfig resolved = config;
        Peer self = config.self();
        if (self.port() == 0) {
            resolved = config.withPeers(self.name(), List.of(new Peer(self.name(), self.host(), freePort())));
        }
        boolean join = resolved.joinExisting() && !hasFiles(resolved.dataDir().resolve(RAFT_DIR));
        RaftMember member = new RaftMember(resolved, join ? Joining.group(resolved) : null);
        try {
            member.server.start();
            // the registry of added members is readable once the state database is open
            member.memberId = join ? Joining.join(resolved, member.groupId, (leader, query) ->
                    member.askLeader(leader, query, ErrorCode.NO_LEADER), member::inConfiguration)
                    : member.membership.idOf(resolved.memberName());
        } catch (IOException | RuntimeException e) {
            member.close();
            throw e;
        }
        member.startWatches();
        member.proposer.start();
        if (resolved.peers().size() == 1) {
            member.awaitLeader(); // a lone member elects itself; callers expect it ready on return
        }
        return member;
    }

    private void startWatches() {
        MvccStore mvcc = stateMachine.mvcc();
        watches = new WatchHub(new WatchHub.History() {
            @Override
            public List<io.keelson.store.Event> events(long from, long to) {
                return mvcc.events(from, to);
            }

            @Override
            public long compactRevision() {
                return mvcc.compactRevision();
            }
        }, mvcc.revision(), this::header, watchDispatch, watchScheduler,
                WatchHub.Settings.defaults().withProgressInterval(config.watchProgressInterval()));
    }

    private void awaitLeader() throws IOException {
        long deadline = System.nanoTime() + config.requestTimeout().toNanos();
        while (status().leader().isEmpty()) {
            if (System.nanoTime() > deadline) {
                close();
                throw new IOException("member " + config.memberName() + " elected no leader within "
                        + config.requestTimeout());
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Whether {@code dir} exists and holds anything; see {@link io.keelson.store.KeelsonStore#hasData}. */
    /** The Raft group whose storage {@code raftDir} holds (Ratis keeps each group in a directory named by its id). */
    private static Optional<UUID> storedGroup(Path raftDir) throws IOException {
        if (!Files.isDirectory(raftDir)) {
            return Optional.empty();
        }
        List<UUID> groups = new ArrayList<>();
        try (var s = Files.list(raftDir)) {
            for (Path p : s.filter(Files::isDirectory).toList()) {
                try {
                    groups.add(UUID.fromString(p.getFileName().toString()));
                } catch (IllegalArgumentException e) {
                    // not a group's directory
                }
            }
        }
        if (groups.size() > 1) {
            throw new IOException("the data dir " + raftDir + " holds several Raft groups: " + groups);
        }
        return groups.stream().findFirst();
    }

    public static boolean hasFiles(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (var s = Files.list(dir)) {
            return s.findAny().isPresent();
        }
    }

    private static ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    // ------------------------------------------------------------------ Raft plumbing

    /** How this member's {@link Proposer} reaches the log. */
    private final class LogTransport implements Proposer.Transport {
        private final int unflushedForPromptAppends;

        LogTransport(int unflushedForPromptAppends) {
            this.unflushedForPromptAppends = unflushedForPromptAppends;
        }

        @Override
        public boolean leading() {
            return leaderDivision() != null;
        }

        /**
         * A follower forwards, which never waits on its log. A leader appends promptly while few entries
         * wait for their fsync: it has at most {@code maxInFlightBatches} entries of its own outstanding, so
         * more means its disk stalls while the followers commit, and its write queue is filling up.
         */
        @Override
        public boolean appendsPromptly() {
            RaftServer.Division division = leaderDivision();
            if (division == null) {
                return true;
            }
            RaftLog log = division.getRaftLog();
            return log.getNextIndex() - 1 - log.getFlushIndex() < unflushedForPromptAppends;
        }

        /**
         * Straight to the local Raft server (no client RPC on loopback). A leader that steps down
         * meanwhile answers NotLeader: the operations fail with "no leader" rather than being resent,
         * since the entry may still commit under a new leader.
         */
        @Override
        public CompletableFuture<?> append(byte[] entry) {
            RaftServer.Division division = leaderDivision();
            if (division == null) {
                return CompletableFuture.failedFuture(new StoreException(ErrorCode.NO_LEADER));
            }
            return submitLocally(division, entry, RaftClientRequest.writeRequestType());
        }

        /**
         * To the leader's proposer, through Ratis' stale-read path: it hands the message to the state
         * machine of the member it is sent to with no leader check of its own, so a member that does
         * not lead (or is not ready yet) answers "not leader" for this batch alone. (Refused by Ratis
         * itself, the answer would fail every request pending on the Ratis client's connection,
         * batches the leader may already have taken among them.) Only an answer that says nothing was
         * done is retried, so a batch is never appended twice; any other failure fails its operations,
         * whose outcome is then unknown, as with etcd's timeouts.
         */
        @Override
        public CompletableFuture<?> forward(ByteString batch) {
            return retryWhileNoLeader(() -> forwardOnce(batch));
        }
    }

    /**
     * Submits a request to this member's own division: no client RPC on loopback, and on the calling
     * thread when the division takes client requests itself (Ratis' implementation does; through the
     * server, the request would be handed to another thread while this one blocks until it is taken).
     */
    private CompletableFuture<RaftClientReply> submitLocally(RaftServer.Division division, byte[] message,
                                                             RaftClientRequest.Type type) {
        RaftClientRequest request = RaftClientRequest.newBuilder()
                .setClientId(localClientId)
                .setServerId(selfId)
                .setGroupId(groupId)
                .setCallId(localCallIds.incrementAndGet())
                .setMessage(Message.valueOf(UnsafeByteOperations.unsafeWrap(message)))
                .setType(type)
                .build();
        try {
            return (division instanceof RaftClientAsynchronousProtocol direct
                    ? direct.submitClientRequestAsync(request)
                    : division.getRaftServer().submitClientRequestAsync(request))
                    .thenApply(RaftMember::successful);
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private CompletableFuture<Void> forwardOnce(ByteString batch) {
        if (leaderDivision() != null) {
            // this member has become the leader meanwhile: append it alone (through the proposer's
            // queue it would wait for an in-flight slot that this very forward holds)
            return transport.append(Entry.newBuilder().addGroups(batch).build().toByteArray())
                    .handle((ok, error) -> {
                        if (error != null) {
                            throw new StoreException(takenFailure(error));
                        }
                        return null;
                    });
        }
        RaftPeerId leader = knownLeader();
        if (leader == null || leader.equals(selfId)) {
            return CompletableFuture.failedFuture(new StoreException(ErrorCode.NO_LEADER));
        }
        // whether the leader got a batch whose connection failed is unknown
        return askLeader(leader, Query.newBuilder().setForward(batch).build(), ErrorCode.TIMEOUT)
                .thenApply(answer -> null);
    }

    /**
     * Sends {@code query} to the state machine of {@code leader} through Ratis' stale-read path, which
     * hands it over with no leader check or read index of Ratis' own. An answer that says nothing was
     * done fails with "no leader"; one that names the error a request failed with at the leader (already
     * mapped there) fails with it; a failed connection fails with {@code unreachable}.
     */
    private CompletableFuture<QueryReply> askLeader(RaftPeerId leader, Query query, ErrorCode unreachable) {
        RaftClientRequest request = RaftClientRequest.newBuilder()
                .setClientId(client.getId())
                .setServerId(leader)
                .setGroupId(groupId)
                // the Ratis client's own call ids: replies on its connection are matched by call id
                .setCallId(CallId.getAndIncrement())
                .setMessage(Message.valueOf(UnsafeByteOperations.unsafeWrap(query.toByteArray())))
                // no minimum index: even a member that has committed nothing yet hands it on
                .setType(RaftClientRequest.staleReadRequestType(RaftLog.INVALID_LOG_INDEX))
                .build();
        return client.getClientRpc().sendRequestAsyncUnordered(request).exceptionally(error -> {
            // the connection failed: reset it for the next request (the Ratis client does this on its own
            // requests)
            Throwable cause = StoreErrors.cause(error);
            client.getClientRpc().handleException(leader, cause, true);
            throw new StoreException(unreachable, cause);
        }).thenApply(reply -> {
            if (!reply.isSuccess()) {
                throw new StoreException(unreachable, reply.getException());
            }
            QueryReply answer;
            try {
                answer = QueryReply.parseFrom(reply.getMessage().getContent().asReadOnlyByteBuffer());
            } catch (InvalidProtocolBufferException e) {
                throw new StoreException(unreachable, e);
            }
            return answered(answer);
        });
    }

    /** The leader's answer, or the failure it names: "no leader", or the error code it already mapped. */
    private static QueryReply answered(QueryReply answer) {
        if (answer.getNotLeader()) {
            throw new StoreException(ErrorCode.NO_LEADER);
        }
        if (!answer.getError().isEmpty()) {
            throw new StoreException(ErrorCode.valueOf(answer.getError()));
        }
        return answer;
    }

    /**
     * The code a batch fails with once the leader took it: "no leader" would be retried, but the
     * batch may still commit, so the outcome is reported as unknown.
     */
    private static ErrorCode takenFailure(Throwable error) {
        ErrorCode code = StoreErrors.of(error).code();
        return code == ErrorCode.NO_LEADER ? ErrorCode.TIMEOUT : code;
    }

    /** This member's Raft division if it is the leader and ready to take writes, else null. */
    private RaftServer.Division leaderDivision() {
        try {
            RaftServer.Division division = server.getDivision(groupId);
            return division.getInfo().isLeader() && division.getInfo().isLeaderReady() ? division : null;
        } catch (IOException e) {
            return null;
        }
    }

    private static final Query READ_INDEX = Query.newBuilder().setReadIndex(true).build();

    /**
     * Completes once this member has applied a read index fixed after this call and confirmed by a
     * quorum: the leader's own ({@link LeaderReadIndex}), or the one a follower asks the leader for.
     * Reads that arrived before the call may then run on this member's state.
     */
    private CompletableFuture<?> readIndex() {
        return retryWhileNoLeader(() -> {
            RaftServer.Division division = leaderDivision();
            if (division != null) {
                return leaderReadIndex.confirm(division);
            }
            RaftPeerId leader = knownLeader();
            if (leader == null || leader.equals(selfId)) {
                return CompletableFuture.failedFuture(new StoreException(ErrorCode.NO_LEADER));
            }
            // an unreachable leader may have been replaced: ask again while the request has time
            return askLeader(leader, READ_INDEX, ErrorCode.NO_LEADER).thenApply(QueryReply::getReadIndex);
        }).thenCompose(this::appliedUpTo);
    }

    /** Completes once this member has applied {@code index}, never on the apply thread. */
    private CompletableFuture<Void> appliedUpTo(long index) {
        CompletableFuture<Void> applied = stateMachine.whenApplied(index);
        if (applied.isDone()) {
            return applied;
        }
        CompletableFuture<Void> handedOff = new CompletableFuture<>();
        applied.whenComplete((ok, error) -> {
            try {
                scheduler.execute(() -> handedOff.complete(null));
            } catch (RejectedExecutionException closing) {
                handedOff.completeExceptionally(new StoreException(ErrorCode.STOPPED));
            }
        });
        return handedOff;
    }

    /**
     * Retries {@code attempt} while the group has no leader (elections, start-up), for at most the
     * request timeout; then the last failure stands.
     */
    private <T> CompletableFuture<T> retryWhileNoLeader(Supplier<CompletableFuture<T>> attempt) {
        CompletableFuture<T> result = new CompletableFuture<>();
        long deadline = System.nanoTime() + config.requestTimeout().toNanos();
        retryWhileNoLeader(attempt, deadline, result);
        return result;
    }

    private <T> void retryWhileNoLeader(Supplier<CompletableFuture<T>> attempt, long deadline,
                                        CompletableFuture<T> result) {
        attempt.get().whenComplete((value, error) -> {
            if (error == null) {
                result.complete(value);
                return;
            }
            StoreException failure = StoreErrors.of(error);
            if (failure.code() == ErrorCode.NO_LEADER && System.nanoTime() < deadline && !scheduler.isShutdown()
                    && !leaderlessTooLong()) {
                try {
                    scheduler.schedule(() -> retryWhileNoLeader(attempt, deadline, result), 50,
                            TimeUnit.MILLISECONDS);
                    return;
                } catch (RejectedExecutionException closing) {
                    // fall through: the member is closing
                }
            }
            result.completeExceptionally(failure);
        });
    }

    /**
     * Whether this member has known no leader for longer than an election takes (twice the election
     * timeout): cut off from a quorum, it will not learn of one soon, and requests fail at once with
     * "no leader" rather than after the request timeout.
     */
    private boolean leaderlessTooLong() {
        try {
            var info = server.getDivision(groupId).getInfo();
            if (info.getLeaderId() != null) {
                return false;
            }
            var role = info.getRoleInfoProto();
            long leaderless = role.hasCandidateInfo() ? role.getCandidateInfo().getLastLeaderElapsedTimeMs()
                    : role.hasFollowerInfo() ? role.getFollowerInfo().getLeaderInfo().getLastRpcElapsedTimeMs() : 0;
            return leaderless > 2 * config.electionTimeout().toMillis();
        } catch (IOException e) {
            return true; // closed
        }
    }

    private CompletableFuture<QueryReply> queryLeader(Query query) {
        return retryWhileNoLeader(() -> queryLeaderOnce(query));
    }

    /**
     * Asks the leader's lessor: this member's own when it leads, else the leader it knows of. Either way
     * the leader answers only once a quorum confirmed that it still leads, as etcd's leader does before
     * it renews a lease or reports its time to live.
     */
    private CompletableFuture<QueryReply> queryLeaderOnce(Query query) {
        if (leaderDivision() != null) {
            return listener.query(query).thenApply(RaftMember::answered);
        }
        RaftPeerId leader = knownLeader();
        if (leader == null || leader.equals(selfId)) {
            return CompletableFuture.failedFuture(new StoreException(ErrorCode.NO_LEADER));
        }
        return askLeader(leader, query, ErrorCode.NO_LEADER);
    }

    private RaftPeerId knownLeader() {
        try {
            return server.getDivision(groupId).getInfo().getLeaderId();
        } catch (IOException e) {
            return null;
        }
    }

    private static RaftClientReply successful(RaftClientReply reply) {
        if (!reply.isSuccess()) {
            throw new CompletionException(reply.getException());
        }
        return reply;
    }

    private final class MemberListener implements KvStateMachine.Listener {
        @Override
        public void applied(List<Batch> batches, MvccStore.Applied applied) {
            for (long[] change : applied.leaseChanges()) {
                if (change[1] < 0) {
                    lessor.revoked(change[0]);
                } else {
                    lessor.granted(change[0], change[1]);
                }
            }
            WatchHub hub = watches;
            if (hub != null) {
                hub.publish(applied.events(), applied.revision());
            }
            int first = 0;
            for (Batch batch : batches) {
                for (Op op : batch.getOpsList()) {
                    if (op.getOpCase() == Op.OpCase.MEMBER) {
                        membership.refresh();
                    } else if (op.getOpCase() == Op.OpCase.AUTH) {
                        authentication.applied(op.getAuth());
                    }
                }
                int end = first + batch.getOpsCount();
                if (batch.getOrigin().equals(proposer.origin())) {
                    proposer.applied(batch.getSequence(), applied.results().subList(first, end));
                }
                first = end;
            }
        }

        @Override
        public CompletableFuture<QueryReply> forwarded(ByteString batch) {
            if (leaderDivision() == null) {
                return CompletableFuture.completedFuture(KvStateMachine.NOT_LEADER);
            }
            return proposer.forwarded(batch).handle((ok, error) -> {
                if (error == null) {
                    return QueryReply.getDefaultInstance();
                }
                Throwable cause = StoreErrors.cause(error);
                if (cause instanceof Proposer.NotLeading) {
                    return KvStateMachine.NOT_LEADER;
                }
                return QueryReply.newBuilder().setError(takenFailure(cause).name()).build();
            });
        }

        @Override
        public void configurationApplied(org.apache.ratis.proto.RaftProtos.RaftConfigurationProto conf) {
            var self = selfId.toByteString();
            boolean in = java.util.stream.Stream.concat(conf.getPeersList().stream(), conf.getListenersList().stream())
                    .anyMatch(p -> p.getId().equals(self));
            if (in) {
                seenInConfiguration = true;
            } else if (seenInConfiguration && !inConfiguration()) {
                // out of the applied configuration and of the newest one in the log (a restart replays older ones);
                // completed off Ratis' thread, which what depends on it must not hold up
                removal.completeAsync(() -> null);
            }
        }

        @Override
        public void removed() {
            removal.completeAsync(() -> null);
        }

        @Override
        public void reloaded() {
            membership.refresh();
            WatchHub hub = watches;
            if (hub != null) {
                hub.reset(stateMachine.mvcc().revision());
            }
            if (lessor.isPrimary()) {
                lessor.promote(stateMachine.mvcc().leases());
            }
        }

        @Override
        public void steppedDown() {
            leaderReadIndex.leadershipLost();
            lessor.demote();
        }

        @Override
        public void leaderChanged(boolean self) {
            leaderChanges.incrementAndGet();
            leaderReadIndex.leadershipLost(); // rounds of an earlier leadership can no longer be confirmed
            if (self) {
                lessor.promote(stateMachine.mvcc().leases());
            } else {
                lessor.demote();
            }
        }

        @Override
        public CompletableFuture<QueryReply> query(Query query) {
            RaftServer.Division division = leaderDivision();
            if (division == null) {
                return CompletableFuture.completedFuture(KvStateMachine.NOT_LEADER);
            }
            return leaderReadIndex.confirm(division).thenCompose(index -> query.getQueryCase()
                    == Query.QueryCase.READ_INDEX
                    ? CompletableFuture.completedFuture(QueryReply.newBuilder().setReadIndex(index).build())
                    : query.getQueryCase() == Query.QueryCase.JOIN
                    ? appliedUpTo(index).thenCompose(ok -> membership.join(query.getJoin()))
                    : query.getQueryCase() == Query.QueryCase.PROMOTE
                    ? appliedUpTo(index).thenCompose(ok -> membership.promote(query.getPromote(), config.memberName()))
                    : appliedUpTo(index).thenApply(ok -> leaseQuery(query))).exceptionally(error -> {
                        ErrorCode code = StoreErrors.of(error).code();
                        return code == ErrorCode.NO_LEADER ? KvStateMachine.NOT_LEADER
                                : QueryReply.newBuilder().setError(code.name()).build();
                    });
        }

        private QueryReply leaseQuery(Query query) {
            if (!lessor.isPrimary()) {
                return KvStateMachine.NOT_LEADER;
            }
            if (query.getQueryCase() == Query.QueryCase.LEASE_KEEP_ALIVE) {
                return QueryReply.newBuilder().setTtl(lessor.renew(query.getLeaseKeepAlive())).build();
            }
            long id = query.getLeaseTimeToLive();
            Long granted = stateMachine.mvcc().leases().get(id);
            return QueryReply.newBuilder().setTtl(granted == null ? -1 : lessor.remaining(id))
                    .setGrantedTtl(granted == null ? 0 : granted).build();
        }
    }

    // ------------------------------------------------------------------ KvStore

    private ResponseHeader header(long revision) {
        return new ResponseHeader(clusterId, memberId, revision, etcdTerm(currentTerm()));
    }

    /**
     * The term as etcd numbers it: etcd's Raft starts its members at term 1 and elects the first leader at
     * term 2, where Ratis starts at 0 and elects at 1. Reported terms follow etcd's count (etcdctl shows them).
     */
    static long etcdTerm(long ratisTerm) {
        return ratisTerm + 1;
    }

    private long currentTerm() {
        try {
            return server.getDivision(groupId).getInfo().getCurrentTerm();
        } catch (IOException e) {
            return 0;
        }
    }

    private MvccStore mvcc() {
        return stateMachine.mvcc();
    }

    /** Validates, encodes and proposes one command; the future carries its typed response. */
    @SuppressWarnings("unchecked")
    private <T> CompletableFuture<T> propose(Command command) {
        Op op = OpCodec.encode(command);
        int size = op.getSerializedSize();
        if (size > config.maxRequestBytes()) {
            return CompletableFuture.failedFuture(new StoreException(ErrorCode.REQUEST_TOO_LARGE));
        }
        return (CompletableFuture<T>) proposer.propose(op, size);
    }

    private static <T> CompletableFuture<T> checked(Runnable check, Supplier<CompletableFuture<T>> then) {
        try {
            check.run();
        } catch (StoreException e) {
            return CompletableFuture.failedFuture(e);
        }
        return then.get();
    }

    /**
     * Like {@link #checked}, but a lease this member does not know yet (it may lag behind a grant
     * acknowledged by another member) is looked up again after a ReadIndex round, before refusing.
     */
    private <T> CompletableFuture<T> checkedFresh(Runnable check, Supplier<CompletableFuture<T>> then) {
        try {
            check.run();
        } catch (StoreException e) {
            if (e.code() != ErrorCode.LEASE_NOT_FOUND) {
                return CompletableFuture.failedFuture(e);
            }
            return barrier.read(() -> {
                check.run();
                return Boolean.TRUE;
            }).thenCompose(ok -> then.get());
        }
        return then.get();
    }

    private <T> CompletableFuture<T> local(Supplier<T> read) {
        try {
            return CompletableFuture.completedFuture(read.get());
        } catch (StoreException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * A serializable read: a point read at once on the calling thread, a read that may walk many keys on
     * the read threads. The caller may be a gRPC transport thread, and every other connection it serves
     * would wait for that walk.
     */
    private <T> CompletableFuture<T> readSerializable(boolean pointRead, Supplier<T> read) {
        if (pointRead) {
            return local(read);
        }
        CompletableFuture<T> result = new CompletableFuture<>();
        try {
            readers.execute(() -> {
                try {
                    result.complete(read.get());
                } catch (RuntimeException e) {
                    result.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException closing) {
            result.completeExceptionally(new StoreException(ErrorCode.STOPPED));
        }
        return result;
    }

    @Override
    public CompletableFuture<RangeResponse> range(RangeRequest request) {
        return checked(() -> check.range(request), () -> request.serializable()
                ? readSerializable(request.rangeEnd().isEmpty(), () -> mvcc().range(request, this::header))
                : barrier.read(() -> mvcc().range(request, this::header)));
    }

    @Override
    public CompletableFuture<PutResponse> put(PutRequest request) {
        return put(request, 0);
    }

    CompletableFuture<PutResponse> put(PutRequest request, long authRevision) {
        return checkedFresh(() -> {
            check.put(request);
            admit(request.key().size() + request.value().size());
        }, () -> propose(new Command.Write(request, authRevision)));
    }

    @Override
    public CompletableFuture<DeleteRangeResponse> delete(DeleteRangeRequest request) {
        return delete(request, 0);
    }

    CompletableFuture<DeleteRangeResponse> delete(DeleteRangeRequest request, long authRevision) {
        return checked(() -> check.delete(request), () -> propose(new Command.Write(request, authRevision)));
    }

    @Override
    public KvStore checkedAt(long authRevision) {
        return authRevision == 0 ? this : new AuthCheckedStore(this, authRevision);
    }

    @Override
    public CompletableFuture<TxnResponse> txn(TxnRequest request) {
        return txn(request, 0);
    }

    CompletableFuture<TxnResponse> txn(TxnRequest request, long authRevision) {
        return checkedFresh(() -> {
            check.txn(request);
            if (MvccStore.takesSpace(new Command.Write(request))) {
                admit(0);
            }
        }, () -> {
            if (!request.isReadOnly()) {
                return propose(new Command.Write(request, authRevision));
            }
            return serializable(request) ? readSerializable(pointReads(request), () -> mvcc().readOnlyTxn(request,
                    this::header)) : barrier.read(() -> mvcc().readOnlyTxn(request, this::header));
        });
    }

    /** Whether every range in a txn, in either branch, reads one key. */
    private static boolean pointReads(TxnRequest txn) {
        for (List<TxnOp> branch : List.of(txn.success(), txn.failure())) {
            for (TxnOp op : branch) {
                if (op instanceof RangeRequest r && !r.rangeEnd().isEmpty()
                        || op instanceof TxnRequest nested && !pointReads(nested)) {
                    return false;
                }
            }
        }
        return true;
    }

    /** etcd serves a read-only txn locally only if every range in it asks to be serializable. */
    private static boolean serializable(TxnRequest txn) {
        boolean any = false;
        for (List<TxnOp> branch : List.of(txn.success(), txn.failure())) {
            for (TxnOp op : branch) {
                if (op instanceof RangeRequest r) {
                    if (!r.serializable()) {
                        return false;
                    }
                    any = true;
                } else if (op instanceof TxnRequest nested && !serializable(nested)) {
                    return false;
                }
            }
        }
        return any;
    }

    @Override
    public CompletableFuture<CompactResponse> compact(long revision) {
        return checked(() -> {
            if (revision <= mvcc().compactRevision()) {
                throw new StoreException.CompactedException(mvcc().compactRevision());
            }
            // "future revision" is decided when the entry applies: this member may not have applied a
            // write another member already acknowledged, and the log orders the compaction after it
        }, () -> propose(new Command.Compact(revision)));
    }

    @Override
    public CompletableFuture<Lease.GrantResponse> leaseGrant(Lease.GrantRequest request) {
        return checked(() -> {
            if (request.ttl() > MAX_LEASE_TTL) {
                throw new StoreException(ErrorCode.LEASE_TTL_TOO_LARGE);
            }
            if (request.id() != 0 && mvcc().leaseExists(request.id())) {
                throw new StoreException(ErrorCode.LEASE_EXISTS);
            }
            admit(0);
        }, () -> {
            long id = request.id() != 0 ? request.id() : random.nextLong(1, Long.MAX_VALUE);
            return propose(new Command.LeaseGrant(id, Math.max(request.ttl(), config.minLeaseTtlSeconds())));
        });
    }

    @Override
    public CompletableFuture<Lease.RevokeResponse> leaseRevoke(long id) {
        return leaseRevoke(id, 0);
    }

    CompletableFuture<Lease.RevokeResponse> leaseRevoke(long id, long authRevision) {
        return checkedFresh(() -> requireLease(id), () -> propose(new Command.LeaseRevoke(id, authRevision)));
    }

    private void requireLease(long id) {
        if (!mvcc().leaseExists(id)) {
            throw new StoreException(ErrorCode.LEASE_NOT_FOUND);
        }
    }

    @Override
    public CompletableFuture<Lease.KeepAliveResponse> leaseKeepAlive(long id) {
        return queryLeader(Query.newBuilder().setLeaseKeepAlive(id).build()).thenApply(reply -> {
            if (reply.getTtl() < 0) {
                throw new StoreException(ErrorCode.LEASE_NOT_FOUND);
            }
            return new Lease.KeepAliveResponse(header(mvcc().revision()), id, reply.getTtl());
        });
    }

    @Override
    public CompletableFuture<Lease.TimeToLiveResponse> leaseTimeToLive(long id, boolean keys) {
        return queryLeader(Query.newBuilder().setLeaseTimeToLive(id).build()).thenApply(reply ->
                new Lease.TimeToLiveResponse(header(mvcc().revision()), id, reply.getTtl(), reply.getGrantedTtl(),
                        keys && reply.getTtl() >= 0 ? mvcc().leaseKeys(id) : List.of()));
    }

    @Override
    public CompletableFuture<Lease.ListResponse> leaseList() {
        return barrier.read(() -> new Lease.ListResponse(header(mvcc().revision()),
                new ArrayList<>(mvcc().leases().keySet())));
    }

    @Override
    public Watch watch(WatchRequest request, Consumer<WatchResponse> listener) {
        try {
            check.watch(request);
        } catch (StoreException e) {
            // etcd answers a refused create with a canceled response, not an error
            listener.accept(new WatchResponse(header(mvcc().revision()), WatchResponse.Kind.CANCELED, List.of(), 0,
                    e.getMessage()));
            return new RefusedWatch();
        }
        return watches.watch(request, listener);
    }

    /** The handle of a watch that was refused at creation. */
    private static final class RefusedWatch implements Watch {
        @Override
        public long id() {
            return -1; // etcd's id for a failed create
        }

        @Override
        public void requestProgress() {
        }

        @Override
        public void close() {
        }
    }

    @Override
    public long leaderChangesSeen() {
        return leaderChanges.get();
    }

    @Override
    public Runnable onWalFsync(java.util.function.DoubleConsumer listener) {
        walFsyncListeners.add(listener);
        return () -> walFsyncListeners.remove(listener);
    }

    @Override
    public Runnable onPeerRoundTrip(RoundTripListener listener) {
        roundTripListeners.add(listener);
        return () -> roundTripListeners.remove(listener);
    }

    @Override
    public MemberStatus status() {
        Optional<String> leader = Optional.empty();
        long term = 0;
        long committed = 0;
        try {
            var division = server.getDivision(groupId);
            var info = division.getInfo();
            term = etcdTerm(info.getCurrentTerm());
            committed = division.getRaftLog().getLastCommittedIndex();
            RaftPeerId leaderId = info.getLeaderId();
            if (leaderId != null) {
                leader = Optional.of(leaderId.toString());
            }
        } catch (IOException e) {
            // not started or already closed: report no leader
        }
        MvccStore m = mvcc();
        return new MemberStatus(clusterId, memberId, config.memberName(), leader,
                leader.map(this::memberIdOf).orElse(0L), term, committed,
                Math.max(m.appliedIndex(), appliedIndex()), m.revision(), m.compactRevision());
    }

    /** Includes entries without commands (leader no-ops, configuration), which the database does not record. */
    private long appliedIndex() {
        var applied = stateMachine.getLastAppliedTermIndex();
        return applied == null ? 0 : applied.getIndex();
    }

    @Override
    public void snapshot(Path target) throws IOException {
        if (Files.exists(target)) {
            throw new IOException("snapshot target " + target + " already exists");
        }
        mvcc().checkpoint(target);
    }

    /** See {@link io.keelson.store.KeelsonStore#restore}. */
    public static void restore(Path snapshot, Path dataDir) throws IOException {
        if (hasFiles(dataDir)) {
            throw new IOException("data dir " + dataDir + " already exists and is not empty");
        }
        Path stateDir = dataDir.resolve(STATE_DIR);
        Files.createDirectories(stateDir);
        try (MvccStore restored = MvccStore.open(stateDir)) {
            restored.restoreFrom(snapshot);
            // a new Raft log starts at index 0: entries must not be skipped as already applied
            restored.markApplied(0, 0);
        }
    }

    /**
     * Hands leadership to {@code member} and returns once it leads (Ratis' leadership transfer, etcd's
     * MoveLeader). Tests use it to choose the leader they act on.
     */
    void transferLeadership(String member) throws IOException {
        RaftClientReply reply = client.admin().transferLeadership(RaftPeerId.valueOf(member),
                config.requestTimeout().toMillis());
        if (!reply.isSuccess()) {
            throw reply.getException();
        }
    }

    @Override
    public List<Peer> members() {
        try {
            List<Peer> members = new ArrayList<>();
            for (RaftPeer p : server.getDivision(groupId).getRaftConf().getCurrentPeers()) {
                String address = PeerAddress.current(p.getAddress());
                int colon = address.lastIndexOf(':');
                members.add(new Peer(p.getId().toString(), address.substring(0, colon),
                        Integer.parseInt(address.substring(colon + 1))));
            }
            members.sort(java.util.Comparator.comparing(Peer::name));
            return members;
        } catch (IOException e) {
            return config.peers(); // not started or closed: what it was configured with
        }
    }

    @Override
    public CompletableFuture<ResponseHeader> moveLeader(long transfereeId) {
        if (!status().isLeader()) {
            return CompletableFuture.failedFuture(new StoreException(ErrorCode.NOT_LEADER));
        }
        String transferee = members().stream().map(Peer::name).filter(n -> memberIdOf(n) == transfereeId)
                .findFirst().orElse(null);
        if (transferee == null) {
            return CompletableFuture.failedFuture(new StoreException(ErrorCode.BAD_LEADER_TRANSFEREE));
        }
        if (transferee.equals(config.memberName())) {
            return CompletableFuture.completedFuture(header(mvcc().revision())); // it leads already
        }
        return CompletableFuture.supplyAsync(() -> {
            try {
                transferLeadership(transferee);
            } catch (IOException e) {
                throw new StoreException(ErrorCode.LEADER_TRANSFER_TIMEOUT, e);
            }
            return header(mvcc().revision());
        }, task -> { // Ratis' transfer blocks until the new leader leads: a thread of its own, not a shared one
            Thread t = new Thread(task, "keelson-move-leader");
            t.setDaemon(true);
            t.start();
        });
    }

    @Override
    public long memberIdOf(String name) {
        return membership.idOf(name);
    }

    @Override
    public List<ClusterMember> memberList() {
        return membership.list(publishedClientUrls());
    }

    @Override
    public CompletableFuture<ClusterMember> addMember(List<String> peerUrls, boolean learner) {
        return membership.add(peerUrls, learner, publishedClientUrls());
    }

    @Override
    public CompletableFuture<Void> removeMember(long id) {
        return membership.remove(id, publishedClientUrls());
    }

    @Override
    public CompletableFuture<Void> updateMember(long id, List<String> peerUrls) {
        return membership.update(id, peerUrls, publishedClientUrls());
    }

    @Override
    public CompletableFuture<Void> promoteMember(long id) {
        // only the leader knows how far the learner's log reaches
        return queryLeader(Query.newBuilder().setPromote(id).build()).thenApply(reply -> null);
    }

    @Override
    public List<ByteString> leaseKeys(long id) {
        return mvcc().leaseKeys(id);
    }

    @Override
    public io.keelson.store.auth.AuthState authState() {
        return mvcc().authState();
    }

    @Override
    public CompletableFuture<io.keelson.store.auth.AuthState> readAuthState() {
        return barrier.read(() -> mvcc().authState());
    }

    @Override
    public CompletableFuture<Void> changeAuth(io.keelson.store.auth.AuthChange change) {
        return authentication.change(change);
    }

    @Override
    public CompletableFuture<String> authenticate(String user, String password) {
        return authentication.authenticate(user, password);
    }

    @Override
    public Optional<io.keelson.store.auth.AuthInfo> tokenInfo(String token) {
        return authentication.tokenInfo(token);
    }

    @Override
    public CompletableFuture<Void> removal() {
        return removal;
    }

    @Override
    public boolean isLearner() {
        return inConfigurationAs(RaftPeerRole.LISTENER);
    }

    /** Whether this member is in the Raft configuration it knows (a joining member, once let in). */
    private boolean inConfiguration() {
        return inConfigurationAs(RaftPeerRole.FOLLOWER, RaftPeerRole.LISTENER);
    }

    /** Whether the current configuration has this member in one of {@code roles} (voters are FOLLOWER). */
    private boolean inConfigurationAs(RaftPeerRole... roles) {
        try {
            var conf = server.getDivision(groupId).getRaftConf();
            for (RaftPeerRole role : roles) {
                if (conf.getCurrentPeers(role).stream().anyMatch(p -> p.getId().equals(selfId))) {
                    return true;
                }
            }
            return false;
        } catch (IOException e) {
            return false;
        }
    }

    /** The Raft configuration and, on the leader, which voters answered lately. */
    private final class RaftConfigurationView implements Membership.Configuration {
        @Override
        public Optional<org.apache.ratis.server.RaftConfiguration> current() {
            try {
                return Optional.of(server.getDivision(groupId).getRaftConf());
            } catch (IOException | RuntimeException e) {
                return Optional.empty();
            }
        }

        @Override
        public Optional<java.util.Map<String, Long>> matchIndices() {
            RaftServer.Division division = leaderDivision();
            if (division == null) {
                return Optional.empty();
            }
            java.util.Map<String, Long> matched = new java.util.HashMap<>();
            matched.put(config.memberName(), division.getRaftLog().getLastCommittedIndex());
            var followers = division.getInfo().getRoleInfoProto().getLeaderInfo().getFollowerInfoList();
            long[] indices = division.getInfo().getFollowerMatchIndices();
            // both follow the leader's log appenders in the same order
            for (int i = 0; indices != null && i < Math.min(followers.size(), indices.length); i++) {
                matched.put(followers.get(i).getId().getId().toStringUtf8(), indices[i]);
            }
            return Optional.of(matched);
        }

        @Override
        public Optional<java.util.Set<String>> connectedVoters() {
            RaftServer.Division division = leaderDivision();
            if (division == null) {
                return Optional.empty();
            }
            java.util.Set<String> up = new java.util.HashSet<>(List.of(config.memberName()));
            long recentMillis = Math.max(5_000, config.electionTimeout().toMillis());
            for (var follower : division.getInfo().getRoleInfoProto().getLeaderInfo().getFollowerInfoList()) {
                if (follower.getLastRpcElapsedTimeMs() <= recentMillis) {
                    up.add(follower.getId().getId().toStringUtf8());
                }
            }
            return Optional.of(up);
        }
    }

    @Override
    public StoreConfig config() {
        return config;
    }

    @Override
    public CompletableFuture<Void> publishClientUrls(List<String> clientUrls) {
        CompletableFuture<Boolean> applied = propose(new Command.PublishMember(config.memberName(), clientUrls));
        return applied.thenApply(ok -> null);
    }

    @Override
    public java.util.Map<String, List<String>> publishedClientUrls() {
        return mvcc().publishedClientUrls();
    }

    @Override
    public java.util.Set<MemberAlarm> alarms() {
        return mvcc().alarms();
    }

    @Override
    public CompletableFuture<Void> setAlarm(MemberAlarm alarm, boolean active) {
        CompletableFuture<Boolean> applied = propose(new Command.Alarm(active, alarm));
        return applied.thenApply(changed -> null);
    }

    /**
     * etcd's backend quota: a write that takes space is refused with NO_SPACE while the NOSPACE alarm is
     * raised, and one that would take the state database past the quota raises the alarm (once, through
     * the log, so every member refuses the same writes) and is refused. A transaction without puts passes
     * here and is judged when it applies.
     */
    private void admit(long bytes) {
        if (MvccStore.noSpace(mvcc().alarms())) {
            throw new StoreException(ErrorCode.NO_SPACE);
        }
        if (quota.exceededBy(bytes)) {
            MemberAlarm noSpace = new MemberAlarm(memberIdOf(config.memberName()), MemberAlarm.Type.NOSPACE);
            quota.raise(() -> setAlarm(noSpace, true));
            throw new StoreException(ErrorCode.NO_SPACE);
        }
    }

    @Override
    public void close() {
        RatisMetrics.stopWalSync(raftMemberId);
        WatchHub hub = watches;
        if (hub != null) {
            hub.close("store closed");
        }
        lessor.close();
        proposer.close();
        try {
            client.close();
        } catch (IOException e) {
            // closing anyway
        }
        try {
            server.close();
        } catch (IOException e) {
            // closing anyway
        }
        completions.shutdown();
        readers.shutdown();
        authWork.shutdown();
        scheduler.shutdownNow();
        watchScheduler.shutdownNow();
        watchDispatch.shutdown(); // lets the final CANCELED responses reach their listeners
        try {
            completions.awaitTermination(5, TimeUnit.SECONDS);
            readers.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
