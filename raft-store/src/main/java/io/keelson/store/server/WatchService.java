package io.keelson.store.server;

import io.etcd.jetcd.api.WatchCreateRequest;
import io.etcd.jetcd.api.WatchGrpc;
import com.google.protobuf.ByteString;
import io.grpc.stub.StreamObserver;
import io.keelson.store.KeyRanges;
import io.keelson.store.KvStore;
import io.keelson.store.Watch;
import io.keelson.store.WatchRequest;
import io.keelson.store.WatchResponse;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * etcd's {@code Watch} service: many watches multiplexed on one stream, each with a stream-local id.
 * Responses of all watches on a stream are written one at a time (gRPC observers are not thread-safe).
 */
final class WatchService extends WatchGrpc.WatchImplBase {
    private final KvStore store;

    WatchService(KvStore store) {
        this.store = store;
    }

    @Override
    public StreamObserver<io.etcd.jetcd.api.WatchRequest> watch(StreamObserver<io.etcd.jetcd.api.WatchResponse> out) {
        return new Stream(out);
    }

    private final class Stream implements StreamObserver<io.etcd.jetcd.api.WatchRequest> {
        private final StreamObserver<io.etcd.jetcd.api.WatchResponse> out;
        private final Map<Long, Watch> watches = new ConcurrentHashMap<>();
        private final AtomicLong nextId = new AtomicLong();
        private volatile boolean closed;

        Stream(StreamObserver<io.etcd.jetcd.api.WatchResponse> out) {
            this.out = out;
        }

        @Override
        public void onNext(io.etcd.jetcd.api.WatchRequest request) {
            switch (request.getRequestUnionCase()) {
                case CREATE_REQUEST -> create(request.getCreateRequest());
                case CANCEL_REQUEST -> {
                    Watch w = watches.get(request.getCancelRequest().getWatchId());
                    if (w != null) {
                        w.close();
                    }
                }
                case PROGRESS_REQUEST -> watches.values().forEach(Watch::requestProgress);
                default -> { } // nothing asked
            }
        }

        private void create(WatchCreateRequest c) {
            long id = nextId.getAndIncrement();
            boolean noPut = false;
            boolean noDelete = false;
            for (WatchCreateRequest.FilterType f : c.getFiltersList()) {
                noPut |= f == WatchCreateRequest.FilterType.NOPUT;
                noDelete |= f == WatchCreateRequest.FilterType.NODELETE;
            }
            // etcd: an empty key is the smallest key, "\0" (so `watch "" --prefix` watches everything)
            ByteString key = c.getKey().isEmpty() ? KeyRanges.FROM_KEY : c.getKey();
            WatchRequest req = new WatchRequest(key, c.getRangeEnd(), Math.max(0, c.getStartRevision()),
                    c.getPrevKv(), noPut, noDelete, c.getProgressNotify());
            Watch w = store.watch(req, r -> send(id, r));
            if (w.id() >= 0) {
                watches.put(id, w);
            }
        }

        private void send(long id, WatchResponse r) {
            io.etcd.jetcd.api.WatchResponse.Builder b = io.etcd.jetcd.api.WatchResponse.newBuilder()
                    .setHeader(EtcdCodec.header(r.header())).setWatchId(id);
            switch (r.kind()) {
                case CREATED -> b.setCreated(true);
                case EVENTS -> r.events().forEach(e -> b.addEvents(EtcdCodec.event(e)));
                case PROGRESS -> { } // an empty response carrying the revision
                case CANCELED -> {
                    b.setCanceled(true).setCompactRevision(r.compactRevision()).setCancelReason(r.cancelReason());
                    watches.remove(id);
                }
            }
            if (closed) {
                return;
            }
            synchronized (out) {
                try {
                    out.onNext(b.build());
                } catch (RuntimeException e) {
                    close(); // the stream is gone
                }
            }
        }

        private void close() {
            closed = true;
            watches.values().forEach(Watch::close);
            watches.clear();
        }

        @Override
        public void onError(Throwable t) {
            close();
        }

        @Override
        public void onCompleted() {
            close();
            synchronized (out) {
                out.onCompleted();
            }
        }
    }
}
