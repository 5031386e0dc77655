package io.keelson.kernel;

import com.google.protobuf.ByteString;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.keelson.store.KeyValue;
import io.keelson.store.RangeRequest;
import io.keelson.store.RangeResponse;
import io.keelson.store.StoreException;
import io.keelson.watch.CacheEvent;
import io.keelson.watch.CacheList;
import io.keelson.watch.CacheWatch;
import io.keelson.watch.ListOptions;
import io.keelson.watch.WatchCache;
import io.keelson.watch.WatchCacheException;
import io.keelson.watch.WatchOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Gets, lists and watches of one resource type, served from its watch cache with kube-apiserver's
 * resourceVersion semantics (unset: consistent; "0": any; otherwise not older than it, or exactly it).
 */
final class CacheReads<T extends HasMetadata> {
    /** The selection of a list or watch without selectors: the cache then decodes nothing to filter. */
    private static final Predicate<?> MATCH_ALL = o -> true;

    /** Shared decoded objects beyond this many are dropped all at once (they are only a memo). */
    private static final int SHARED_MAX = 10_000;

    private final ResourceType<T> type;
    private final Environment env;
    /** The last decoded object of each key read through {@link #shared}, with the mod revision it was decoded at. */
    private final ConcurrentHashMap<ByteString, Decoded<T>> shared = new ConcurrentHashMap<>();

    private record Decoded<T>(long modRevision, T object) {
    }

    /** The last {@link #sharedAll} answer and the cache revision it was listed at. */
    private volatile SharedList<T> sharedList;

    private record SharedList<T>(long revision, List<T> objects) {
    }

    CacheReads(ResourceType<T> type, Environment env) {
        this.type = type;
        this.env = env;
    }

    T get(String namespace, String name, String resourceVersion) {
        ListOptions options = freshness(name, resourceVersion);
        KeyValue kv = single(namespace, name, options);
        if (kv == null) {
            throw Statuses.notFound(type, name);
        }
        return ObjectCodec.decode(type.javaType(), kv);
    }

    /**
     * The cached object at any freshness (resourceVersion "0"), or null, decoded once per change and shared: for the
     * kernel's own readers on the write path (admission), as kube-apiserver's admission plugins read informers'
     * listers. Read-only by contract.
     */
    T shared(String namespace, String name) {
        KeyValue kv = any(namespace, name);
        return kv == null ? null : sharedDecode(kv);
    }

    /** The cached key-value at any freshness (resourceVersion "0"), or null. */
    KeyValue any(String namespace, String name) {
        try {
            return cache().get(ByteString.copyFromUtf8(type.key(namespace, name)));
        } catch (WatchCacheException.UnavailableException | CompletionException | StoreException e) {
            throw Statuses.internal(e.getMessage());
        }
    }

    /** Every cached object of the type at any freshness, shared and read-only as {@link #shared(String, String)}. */
    List<T> sharedAll() {
        // admission lists a type (priority classes) on every create: while the cache has not moved, the last answer
        // is still the answer
        long revision = cache().revision();
        SharedList<T> last = sharedList;
        if (last != null && last.revision() == revision) {
            return last.objects();
        }
        List<T> objects = new ArrayList<>();
        for (KeyValue kv : cacheList(ListOptions.any().withPrefix(prefix(null))).items()) {
            objects.add(sharedDecode(kv));
        }
        sharedList = new SharedList<>(revision, List.copyOf(objects));
        return sharedList.objects();
    }

    private T sharedDecode(KeyValue kv) {
        Decoded<T> memo = shared.get(kv.key());
        if (memo == null || memo.modRevision() != kv.modRevision()) {
            if (shared.size() >= SHARED_MAX) {
                shared.clear();
            }
            memo = new Decoded<>(kv.modRevision(), ObjectCodec.decode(type.javaType(), kv));
            shared.put(kv.key(), memo);
        }
        return memo.object();
    }

    /** The cached object once the cache has reached {@code revision}; null if it is not there. */
    ResourceStore.Stored<T> storedAt(String namespace, String name, long revision) {
        KeyValue kv = single(namespace, name, ListOptions.atLeast(revision));
        return kv == null ? null : new ResourceStore.Stored<>(ObjectCodec.decode(type.javaType(), kv), kv.value(),
                kv.modRevision());
    }

