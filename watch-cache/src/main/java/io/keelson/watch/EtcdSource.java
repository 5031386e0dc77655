package io.keelson.watch;

import com.google.protobuf.ByteString;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.common.exception.CompactedException;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;
import io.keelson.store.ErrorCode;
import io.keelson.store.Event;
import io.keelson.store.KeyValue;
import io.keelson.store.StoreException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * {@link CacheSource} over a remote etcd v3 endpoint through jetcd. jetcd resumes a broken watch stream
 * by itself from the last delivered revision; what reaches {@link Listener#onFailure} is what it gave up on.
 */
final class EtcdSource implements CacheSource {
    private final Client client;

    EtcdSource(Client client) {
        this.client = client;
    }

    @Override
    public CompletableFuture<Page> list(ByteString start, ByteString end, long revision, int limit) {
        GetOption option = GetOption.builder().withRange(bytes(end)).withRevision(revision).withLimit(limit).build();
        return client.getKVClient().get(bytes(start), option)
                .handle((r, failure) -> {
                    if (failure != null) {
                        throw new CompletionException(translate(failure));
                    }
                    List<KeyValue> kvs = new ArrayList<>(r.getKvs().size());
                    r.getKvs().forEach(kv -> kvs.add(keyValue(kv)));
                    return new Page(kvs, r.getHeader().getRevision(), r.isMore());
                });
    }

    @Override
    public CompletableFuture<Long> currentRevision() {
        GetOption keysOnly = GetOption.builder().withKeysOnly(true).build();
        return client.getKVClient().get(ByteSequence.from(new byte[] {0}), keysOnly)
                .thenApply(r -> r.getHeader().getRevision());
    }

    @Override
    public Subscription watch(ByteString start, ByteString end, long startRevision, Listener listener) {
        WatchOption option = WatchOption.builder().withRange(bytes(end)).withRevision(startRevision)
                .withProgressNotify(true).build();
        io.etcd.jetcd.Watch.Watcher watcher = client.getWatchClient().watch(bytes(start), option,
                new io.etcd.jetcd.Watch.Listener() {
                    @Override
                    public void onNext(WatchResponse response) {
                        if (response.isProgressNotify()) {
                            listener.onProgress(response.getHeader().getRevision());
                        } else if (!response.getEvents().isEmpty()) {
                            listener.onEvents(events(response.getEvents()));
                        }
                    }

                    @Override
                    public void onError(Throwable failure) {
                        Throwable cause = unwrap(failure);
                        if (cause instanceof CompactedException) {
                            listener.onCompacted(((CompactedException) cause).getCompactedRevision());
                        } else {
                            listener.onFailure(cause);
                        }
                    }

                    @Override
                    public void onCompleted() {
                        listener.onFailure(new IllegalStateException("etcd watch stream completed"));
                    }
                });
        return new Subscription() {
            @Override
            public void requestProgress() {
                watcher.requestProgress();
            }

            @Override
            public void close() {
                watcher.close();
            }
        };
    }

    private static List<Event> events(List<WatchEvent> events) {
        List<Event> result = new ArrayList<>(events.size());
        for (WatchEvent e : events) {
            KeyValue kv = keyValue(e.getKeyValue());
            switch (e.getEventType()) {
                case PUT:
                    result.add(new Event(Event.Type.PUT, kv, null));
                    break;
                case DELETE:
                    result.add(new Event(Event.Type.DELETE, KeyValue.tombstone(kv.key(), kv.modRevision()), null));
                    break;
                default:
                    throw new IllegalStateException("unrecognized etcd event type for " + kv.keyUtf8());
            }
        }
        return result;
    }

    private static KeyValue keyValue(io.etcd.jetcd.KeyValue kv) {
        return new KeyValue(ByteString.copyFrom(kv.getKey().getBytes()), kv.getCreateRevision(),
                kv.getModRevision(), kv.getVersion(), ByteString.copyFrom(kv.getValue().getBytes()), kv.getLease());
    }

    private static ByteSequence bytes(ByteString s) {
        return ByteSequence.from(s);
    }

    private static Throwable unwrap(Throwable failure) {
        Throwable t = failure;
        while ((t instanceof CompletionException || t instanceof java.util.concurrent.ExecutionException)
                && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /** A compacted read becomes the store's typed exception, so the cache handles both sources alike. */
    private static Throwable translate(Throwable failure) {
        Throwable cause = unwrap(failure);
        if (cause instanceof CompactedException) {
            return new StoreException.CompactedException(((CompactedException) cause).getCompactedRevision());
        }
        if (cause.getMessage() != null && cause.getMessage().contains(ErrorCode.COMPACTED.message())) {
            // reads report compaction as a plain OUT_OF_RANGE status, without the compact revision
            return new StoreException.CompactedException(0);
        }
        return cause;
    }
}
