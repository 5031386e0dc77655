package io.keelson.kernel;

import io.fabric8.kubernetes.api.model.Status;

/**
 * One event of a {@link ResourceWatch}. A watch always ends with exactly one ERROR or CLOSED event.
 *
 * @param type             what happened
 * @param object           ADDED/MODIFIED: the new object; DELETED: the last state (for an object that stopped
 *                         matching, its state before the change); null for the others
 * @param resourceVersion  the event's resourceVersion; for a bookmark, everything up to it has been delivered
 * @param initialEventsEnd a bookmark that closes the initial state
 * @param status           ERROR: why the watch failed (410 {@code Expired}: list again); CLOSED: a Success
 *                         Status whose message says why it ended (closed, too slow, kernel closed)
 */
public record WatchEvent<T>(Type type, T object, String resourceVersion, boolean initialEventsEnd, Status status) {
    /** Kubernetes' watch event types, and CLOSED for the end of a watch that did not fail. */
    public enum Type { ADDED, MODIFIED, DELETED, BOOKMARK, ERROR, CLOSED }

    /** Whether the object changed (ADDED, MODIFIED or DELETED). */
    public boolean isChange() {
        return type == Type.ADDED || type == Type.MODIFIED || type == Type.DELETED;
    }
}