    private KeyValue single(String namespace, String name, ListOptions options) {
        String key = type.key(namespace, name);
        ByteString keyBytes = ByteString.copyFromUtf8(key);
        CacheList page = cacheList(options.withPrefix(keyBytes).matching(kv -> kv.key().equals(keyBytes)));
        return page.items().isEmpty() ? null : page.items().get(0);
    }

    ObjectList<T> list(String namespace, ListRequest request) {
        Predicate<T> selected = selection(request.labelSelector(), request.fieldSelector());
        String rv = request.resourceVersion();
        boolean exact = "Exact".equals(request.resourceVersionMatch())
                || (request.limit() > 0 && request.resourceVersionMatch() == null && rv != null && !rv.equals("0"));
        if (request.continueToken() != null && rv != null && !rv.isEmpty() && !rv.equals("0")) {
            throw Statuses.badRequest("specifying resource version is not allowed when using continue");
        }
        if (request.resourceVersionMatch() != null && !List.of("NotOlderThan", "Exact")
                .contains(request.resourceVersionMatch())) {
            throw Statuses.badRequest("resourceVersionMatch: Unsupported value: "
                    + FieldError.quote(request.resourceVersionMatch()) + ": supported values: \"Exact\", "
                    + "\"NotOlderThan\"");
        }
        if (request.resourceVersionMatch() != null && (rv == null || rv.isEmpty())) {
            throw Statuses.badRequest("resourceVersionMatch is forbidden unless resourceVersion is provided");
        }
        if (exact && request.continueToken() == null) {
            return exactList(namespace, request, selected);
        }
        ListOptions options = request.continueToken() != null ? ListOptions.any().continueFrom(request.continueToken())
                : freshness("", rv);
        Predicate<KeyValue> predicate = (Object) selected == MATCH_ALL ? kv -> true
                : kv -> selected.test(ObjectCodec.decode(type.javaType(), kv));
        CacheList page;
        try {
            page = cacheList(options.withPrefix(prefix(namespace)).matching(predicate).limit(request.limit()));
        } catch (IllegalArgumentException e) {
            throw Statuses.badRequest("invalid continue token: " + e.getMessage());
        }
        List<T> items = new ArrayList<>(page.items().size());
        for (KeyValue kv : page.items()) {
            items.add(ObjectCodec.decode(type.javaType(), kv));
        }
        return new ObjectList<>(items, Long.toString(page.revision()), page.continueToken());
    }

    /** An exact-revision list, from the store's history (as kube-apiserver falls back to etcd for it). */
    private ObjectList<T> exactList(String namespace, ListRequest request, Predicate<T> selected) {
        long revision = parse(request.resourceVersion());
        ByteString prefix = prefix(namespace);
        RangeResponse r;
        try {
            r = env.await(env.store().range(RangeRequest.prefix(prefix).atRevision(revision)), "list");
        } catch (ApiException e) {
            if (e.getMessage().contains("compacted")) {
                throw Statuses.gone("The resourceVersion for the provided list is too old.");
            }
            if (e.getMessage().contains("future revision")) {
                throw Statuses.tooLargeResourceVersion(revision, 0);
            }
            throw e;
        }
        List<T> items = new ArrayList<>();
        for (KeyValue kv : r.kvs()) {
            T object = ObjectCodec.decode(type.javaType(), kv);
            if (selected.test(object)) {
                items.add(object);
            }
        }
        if (request.limit() > 0 && items.size() > request.limit()) {
            items = items.subList(0, request.limit()); // the rest is read with a continue token from the cache
            String last = type.key(items.get(items.size() - 1).getMetadata().getNamespace(),
                    items.get(items.size() - 1).getMetadata().getName());
            return new ObjectList<>(items, Long.toString(revision), WatchCache.continueToken(prefix, revision,
                    ByteString.copyFromUtf8(last)));
        }
        return new ObjectList<>(items, Long.toString(revision), null);
    }

