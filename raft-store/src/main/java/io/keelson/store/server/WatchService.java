package io.keelson.store.server;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import io.etcd.jetcd.api.WatchCreateRequest;
import io.etcd.jetcd.api.WatchGrpc;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.keelson.store.KeyRanges;
import io.keelson.store.KvStore;
import io.keelson.store.Watch;
import io.keelson.store.WatchRequest;
import io.keelson.store.WatchResponse;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * etcd's {@code Watch} service: many watches multiplexed on one stream, each with a stream-local id
 * (chosen by the client or assigned). Responses of all watches on a stream go through one outbox
 * that is written only while gRPC can take more, so a client that reads slowly costs bounded memory:
 * past a limit (64 MiB by default) its watches are canceled with a reason it sees, never silently.
 */
final class WatchService extends WatchGrpc.WatchImplBase {
    /** etcd's {@code WatchCreateRequest.watch_id} and {@code fragment}, absent from jetcd-grpc's copy of the proto. */
    static final int CREATE_WATCH_ID_FIELD = 7;
    static final int CREATE_FRAGMENT_FIELD = 8;
    /** etcd's {@code WatchResponse.fragment}. */
    static final int RESPONSE_FRAGMENT_FIELD = 7;
    /** etcd's id for a watch whose creation was refused. */
    static final long INVALID_WATCH_ID = -1;
    /** Responses waiting for a slow client, summed per stream, beyond which its watches are canceled. */
    static final long DEFAULT_OUTBOX_LIMIT_BYTES = 64L * 1024 * 1024;
    static final String SLOW_STREAM_REASON = "etcdserver: watch stream canceled: the client reads too slowly";
    static final String DUPLICATE_ID_REASON = "mvcc: duplicate watch ID provided on the WatchStream";

    private final KvStore store;
    private final int maxResponseBytes;
    private final long outboxLimitBytes;

    /**
     * @param maxResponseBytes the size above which a watch that asked for fragments gets its events split
     * @param outboxLimitBytes how much may wait per stream for a client that reads slowly
     */
    WatchService(KvStore store, int maxResponseBytes, long outboxLimitBytes) {
        this.store = store;
        this.maxResponseBytes = maxResponseBytes;
        this.outboxLimitBytes = outboxLimitBytes;
    }

    @Override
    public StreamObserver<io.etcd.jetcd.api.WatchRequest> watch(StreamObserver<io.etcd.jetcd.api.WatchResponse> out) {
        return new Stream((ServerCallStreamObserver<io.etcd.jetcd.api.WatchResponse>) out);
    }

    /** One watch on a stream; {@code handle} is null until the store returned it. */
    private static final class Entry {
        final boolean fragment;
        volatile Watch handle;
        volatile boolean created;
        volatile boolean dropped; // its stream no longer forwards its responses

        Entry(boolean fragment) {
            this.fragment = fragment;
        }
    }

    private final class Stream implements StreamObserver<io.etcd.jetcd.api.WatchRequest> {
        private final ServerCallStreamObserver<io.etcd.jetcd.api.WatchResponse> out;
        private final Map<Long, Entry> watches = new ConcurrentHashMap<>();
        private final ArrayDeque<io.etcd.jetcd.api.WatchResponse> outbox = new ArrayDeque<>(); // guarded by this
        private long outboxBytes; // guarded by this
        private long nextId; // guarded by this
        private boolean closed; // guarded by this
        private volatile io.etcd.jetcd.api.ResponseHeader lastHeader = io.etcd.jetcd.api.ResponseHeader.getDefaultInstance();

        Stream(ServerCallStreamObserver<io.etcd.jetcd.api.WatchResponse> out) {
            this.out = out;
            out.setOnReadyHandler(this::drain);
            out.setOnCancelHandler(this::close);
        }

        @Override
        public void onNext(io.etcd.jetcd.api.WatchRequest request) {
            switch (request.getRequestUnionCase()) {
                case CREATE_REQUEST -> create(request.getCreateRequest());
                case CANCEL_REQUEST -> {
                    Entry e = watches.get(request.getCancelRequest().getWatchId());
                    if (e != null && e.handle != null) {
                        e.handle.close(); // its CANCELED response removes it
                    }
                }
                case PROGRESS_REQUEST -> watches.values().forEach(e -> {
                    if (e.handle != null) {
                        e.handle.requestProgress();
                    }
                });
                default -> { } // nothing asked
            }
        }

