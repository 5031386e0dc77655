package io.keelson.store;

/** A running store member: the {@link KvStore} API plus what an operator asks of one member. */
public interface StoreMember extends KvStore {
    MemberStatus status();

    /**
     * Hands the group's leadership to the member with id {@code transfereeId} (etcd's MoveLeader) and completes
     * once it leads. Only the leader can: elsewhere it fails with {@link ErrorCode#NOT_LEADER}; an id that is no
     * member's fails with {@link ErrorCode#BAD_LEADER_TRANSFEREE}, and a transfer that does not finish within the
     * request timeout with {@link ErrorCode#LEADER_TRANSFER_TIMEOUT}.
     */
    java.util.concurrent.CompletableFuture<ResponseHeader> moveLeader(long transfereeId);

    /** How many times this member has seen the group's leader change (its first leader included), as etcd counts. */
    long leaderChangesSeen();

    /**
     * Calls {@code listener} with the duration in seconds of each fsync of this member's Raft log (etcd's WAL
     * fsync), on the log's own thread: it must be quick. Running the returned action stops the calls.
     */
    Runnable onWalFsync(java.util.function.DoubleConsumer listener);

    /**
     * Calls {@code listener} with the round trip of each heartbeat this member sends to another while it leads
     * (etcd's peer round-trip time), on Ratis' threads: it must be quick. Running the returned action stops the calls.
     */
    Runnable onPeerRoundTrip(RoundTripListener listener);

    /** A heartbeat's round trip: the id of the member it went to, and the seconds until its reply. */
    @FunctionalInterface
    interface RoundTripListener {
        void roundTrip(long memberId, double seconds);
    }

    /** The id of the group member named {@code name} (as in response headers and {@link MemberStatus}). */
    long memberIdOf(String name);

    /**
     * The group's members as its Raft configuration has them now, by name. It can differ from
     * {@link StoreConfig#peers()}: a member restarted with data keeps its stored group.
     */
    java.util.List<Peer> members();

    /**
     * Every member of the cluster, as etcd's member list shows them: the Raft group's voters and learners, and the
     * members added by {@link #addMember} that have not joined yet (with an empty name). In id order.
     */
    java.util.List<ClusterMember> memberList();

    /**
     * etcd's MemberAdd: registers a member by its peer URLs and answers at once, with its new id. The member joins
     * when it is started with {@link StoreConfig#withJoinExisting} (etcd's {@code --initial-cluster-state
     * existing}) and one of those peer URLs; a voter counts towards the quorum once it has caught up. Fails with
     * {@link ErrorCode#MEMBER_BAD_URLS}, {@link ErrorCode#PEER_URL_EXISTS} or, for a second learner,
     * {@link ErrorCode#TOO_MANY_LEARNERS}.
     */
    java.util.concurrent.CompletableFuture<ClusterMember> addMember(java.util.List<String> peerUrls, boolean learner);

    /**
     * etcd's MemberRemove: takes the member out of the Raft group (or out of the registry, if it never joined).
     * Fails with {@link ErrorCode#MEMBER_NOT_FOUND}, or with {@link ErrorCode#MEMBER_NOT_ENOUGH_STARTED} when the
     * voters left would not have a quorum of members that are up.
     */
    java.util.concurrent.CompletableFuture<Void> removeMember(long memberId);

    /**
     * etcd's MemberUpdate: gives a member new peer URLs (replicated); every member dials it at the first of them
     * from then on, and the member is restarted to listen there. Fails with {@link ErrorCode#MEMBER_BAD_URLS},
     * {@link ErrorCode#MEMBER_NOT_FOUND} or {@link ErrorCode#PEER_URL_EXISTS}.
     */
    java.util.concurrent.CompletableFuture<Void> updateMember(long memberId, java.util.List<String> peerUrls);

    /**
     * Completes when this member learns that it was removed from the cluster (etcd's member then stops:
     * {@code bin/keelson} exits). Until it is closed, it keeps answering as any client of the cluster would.
     */
    java.util.concurrent.CompletableFuture<Void> removal();

