package io.keelson.watch;

import io.keelson.store.KeyValue;

/**
 * One message of a {@link CacheWatch}. A watch delivers changes in revision order (those of one revision
 * together), bookmarks, and always ends with exactly one {@link Type#ENDED} event, after which nothing follows.
 *
 * @param type      what happened
 * @param object    ADDED/MODIFIED: the new version; DELETED: the last version before the delete (or, for
 *                  an object that stopped matching the watch's predicate, its version before the change)
 * @param previous  MODIFIED/DELETED: the version before the change; null otherwise
 * @param revision  the revision of the change; for a bookmark or an end, the revision the consumer has
 *                  everything up to (resume after it); 0 on an end that left no resumable point
 * @param initialEventsEnd for a bookmark: it closes the initial state of a watch that asked for one
 * @param endReason ENDED only: why
 * @param message   ENDED only: a human-readable explanation
 */
public record CacheEvent(Type type, KeyValue object, KeyValue previous, long revision, boolean initialEventsEnd,
                         EndReason endReason, String message) {

    public enum Type {
        /** The object is new to this watch (created, or it started matching, or initial state). */
        ADDED,
        /** The object changed and still matches. */
        MODIFIED,
        /** The object was deleted, or stopped matching. */
        DELETED,
        /** Progress: everything up to {@link #revision()} has been delivered. */
        BOOKMARK,
        /** The watch is over; see {@link #endReason()}. */
        ENDED
    }

    /** Why a watch ended. */
    public enum EndReason {
        /** The consumer closed it. */
        CLOSED,
        /** The consumer did not keep up: its buffer stayed full too long or fell out of the event window. */
        TOO_SLOW,
        /** The cache lost the watch's resume point (it re-listed from the store); list again. */
        GONE,
        /** The listener (or the watch's predicate) threw. */
        LISTENER_FAILED,
        /** The cache was closed. */
        CACHE_CLOSED
    }

    static CacheEvent change(Type type, KeyValue object, KeyValue previous, long revision) {
        return new CacheEvent(type, object, previous, revision, false, null, "");
    }

    static CacheEvent bookmark(long revision, boolean initialEventsEnd) {
        return new CacheEvent(Type.BOOKMARK, null, null, revision, initialEventsEnd, null, "");
    }

    static CacheEvent ended(EndReason reason, String message, long revision) {
        return new CacheEvent(Type.ENDED, null, null, revision, false, reason, message);
    }

    /** Whether this is a change (ADDED, MODIFIED or DELETED) rather than a bookmark or an end. */
    public boolean isChange() {
        return type == Type.ADDED || type == Type.MODIFIED || type == Type.DELETED;
    }
}