        private void create(WatchCreateRequest c) {
            long requested = varint(c, CREATE_WATCH_ID_FIELD);
            Entry entry = new Entry(varint(c, CREATE_FRAGMENT_FIELD) != 0);
            long id;
            synchronized (this) {
                if (requested != 0) {
                    id = watches.putIfAbsent(requested, entry) == null ? requested : INVALID_WATCH_ID;
                } else {
                    while (watches.containsKey(nextId)) {
                        nextId++; // skip ids the client chose, as etcd does
                    }
                    id = nextId++;
                    watches.put(id, entry);
                }
            }
            if (id == INVALID_WATCH_ID) {
                refuse(DUPLICATE_ID_REASON);
                return;
            }
            boolean noPut = false;
            boolean noDelete = false;
            for (WatchCreateRequest.FilterType f : c.getFiltersList()) {
                noPut |= f == WatchCreateRequest.FilterType.NOPUT;
                noDelete |= f == WatchCreateRequest.FilterType.NODELETE;
            }
            // etcd: an empty key is the smallest key, "\0" (so `watch "" --prefix` watches everything)
            ByteString key = c.getKey().isEmpty() ? KeyRanges.FROM_KEY : c.getKey();
            if (store instanceof io.keelson.store.StoreMember member) {
                try {
                    // the user AuthGuard found for this stream; a watch it may not read is refused alone, and so is
                    // one on a token older than the auth state (etcd reports both as permission denied)
                    io.keelson.store.auth.AuthState auth = member.authState();
                    if (auth.enabled() && AuthGuard.staleToken(auth)) {
                        throw new io.keelson.store.StoreException(io.keelson.store.ErrorCode.PERMISSION_DENIED);
                    }
                    auth.checkKeys(AuthGuard.USER.get(), key, c.getRangeEnd(),
                            io.keelson.store.auth.Permission.Type.READ);
                } catch (io.keelson.store.StoreException e) {
                    watches.remove(id, entry);
                    refuse(e.getMessage());
                    return;
                }
            }
            WatchRequest req = new WatchRequest(key, c.getRangeEnd(), Math.max(0, c.getStartRevision()),
                    c.getPrevKv(), noPut, noDelete, c.getProgressNotify());
            entry.handle = store.watch(req, r -> send(id, entry, r));
            if (entry.handle.id() < 0 && requested == 0) {
                synchronized (this) {
                    if (nextId == id + 1) {
                        nextId = id; // a refused create uses up no id, as in etcd
                    }
                }
            }
        }

        private static long varint(WatchCreateRequest c, int field) {
            List<Long> values = c.getUnknownFields().getField(field).getVarintList();
            return values.isEmpty() ? 0 : values.get(values.size() - 1);
        }

        /** etcd's answer to a create it refuses: created and canceled at once, with watch id -1. */
        private void refuse(String reason) {
            enqueue(io.etcd.jetcd.api.WatchResponse.newBuilder().setHeader(lastHeader)
                    .setWatchId(INVALID_WATCH_ID).setCreated(true)
                    .setCanceled(true).setCancelReason(reason).build());
        }

        private void send(long id, Entry entry, WatchResponse r) {
            if (entry.dropped) {
                return;
            }
            io.etcd.jetcd.api.ResponseHeader header = EtcdCodec.header(r.header());
            lastHeader = header;
            io.etcd.jetcd.api.WatchResponse.Builder b = io.etcd.jetcd.api.WatchResponse.newBuilder()
                    .setHeader(header).setWatchId(id);
            switch (r.kind()) {
                case CREATED -> {
                    entry.created = true;
                    b.setCreated(true);
                }
                case EVENTS -> r.events().forEach(e -> b.addEvents(EtcdCodec.event(e)));
                case PROGRESS -> { } // an empty response carrying the revision
                case CANCELED -> {
                    watches.remove(id, entry);
                    if (!entry.created) { // refused by the store before it was created
                        b.setWatchId(INVALID_WATCH_ID).setCreated(true);
                    }
                    b.setCanceled(true).setCompactRevision(r.compactRevision()).setCancelReason(r.cancelReason());
                }
            }
            io.etcd.jetcd.api.WatchResponse response = b.build();
            if (entry.fragment && r.kind() == WatchResponse.Kind.EVENTS
                    && response.getSerializedSize() >= maxResponseBytes && response.getEventsCount() > 1) {
                fragments(response).forEach(this::enqueue);
            } else {
                enqueue(response);
            }
        }

