package io.keelson.watch;

import com.google.protobuf.ByteString;
import io.keelson.store.KvStore;
import io.keelson.store.RangeRequest;
import io.keelson.store.Watch;
import io.keelson.store.WatchRequest;
import io.keelson.store.WatchResponse;
import java.util.concurrent.CompletableFuture;

/** {@link CacheSource} over a {@link KvStore}: the embedded Keelson store. */
final class StoreSource implements CacheSource {
    private final KvStore store;

    StoreSource(KvStore store) {
        this.store = store;
    }

    @Override
    public CompletableFuture<Page> list(ByteString start, ByteString end, long revision, int limit) {
        return store.range(RangeRequest.range(start, end).atRevision(revision).limit(limit))
                .thenApply(r -> new Page(r.kvs(), r.header().revision(), r.more()));
    }

    @Override
    public CompletableFuture<Long> currentRevision() {
        // a linearizable read of one key returns the store's revision in its header
        return store.range(RangeRequest.key(ByteString.copyFromUtf8("\0")).withKeysOnly())
                .thenApply(r -> r.header().revision());
    }

    @Override
    public Subscription watch(ByteString start, ByteString end, long startRevision, Listener listener) {
        Watch watch = store.watch(WatchRequest.range(start, end).fromRevision(startRevision).withProgressNotify(),
                response -> deliver(response, listener));
        return new Subscription() {
            @Override
            public void requestProgress() {
                watch.requestProgress();
            }

            @Override
            public void close() {
                watch.close();
            }
        };
    }

    private static void deliver(WatchResponse response, Listener listener) {
        switch (response.kind()) {
            case CREATED:
                break;
            case EVENTS:
                listener.onEvents(response.events());
                break;
            case PROGRESS:
                listener.onProgress(response.header().revision());
                break;
            case CANCELED:
                if (response.compactRevision() > 0) {
                    listener.onCompacted(response.compactRevision());
                } else {
                    listener.onFailure(new IllegalStateException("store watch canceled: " + response.cancelReason()));
                }
                break;
            default:
                throw new IllegalStateException("unknown watch response " + response.kind());
        }
    }
}
