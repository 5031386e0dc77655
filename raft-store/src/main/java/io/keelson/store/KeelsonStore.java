package io.keelson.store;

import io.keelson.store.raft.RaftMember;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * The entry point of the store.
 *
 * <pre>{@code
 * try (StoreMember store = KeelsonStore.open(Path.of("data"))) {
 *     long rev = store.put(PutRequest.of("greeting", "hello")).join().header().revision();
 *     store.range(RangeRequest.key("greeting")).join().kvs();
 * }
 * }</pre>
 */
public final class KeelsonStore {
    private KeelsonStore() {
    }

    /** Opens (or creates) a single-member store in {@code dataDir} with etcd's defaults. */
    public static StoreMember open(Path dataDir) {
        return open(StoreConfig.singleNode(dataDir));
    }

    /**
     * Starts one member as configured. For a group, start every member with the same peer list; each
     * accepts requests (writes are forwarded to the leader) once a leader is elected.
     */
    public static StoreMember open(StoreConfig config) {
        try {
            return RaftMember.start(config);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whether {@code dataDir} already holds data (a member started there before, or was restored into it). */
    public static boolean hasData(Path dataDir) throws IOException {
        return RaftMember.hasFiles(dataDir);
    }

    /**
     * Prepares the data directory of a member of a new cluster from a {@link StoreMember#snapshot}
     * copy, like {@code etcdctl snapshot restore}: restore the same copy for every member, then start
     * them as a new cluster. The keys, revisions and leases are kept; the Raft log starts afresh.
     *
     * @throws IOException if {@code dataDir} already holds data or the copy cannot be read
     */
    public static void restore(Path snapshot, Path dataDir) throws IOException {
        RaftMember.restore(snapshot, dataDir);
    }
}