        /**
         * Splits the events of one response into responses below the size limit (each holding at least
         * one event), all but the last marked as a fragment, as etcd does for watches that ask for it.
         */
        private List<io.etcd.jetcd.api.WatchResponse> fragments(io.etcd.jetcd.api.WatchResponse whole) {
            List<io.etcd.jetcd.api.WatchResponse> parts = new java.util.ArrayList<>();
            io.etcd.jetcd.api.WatchResponse.Builder empty = whole.toBuilder().clearEvents();
            int overhead = empty.build().getSerializedSize() + 8;
            io.etcd.jetcd.api.WatchResponse.Builder part = empty.clone();
            int size = overhead;
            for (io.etcd.jetcd.api.Event e : whole.getEventsList()) {
                int eventBytes = e.getSerializedSize() + 6;
                if (part.getEventsCount() > 0 && size + eventBytes >= maxResponseBytes) {
                    parts.add(part.setUnknownFields(fragmentFlag()).build());
                    part = empty.clone();
                    size = overhead;
                }
                part.addEvents(e);
                size += eventBytes;
            }
            parts.add(part.build());
            return parts;
        }

        private static UnknownFieldSet fragmentFlag() {
            return UnknownFieldSet.newBuilder().addField(RESPONSE_FRAGMENT_FIELD,
                    UnknownFieldSet.Field.newBuilder().addVarint(1).build()).build();
        }

        private void enqueue(io.etcd.jetcd.api.WatchResponse response) {
            boolean overflow;
            synchronized (this) {
                if (closed) {
                    return;
                }
                outbox.add(response);
                outboxBytes += response.getSerializedSize();
                overflow = outboxBytes > outboxLimitBytes;
            }
            if (overflow) {
                cancelAll(SLOW_STREAM_REASON);
            }
            drain();
        }

        /** Writes queued responses while the transport takes them; called again when it becomes ready. */
        private void drain() {
            synchronized (this) {
                try {
                    io.etcd.jetcd.api.WatchResponse next;
                    while (!closed && out.isReady() && (next = outbox.poll()) != null) {
                        outboxBytes -= next.getSerializedSize();
                        out.onNext(next);
                    }
                } catch (RuntimeException e) {
                    closed = true; // the stream is gone; the cancel handler closes the watches
                    outbox.clear();
                }
            }
        }

        /**
         * Drops what the slow client has not read and cancels every watch on the stream, each with a
         * CANCELED response carrying the reason; the stream stays open for new watches.
         */
        private void cancelAll(String reason) {
            List<Watch> handles = new java.util.ArrayList<>();
            synchronized (this) {
                outbox.clear();
                outboxBytes = 0;
                for (Map.Entry<Long, Entry> w : watches.entrySet()) {
                    w.getValue().dropped = true;
                    handles.add(w.getValue().handle);
                    outbox.add(io.etcd.jetcd.api.WatchResponse.newBuilder().setHeader(lastHeader)
                            .setWatchId(w.getKey()).setCanceled(true).setCancelReason(reason).build());
                }
                watches.clear();
            }
            closeAll(handles);
            drain();
        }

        private void close() {
            List<Watch> handles = new java.util.ArrayList<>();
            synchronized (this) {
                closed = true;
                outbox.clear();
                watches.values().forEach(e -> {
                    e.dropped = true;
                    handles.add(e.handle);
                });
                watches.clear();
            }
            closeAll(handles);
        }

        /** Outside the stream's lock: closing a watch may deliver its last response synchronously. */
        private static void closeAll(List<Watch> handles) {
            for (Watch w : handles) {
                if (w != null) {
                    w.close();
                }
            }
        }

        @Override
        public void onError(Throwable t) {
            close();
        }

        @Override
        public void onCompleted() {
            close();
            synchronized (this) {
                try {
                    out.onCompleted();
                } catch (RuntimeException e) {
                    // already gone
                }
            }
        }
    }
}