    /** Whether this member is a learner: it receives the log but does not vote. */
    boolean isLearner();

    /**
     * etcd's MemberPromote: makes a learner a voter, once it has caught up with the leader (90 % of its log, as
     * etcd checks). Fails with {@link ErrorCode#MEMBER_NOT_FOUND}, {@link ErrorCode#MEMBER_NOT_LEARNER} or
     * {@link ErrorCode#LEARNER_NOT_READY}.
     */
    java.util.concurrent.CompletableFuture<Void> promoteMember(long memberId);

    /** The keys attached to lease {@code id}, as applied on this member (empty for an unknown lease). */
    java.util.List<com.google.protobuf.ByteString> leaseKeys(long id);

    /** etcd's auth state (users, roles, permissions, enabled) as applied on this member. */
    io.keelson.store.auth.AuthState authState();

    /**
     * This member for requests whose permissions were checked against the auth state at {@code authRevision}
     * ({@link io.keelson.store.auth.AuthState#revision()}): their writes and lease revokes are applied only if
     * the auth state has not changed by then, else they fail with {@link ErrorCode#AUTH_OLD_REVISION}, as etcd's
     * auth applier refuses them (a client authenticates again and retries). 0: unchecked, this member itself;
     * {@link #ANONYMOUS}: a client's request received while auth was off, refused with
     * {@link ErrorCode#USER_EMPTY} if auth is on by the time it applies (etcd's empty AuthInfo).
     */
    KvStore checkedAt(long authRevision);

    /** For {@link #checkedAt}: a client's request that named no user because auth was off when it arrived. */
    long ANONYMOUS = -1;

    /** The auth state as a linearizable read sees it: every change acknowledged before the call is in it. */
    java.util.concurrent.CompletableFuture<io.keelson.store.auth.AuthState> readAuthState();

    /**
     * Applies one change to etcd's auth state through the log (a password is stored as its bcrypt hash). Fails with
     * etcd's errors, e.g. {@link ErrorCode#ROOT_USER_NOT_EXIST} for an enable without a root user.
     */
    java.util.concurrent.CompletableFuture<Void> changeAuth(io.keelson.store.auth.AuthChange change);

    /**
     * etcd's Authenticate: checks the password and issues a simple token that every member accepts while it is used
     * at least every five minutes. Fails with {@link ErrorCode#AUTH_FAILED} or {@link ErrorCode#AUTH_NOT_ENABLED}.
     */
    java.util.concurrent.CompletableFuture<String> authenticate(String user, String password);

    /** Whom a token speaks for, renewing a simple token, or empty if it is unknown here or expired. */
    java.util.Optional<io.keelson.store.auth.AuthInfo> tokenInfo(String token);

    /** The configuration this member runs with (with a chosen port filled in where 0 was given). */
    StoreConfig config();

    /**
     * Writes a consistent copy of this member's state database (every key, its history since the last
     * compaction, and the leases) into {@code target}, a directory that must not exist yet. The copy
     * can seed a new cluster with {@link KeelsonStore#restore}.
     */
    void snapshot(java.nio.file.Path target) throws java.io.IOException;

    /**
     * Records this member's client URLs in the replicated log, so that every member lists them (etcd
     * publishes a member's attributes the same way). Takes no revision.
     */
    java.util.concurrent.CompletableFuture<Void> publishClientUrls(java.util.List<String> clientUrls);

    /** The client URLs each member has published, by member name (as applied on this member). */
    java.util.Map<String, java.util.List<String>> publishedClientUrls();

    /** The active alarms, as applied on this member. */
    java.util.Set<MemberAlarm> alarms();

    /**
     * Raises ({@code active}) or clears an alarm through the log. While a NOSPACE alarm is raised, puts,
     * transactions that put and lease grants fail with {@link ErrorCode#NO_SPACE}.
     */
    java.util.concurrent.CompletableFuture<Void> setAlarm(MemberAlarm alarm, boolean active);
}
