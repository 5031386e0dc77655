package io.keelson.store.concurrency;

import com.google.protobuf.ByteString;
import io.keelson.store.Event;
import io.keelson.store.KeyValue;
import io.keelson.store.KvStore;
import io.keelson.store.ResponseHeader;
import io.keelson.store.StoreException;
import io.keelson.store.Watch;
import io.keelson.store.WatchRequest;
import io.keelson.store.WatchResponse;
import java.util.function.Consumer;

/**
 * An election's observer, as etcd's recipe: find the first-created key under the prefix (or wait for the first put
 * under it), report it, then follow that key: every put is reported, its deletion means looking for the next
 * leader. Nothing is reported on a deletion itself.
 */
final class LeaderWatch {
    private final KvStore store;
    private final ByteString prefix;
    private final Consumer<Election.Leader> listener;
    private final Consumer<Throwable> onError;
    private Watch watch;
    private boolean closed;

    LeaderWatch(KvStore store, ByteString prefix, Consumer<Election.Leader> listener, Consumer<Throwable> onError) {
        this.store = store;
        this.prefix = prefix;
        this.listener = listener;
        this.onError = onError;
    }

    void start() {
        store.range(Locks.firstCreated(prefix)).whenComplete((r, error) -> {
            if (error != null) {
                fail(error);
            } else if (r.kvs().isEmpty()) {
                follow(WatchRequest.prefix(prefix).fromRevision(r.header().revision()), true);
            } else {
                report(r.header(), r.kvs().get(0));
                follow(WatchRequest.key(r.kvs().get(0).key()).fromRevision(r.header().revision() + 1), false);
            }
        });
    }

    /** Watches the prefix for a first leader ({@code awaitingLeader}) or the leader's key for its changes. */
    private synchronized void follow(WatchRequest request, boolean awaitingLeader) {
        if (closed) {
            return;
        }
        Watch[] mine = new Watch[1];
        mine[0] = store.watch(request, r -> onResponse(mine[0], r, awaitingLeader));
        watch = mine[0];
    }

    private void onResponse(Watch from, WatchResponse r, boolean awaitingLeader) {
        synchronized (this) {
            if (closed || (from != null && from != watch)) {
                return; // a watch given up
            }
        }
        if (r.canceled()) {
            fail(r.compactRevision() > 0 ? new StoreException.CompactedException(r.compactRevision())
                    : new ConcurrencyException(ConcurrencyException.OBSERVER_LOST));
            return;
        }
        for (Event e : r.events()) {
            if (awaitingLeader && e.type() == Event.Type.PUT) {
                KeyValue kv = e.kv();
                stop();
                report(new ResponseHeader(r.header().clusterId(), r.header().memberId(), kv.modRevision(),
                        r.header().raftTerm()), kv);
                follow(WatchRequest.key(kv.key()).fromRevision(kv.modRevision() + 1), false);
                return;
            }
            if (!awaitingLeader && e.type() == Event.Type.DELETE) {
                stop();
                start(); // the next in line, if any
                return;
            }
            if (!awaitingLeader) {
                report(r.header(), e.kv());
            }
        }
    }

    private void report(ResponseHeader header, KeyValue kv) {
        synchronized (this) {
            if (closed) {
                return;
            }
        }
        listener.accept(new Election.Leader(header, kv));
    }

    private void stop() {
        Watch w;
        synchronized (this) {
            w = watch;
            watch = null;
        }
        if (w != null) {
            w.close();
        }
    }

    private void fail(Throwable error) {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        stop();
        onError.accept(error);
    }

    void close() {
        synchronized (this) {
            closed = true;
        }
        stop();
    }
}
