package io.keelson.watch;

import com.google.protobuf.ByteString;
import io.keelson.store.Event;
import io.keelson.store.KeyValue;
import io.keelson.store.KvStore;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * What a {@link WatchCache} reads from: a store's List+Watch over a key range, with etcd v3 semantics.
 * Two implementations: {@link #of(KvStore)} for an embedded Keelson store, and {@link #of(io.etcd.jetcd.Client)}
 * for a remote etcd v3 endpoint.
 */
public interface CacheSource {

    /** Over a Keelson store in this JVM (or any other {@link KvStore}). */
    static CacheSource of(KvStore store) {
        return new StoreSource(store);
    }

    /** Over an etcd v3 endpoint through jetcd; the caller keeps owning (and closes) the client. */
    static CacheSource of(io.etcd.jetcd.Client client) {
        return new EtcdSource(client);
    }

    /**
     * Reads up to {@code limit} keys of {@code [start, end)} in key order.
     *
     * @param revision 0 for a linearizable read of the current state; otherwise a read at that revision
     *                 (fails with {@link io.keelson.store.StoreException.CompactedException} once compacted)
     */
    CompletableFuture<Page> list(ByteString start, ByteString end, long revision, int limit);

    /** The store's current revision, read linearizably. */
    CompletableFuture<Long> currentRevision();

    /**
     * Watches {@code [start, end)} from {@code startRevision} (the first revision delivered). Calls to
     * {@code listener} come one at a time, in revision order, with every event of one revision in one call.
     */
    Subscription watch(ByteString start, ByteString end, long startRevision, Listener listener);

    /** One page of a list. */
    record Page(List<KeyValue> kvs, long revision, boolean more) {
        public Page {
            kvs = List.copyOf(kvs);
        }
    }

    /** Receives a source watch's stream; exactly one of the last two methods ends it. */
    interface Listener {
        /** Changes in revision order; those of one revision are never split across calls. */
        void onEvents(List<Event> events);

        /** Every change up to {@code revision} has been delivered. */
        void onProgress(long revision);

        /** The watch ended because its next revision has been compacted away. */
        void onCompacted(long compactRevision);

        /** The watch broke (connection lost, canceled by the server, ...). */
        void onFailure(Throwable cause);
    }

    /** A running source watch. */
    interface Subscription extends AutoCloseable {
        /** Asks for an {@link Listener#onProgress} once everything up to the store's revision is delivered. */
        void requestProgress();

        @Override
        void close();
    }
}
