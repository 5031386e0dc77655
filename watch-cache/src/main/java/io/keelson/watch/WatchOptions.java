package io.keelson.watch;

import com.google.protobuf.ByteString;
import io.keelson.store.KeyValue;
import java.util.concurrent.Executor;
import java.util.function.Predicate;

/**
 * How to {@link WatchCache#watch watch}: {@code WatchOptions.fromRevision(list.revision()).withBookmarks()}.
 *
 * @param afterRevision  deliver the changes made after this revision (a list's revision, or the last event's
 *                       or bookmark's revision); {@link #NOW} for changes from now on
 * @param initialEvents  first deliver the current state as ADDED events, then a bookmark with
 *                       {@code initialEventsEnd}, then live changes (so no separate list is needed)
 * @param bookmarks      receive periodic bookmarks carrying the cache revision
 * @param prefix         a key prefix within the cache's prefix; null for the whole cache
 * @param predicate      objects it rejects are invisible: a change that makes an object match is ADDED, one
 *                       that makes it stop matching is DELETED
 * @param executor       runs the listener (one event at a time per watch); null for the cache's delivery pool
 */
public record WatchOptions(long afterRevision, boolean initialEvents, boolean bookmarks, ByteString prefix,
                           Predicate<KeyValue> predicate, Executor executor) {

    /** {@link #afterRevision()} meaning "from the cache's current revision". */
    public static final long NOW = -1;

    /** The default predicate: every object. */
    public static final Predicate<KeyValue> MATCH_ALL = kv -> true;

    public WatchOptions {
        if (predicate == null) {
            throw new NullPointerException("predicate must not be null");
        }
        if (afterRevision < NOW) {
            throw new IllegalArgumentException("afterRevision must be >= 0 (or NOW): " + afterRevision);
        }
        if (initialEvents && afterRevision != NOW) {
            throw new IllegalArgumentException("initial events start from the current state, not from a revision");
        }
    }

    public static WatchOptions fromNow() {
        return new WatchOptions(NOW, false, false, null, MATCH_ALL, null);
    }

    /** Changes after {@code revision}; fails with {@link WatchCacheException.GoneException} if it left the window. */
    public static WatchOptions fromRevision(long revision) {
        return new WatchOptions(revision, false, false, null, MATCH_ALL, null);
    }

    /** The current state as ADDED events, an end-of-initial-events bookmark, then changes. */
    public static WatchOptions withInitialEvents() {
        return new WatchOptions(NOW, true, true, null, MATCH_ALL, null);
    }

    public WatchOptions withBookmarks() {
        return new WatchOptions(afterRevision, initialEvents, true, prefix, predicate, executor);
    }

    public WatchOptions withPrefix(ByteString prefix) {
        return new WatchOptions(afterRevision, initialEvents, bookmarks, prefix, predicate, executor);
    }

    public WatchOptions withPrefix(String prefix) {
        return withPrefix(ByteString.copyFromUtf8(prefix));
    }

    public WatchOptions matching(Predicate<KeyValue> predicate) {
        return new WatchOptions(afterRevision, initialEvents, bookmarks, prefix, predicate, executor);
    }

    public WatchOptions deliveredOn(Executor executor) {
        return new WatchOptions(afterRevision, initialEvents, bookmarks, prefix, predicate, executor);
    }
}