    ResourceWatch watch(String namespace, WatchRequest request, Consumer<WatchEvent<T>> listener) {
        Predicate<T> selected = selection(request.labelSelector(), request.fieldSelector());
        String rv = request.resourceVersion();
        WatchOptions options = rv == null || rv.isEmpty() || rv.equals("0") ? WatchOptions.withInitialEvents()
                : WatchOptions.fromRevision(parse(rv));
        if (request.bookmarks()) {
            options = options.withBookmarks();
        }
        options = options.withPrefix(prefix(namespace));
        if ((Object) selected != MATCH_ALL) {
            options = options.matching(kv -> selected.test(ObjectCodec.decode(type.javaType(), kv)));
        }
        try {
            CacheWatch watch = cache().watch(options, event -> listener.accept(toEvent(event)));
            return watch::close;
        } catch (WatchCacheException.GoneException e) {
            // as kube-apiserver: the watch starts, and its one event is the 410
            listener.accept(new WatchEvent<>(WatchEvent.Type.ERROR, null, rv, false,
                    Statuses.gone("too old resource version: " + e.requestedRevision() + " ("
                            + (e.oldestRevision() - 1) + ")").status()));
            return () -> { };
        }
    }

    private WatchEvent<T> toEvent(CacheEvent e) {
        String rv = Long.toString(e.revision());
        return switch (e.type()) {
            case ADDED -> new WatchEvent<>(WatchEvent.Type.ADDED, decode(e.object(), e.revision()), rv, false, null);
            case MODIFIED -> new WatchEvent<>(WatchEvent.Type.MODIFIED, decode(e.object(), e.revision()), rv, false,
                    null);
            case DELETED -> new WatchEvent<>(WatchEvent.Type.DELETED, decode(e.object(), e.revision()), rv, false,
                    null);
            case BOOKMARK -> new WatchEvent<>(WatchEvent.Type.BOOKMARK, null, rv, e.initialEventsEnd(), null);
            case ENDED -> e.endReason() == CacheEvent.EndReason.GONE
                    ? new WatchEvent<>(WatchEvent.Type.ERROR, null, rv, false,
                            Statuses.gone("too old resource version: " + e.message()).status())
                    : new WatchEvent<>(WatchEvent.Type.CLOSED, null, rv, false, closed(e));
        };
    }

    /** A deleted object carries the delete's revision as its resourceVersion, as kube-apiserver's watch does. */
    private T decode(KeyValue kv, long revision) {
        T object = ObjectCodec.decode(type.javaType(), kv);
        object.getMetadata().setResourceVersion(Long.toString(Math.max(kv.modRevision(), revision)));
        return object;
    }

    private static Status closed(CacheEvent e) {
        return new StatusBuilder().withStatus("Success").withReason(e.endReason().name()).withMessage(e.message())
                .withNewMetadata().endMetadata().build();
    }

    @SuppressWarnings("unchecked")
    private Predicate<T> selection(String labels, String fields) {
        LabelSelector labelSelector = LabelSelector.parse(labels);
        FieldSelector fieldSelector = FieldSelector.parse(fields);
        fieldSelector.checkSupported(type);
        if (labelSelector.isEverything() && fieldSelector.isEverything()) {
            return (Predicate<T>) MATCH_ALL;
        }
        return o -> labelSelector.matches(o.getMetadata().getLabels())
                && fieldSelector.matches(f -> {
                    var value = type.fieldSelectors().get(f);
                    return value == null ? "" : value.apply(o); // metadata.namespace of a cluster-scoped type
                });
    }

    private ListOptions freshness(String name, String resourceVersion) {
        if (resourceVersion == null || resourceVersion.isEmpty()) {
            return ListOptions.consistent();
        }
        if (resourceVersion.equals("0")) {
            return ListOptions.any();
        }
        return ListOptions.atLeast(parse(resourceVersion));
    }

    private CacheList cacheList(ListOptions options) {
        try {
            return cache().list(options);
        } catch (WatchCacheException.RevisionTimeoutException e) {
            throw Statuses.tooLargeResourceVersion(e.requestedRevision(), e.cacheRevision());
        } catch (WatchCacheException.GoneException e) {
            throw Statuses.gone("The provided continue parameter is too old to display a consistent list result."
                    + " You can start a new list without the continue parameter.");
        } catch (WatchCacheException.UnavailableException | CompletionException | StoreException e) {
            throw Statuses.internal(e.getMessage());
        }
    }

    private WatchCache cache() {
        return env.caches().apply(type);
    }

    private ByteString prefix(String namespace) {
        return ByteString.copyFromUtf8(namespace == null || namespace.isEmpty() || !type.namespaced()
                ? type.storagePrefix() : type.storagePrefix() + namespace + "/");
    }

    private static long parse(String rv) {
        try {
            long v = Long.parseLong(rv);
            if (v < 0) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw Statuses.badRequest("invalid resource version: " + FieldError.quote(rv));
        }
    }
}
