package io.keelson.store;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Configuration of one store member. {@link #singleNode(Path)} is the embedded default; for a group,
 * list every member in {@code peers} and name this one in {@code memberName}.
 *
 * @param dataDir              where this member keeps its Raft log ({@code raft/}) and state database
 *                             ({@code state/})
 * @param memberName           this member's name, one of {@code peers}
 * @param peers                every member of the group; a port of 0 (single node only) picks a free one
 * @param snapshotCount        applied entries between automatic snapshots (etcd's default 10,000)
 * @param catchUpEntries       log entries kept behind a snapshot for slow followers (etcd: 5,000)
 * @param maxRequestBytes      largest accepted request (etcd's default 1.5 MiB)
 * @param maxTxnOps            most ops in one transaction (etcd's default 128)
 * @param minLeaseTtlSeconds   shorter lease TTLs are raised to this (etcd: 1.5 x election timeout)
 * @param electionTimeout      lower bound of the randomised election timeout (the upper is twice it)
 * @param heartbeatInterval    how often the leader sends an idle follower a heartbeat (etcd's default
 *                             100 ms); never less often than every half election timeout
 * @param requestTimeout       how long a write or linearizable read may wait for the group
 * @param maxBatchOps          most of a member's own client operations in one batch
 * @param maxBatchBytes        largest batch or Raft entry the batcher builds (a single larger request goes
 *                             alone)
 * @param maxInFlightBatches   batches a follower may have forwarded, or Raft entries the leader may have
 *                             appended, and not yet seen applied (few and large entries cost the group
 *                             less than many small ones: see bench/RESULTS.md)
 * @param watchProgressInterval how often idle watches that asked for it get a progress response
 *                             (etcd's default 10 minutes)
 * @param quotaBackendBytes    state database size beyond which writes raise the NOSPACE alarm and fail
 *                             with {@link ErrorCode#NO_SPACE} until it is disarmed (etcd's default 2 GiB)
 * @param peerTls              TLS between the members, or null for plaintext (the default)
 * @param joinExisting         whether a member without data joins a running cluster that added it (etcd's
 *                             {@code --initial-cluster-state existing}) instead of forming a new one with
 *                             {@code peers}
 * @param authTokenTtl         how long an auth token stays valid without use (etcd's default 300 s)
 * @param bcryptCost           the bcrypt cost of stored passwords (etcd's default 10; 4 to 31)
 * @param jwtTokens            JSON Web Tokens instead of simple ones (etcd's {@code --auth-token jwt,...}), or null
 */
public record StoreConfig(Path dataDir, String memberName, List<Peer> peers, long snapshotCount,
                          long catchUpEntries, long maxRequestBytes, int maxTxnOps, long minLeaseTtlSeconds,
                          Duration electionTimeout, Duration heartbeatInterval, Duration requestTimeout,
                          int maxBatchOps, int maxBatchBytes, int maxInFlightBatches, Duration watchProgressInterval,
                          long quotaBackendBytes, PeerTls peerTls, boolean joinExisting,
                          Duration authTokenTtl, int bcryptCost, io.keelson.store.auth.JwtTokens jwtTokens) {

    public static final long DEFAULT_MAX_REQUEST_BYTES = 3 * 512 * 1024;
    /** etcd's default backend quota. */
    public static final long DEFAULT_QUOTA_BACKEND_BYTES = 2L * 1024 * 1024 * 1024;

    public StoreConfig {
        if (dataDir == null) {
            throw new IllegalArgumentException("dataDir must be set");
        }
        peers = List.copyOf(peers);
        if (peers.isEmpty()) {
            throw new IllegalArgumentException("at least one peer is required");
        }
        if (peers.stream().map(Peer::name).distinct().count() != peers.size()) {
            throw new IllegalArgumentException("peer names must be unique: " + peers);
        }
        if (peers.stream().noneMatch(p -> p.name().equals(memberName))) {
            throw new IllegalArgumentException("member '" + memberName + "' is not one of the peers " + peers);
        }
        if (peers.size() > 1 && peers.stream().anyMatch(p -> p.port() == 0)) {
            throw new IllegalArgumentException("every peer of a multi-member group needs a fixed port");
        }
        positive("snapshotCount", snapshotCount);
        positive("maxRequestBytes", maxRequestBytes);
        positive("maxTxnOps", maxTxnOps);
        positive("minLeaseTtlSeconds", minLeaseTtlSeconds);
        positive("maxBatchOps", maxBatchOps);
        positive("maxBatchBytes", maxBatchBytes);
        positive("maxInFlightBatches", maxInFlightBatches);
        positive("quotaBackendBytes", quotaBackendBytes);
        if (catchUpEntries < 0) {
            throw new IllegalArgumentException("catchUpEntries must be >= 0");
        }
        if (watchProgressInterval.toMillis() < 100) {
            throw new IllegalArgumentException("watchProgressInterval must be >= 100 ms");
        }
        if (heartbeatInterval.toMillis() < 1) {
            throw new IllegalArgumentException("heartbeatInterval must be >= 1 ms");
        }
        if (authTokenTtl.toSeconds() < 1) {
            throw new IllegalArgumentException("authTokenTtl must be at least 1 s");
        }
        if (bcryptCost < 4 || bcryptCost > 31) {
            throw new IllegalArgumentException("bcryptCost must be between 4 and 31: " + bcryptCost);
        }
        if (electionTimeout.toMillis() < 50 || requestTimeout.toMillis() <= 0) {
            throw new IllegalArgumentException("electionTimeout must be >= 50 ms and requestTimeout positive");
        }
    }

    private static void positive(String name, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive: " + value);
        }
    }

    /** A single-member store in {@code dataDir} with etcd's defaults. */
    public static StoreConfig singleNode(Path dataDir) {
        return new StoreConfig(dataDir, "default", List.of(new Peer("default", "127.0.0.1", 0)), 10_000, 5_000,
                DEFAULT_MAX_REQUEST_BYTES, 128, 2, Duration.ofSeconds(1), Duration.ofMillis(100),
                Duration.ofSeconds(10), 1024, 4 * 1024 * 1024, 2, Duration.ofMinutes(10), DEFAULT_QUOTA_BACKEND_BYTES, null,
                false, Duration.ofSeconds(300), 10, null);
    }

    /** Member {@code memberName} of the group {@code peers}, with etcd's defaults. */
    public static StoreConfig member(Path dataDir, String memberName, List<Peer> peers) {
        return singleNode(dataDir).withPeers(memberName, peers);
    }

    public Peer self() {
        return peers.stream().filter(p -> p.name().equals(memberName)).findFirst().orElseThrow();
    }

    public StoreConfig withPeers(String memberName, List<Peer> peers) {
        return new StoreConfig(dataDir, memberName, peers, snapshotCount, catchUpEntries, maxRequestBytes,
                maxTxnOps, minLeaseTtlSeconds, electionTimeout, heartbeatInterval, requestTimeout, maxBatchOps,
                maxBatchBytes, maxInFlightBatches, watchProgressInterval, quotaBackendBytes, peerTls, joinExisting, authTokenTtl,
                bcryptCost, jwtTokens);
    }

    public StoreConfig withSnapshotCount(long snapshotCount, long catchUpEntries) {
        return new StoreConfig(dataDir, memberName, peers, snapshotCount, catchUpEntries, maxRequestBytes,
                maxTxnOps, minLeaseTtlSeconds, electionTimeout, heartbeatInterval, requestTimeout, maxBatchOps,
                maxBatchBytes, maxInFlightBatches, watchProgressInterval, quotaBackendBytes, peerTls, joinExisting, authTokenTtl,
                bcryptCost, jwtTokens);
    }

    public StoreConfig withMaxRequestBytes(long maxRequestBytes) {
        return new StoreConfig(dataDir, memberName, peers, snapshotCount, catchUpEntries, maxRequestBytes,
                maxTxnOps, minLeaseTtlSeconds, electionTimeout, heartbeatInterval, requestTimeout, maxBatchOps,
                maxBatchBytes, maxInFlightBatches, watchProgressInterval, quotaBackendBytes, peerTls, joinExisting, authTokenTtl,
                bcryptCost, jwtTokens);
    }

    /** The most operations one transaction may have in a branch (etcd's {@code --max-txn-ops}, 128). */
    public StoreConfig withMaxTxnOps(int maxTxnOps) {
        return new StoreConfig(dataDir, memberName, peers, snapshotCount, catchUpEntries, maxRequestBytes,
                maxTxnOps, minLeaseTtlSeconds, electionTimeout, heartbeatInterval, requestTimeout, maxBatchOps,
                maxBatchBytes, maxInFlightBatches, watchProgressInterval, quotaBackendBytes, peerTls, joinExisting, authTokenTtl,
                bcryptCost, jwtTokens);
    }

    public StoreConfig withMinLeaseTtlSeconds(long minLeaseTtlSeconds) {
        return new StoreConfig(dataDir, memberName, peers, snapshotCount, catchUpEntries, maxRequestBytes,
                maxTxnOps, minLeaseTtlSeconds, electionTimeout, heartbeatInterval, requestTimeout, maxBatchOps,
                maxBatchBytes, maxInFlightBatches, watchProgressInterval, quotaBackendBytes, peerTls, joinExisting, authTokenTtl,
                bcryptCost, jwtTokens);
    }

    public StoreConfig withElectionTimeout(Duration electionTimeout) {
        return new StoreConfig(dataDir, memberName, peers, snapshotCount, catchUpEntries, maxRequestBytes,
                maxTxnOps, minLeaseTtlSeconds, electionTimeout, heartbeatInterval, requestTimeout, maxBatchOps,
                maxBatchBytes, maxInFlightBatches, watchProgressInterval, quotaBackendBytes, peerTls, joinExisting, authTokenTtl,
                bcryptCost, jwtTokens);
    }

    /** How long a write or linearizable read may wait for the group before it fails as timed out. */
    public StoreConfig withRequestTimeout(Duration requestTimeout) {
        return new StoreConfig(dataDir, memberName, peers, snapshotCount, catchUpEntries, maxRequestBytes,
                maxTxnOps, minLeaseTtlSeconds, electionTimeout, heartbeatInterval, requestTimeout, maxBatchOps,
                maxBatchBytes, maxInFlightBatches, watchProgressInterval, quotaBackendBytes, peerTls, joinExisting, authTokenTtl,
                bcryptCost, jwtTokens);
    }

    public StoreConfig withHeartbeatInterval(Duration heartbeatInterval) {
        return new StoreConfig(dataDir, memberName, peers, snapshotCount, catchUpEntries, maxRequestBytes,
                maxTxnOps, minLeaseTtlSeconds, electionTimeout, heartbeatInterval, requestTimeout, maxBatchOps,
                maxBatchBytes, maxInFlightBatches, watchProgressInterval, quotaBackendBytes, peerTls, joinExisting, authTokenTtl,
                bcryptCost, jwtTokens);
    }

    public StoreConfig withBatching(int maxBatchOps, int maxBatchBytes, int maxInFlightBatches) {
        return new StoreConfig(dataDir, memberName, peers, snapshotCount, catchUpEntries, maxRequestBytes,
                maxTxnOps, minLeaseTtlSeconds, electionTimeout, heartbeatInterval, requestTimeout, maxBatchOps,
                maxBatchBytes, maxInFlightBatches, watchProgressInterval, quotaBackendBytes, peerTls, joinExisting, authTokenTtl,
                bcryptCost, jwtTokens);
    }

    public StoreConfig withWatchProgressInterval(Duration watchProgressInterval) {
        return new StoreConfig(dataDir, memberName, peers, snapshotCount, catchUpEntries, maxRequestBytes,
                maxTxnOps, minLeaseTtlSeconds, electionTimeout, heartbeatInterval, requestTimeout, maxBatchOps,
                maxBatchBytes, maxInFlightBatches, watchProgressInterval, quotaBackendBytes, peerTls, joinExisting, authTokenTtl,
                bcryptCost, jwtTokens);
    }

    public StoreConfig withQuotaBackendBytes(long quotaBackendBytes) {
        return new StoreConfig(dataDir, memberName, peers, snapshotCount, catchUpEntries, maxRequestBytes,
                maxTxnOps, minLeaseTtlSeconds, electionTimeout, heartbeatInterval, requestTimeout, maxBatchOps,
                maxBatchBytes, maxInFlightBatches, watchProgressInterval, quotaBackendBytes, peerTls, joinExisting, authTokenTtl,
                bcryptCost, jwtTokens);
    }

    /** TLS between the members (every member of the group needs it, with certificates from the same CA). */
    public StoreConfig withPeerTls(PeerTls peerTls) {
        return new StoreConfig(dataDir, memberName, peers, snapshotCount, catchUpEntries, maxRequestBytes,
                maxTxnOps, minLeaseTtlSeconds, electionTimeout, heartbeatInterval, requestTimeout, maxBatchOps,
                maxBatchBytes, maxInFlightBatches, watchProgressInterval, quotaBackendBytes, peerTls, joinExisting, authTokenTtl,
                bcryptCost, jwtTokens);
    }

    /**
     * This member, if it has no data yet, joins the running cluster of its other {@link #peers()}, which must have
     * added it by its peer URL ({@link StoreMember#addMember}); with data, it restarts as any member does.
     */
    public StoreConfig withJoinExisting() {
        return new StoreConfig(dataDir, memberName, peers, snapshotCount, catchUpEntries, maxRequestBytes,
                maxTxnOps, minLeaseTtlSeconds, electionTimeout, heartbeatInterval, requestTimeout, maxBatchOps,
                maxBatchBytes, maxInFlightBatches, watchProgressInterval, quotaBackendBytes, peerTls, true, authTokenTtl, bcryptCost,
                jwtTokens);
    }

    /** etcd's {@code --auth-token-ttl} and {@code --bcrypt-cost}. */
    public StoreConfig withAuth(Duration authTokenTtl, int bcryptCost) {
        return new StoreConfig(dataDir, memberName, peers, snapshotCount, catchUpEntries, maxRequestBytes,
                maxTxnOps, minLeaseTtlSeconds, electionTimeout, heartbeatInterval, requestTimeout, maxBatchOps,
                maxBatchBytes, maxInFlightBatches, watchProgressInterval, quotaBackendBytes, peerTls, joinExisting,
                authTokenTtl, bcryptCost, jwtTokens);
    }

    /** etcd's {@code --auth-token jwt,...}: signed tokens that every member checks with the public key. */
    public StoreConfig withJwtTokens(io.keelson.store.auth.JwtTokens jwtTokens) {
        return new StoreConfig(dataDir, memberName, peers, snapshotCount, catchUpEntries, maxRequestBytes,
                maxTxnOps, minLeaseTtlSeconds, electionTimeout, heartbeatInterval, requestTimeout, maxBatchOps,
                maxBatchBytes, maxInFlightBatches, watchProgressInterval, quotaBackendBytes, peerTls, joinExisting,
                authTokenTtl, bcryptCost, jwtTokens);
    }
}
