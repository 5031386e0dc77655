package io.keelson.store.concurrency;

import com.google.protobuf.ByteString;
import io.keelson.store.Event;
import io.keelson.store.KeyValue;
import io.keelson.store.KvStore;
import io.keelson.store.RangeRequest;
import io.keelson.store.ResponseHeader;
import io.keelson.store.StoreException;
import io.keelson.store.Watch;
import io.keelson.store.WatchRequest;
import java.util.concurrent.CompletableFuture;

/**
 * Waiting one's turn under a prefix, as etcd's recipes do (waitDeletes): while a key created before one's own is
 * there, wait for the newest of them to be deleted (not for the first: a release then wakes one waiter, not all).
 * One wait per call; cancelling its future stops the watch.
 */
final class Waits {
    private Waits() {
    }

    /**
     * Completes with the header of the read that found no key under {@code prefix} created at or before
     * {@code maxCreateRevision}.
     */
    static CompletableFuture<ResponseHeader> olderKeysGone(KvStore store, ByteString prefix, long maxCreateRevision) {
        CompletableFuture<ResponseHeader> done = new CompletableFuture<>();
        next(store, prefix, maxCreateRevision, done);
        return done;
    }

    private static void next(KvStore store, ByteString prefix, long maxCreateRevision,
                             CompletableFuture<ResponseHeader> done) {
        if (done.isDone()) {
            return;
        }
        store.range(RangeRequest.prefix(prefix).sort(RangeRequest.SortOrder.DESCEND, RangeRequest.SortTarget.CREATE)
                .limit(1).createRevisionBetween(0, maxCreateRevision)).whenComplete((r, error) -> {
                    if (error != null) {
                        done.completeExceptionally(error);
                    } else if (r.kvs().isEmpty()) {
                        done.complete(r.header());
                    } else {
                        deleted(store, r.kvs().get(0), r.header().revision(), done)
                                .thenRun(() -> next(store, prefix, maxCreateRevision, done));
                    }
                });
    }

    /** Completes once {@code kv} is deleted at or after {@code fromRevision}; a cancelled {@code owner} stops it. */
    private static CompletableFuture<Void> deleted(KvStore store, KeyValue kv, long fromRevision,
                                                   CompletableFuture<?> owner) {
        CompletableFuture<Void> gone = new CompletableFuture<>();
        Watch watch = store.watch(WatchRequest.key(kv.key()).fromRevision(fromRevision).withoutPuts(), r -> {
            if (gone.isDone()) {
                return; // the end of a watch closed here
            }
            if (r.canceled()) {
                owner.completeExceptionally(r.compactRevision() > 0
                        ? new StoreException.CompactedException(r.compactRevision())
                        : new ConcurrencyException(ConcurrencyException.LOST_WATCHER));
                gone.cancel(false);
                return;
            }
            for (Event e : r.events()) {
                if (e.type() == Event.Type.DELETE) {
                    gone.complete(null);
                    return;
                }
            }
        });
        gone.whenComplete((ok, error) -> watch.close());
        owner.whenComplete((ok, error) -> gone.cancel(false));
        return gone;
    }
}
