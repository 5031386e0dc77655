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
}
