package io.keelson.watch;

/** A list or watch the cache could not serve. Unchecked, with its data in fields. */
public class WatchCacheException extends RuntimeException {

    WatchCacheException(String message) {
        super(message);
    }

    WatchCacheException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * The requested revision (a watch's resume point or a continue token) is older than the cache's event
     * window (HTTP 410 in Kubernetes): list again and watch from the new list's revision.
     */
    public static final class GoneException extends WatchCacheException {
        private final long requestedRevision;
        private final long oldestRevision;

        GoneException(long requestedRevision, long oldestRevision) {
            super("too old resource version: " + requestedRevision + " (oldest available: " + oldestRevision + ")");
            this.requestedRevision = requestedRevision;
            this.oldestRevision = oldestRevision;
        }

        public long requestedRevision() {
            return requestedRevision;
        }

        /** The oldest revision a watch can resume after now. */
        public long oldestRevision() {
            return oldestRevision;
        }
    }

    /** The cache did not reach a requested revision within the wait timeout (it may be cut off from the store). */
    public static final class RevisionTimeoutException extends WatchCacheException {
        private final long requestedRevision;
        private final long cacheRevision;

        RevisionTimeoutException(long requestedRevision, long cacheRevision, java.time.Duration waited) {
            super("too large resource version: " + requestedRevision + " (cache is at " + cacheRevision
                    + " after waiting " + waited.toMillis() + " ms)");
            this.requestedRevision = requestedRevision;
            this.cacheRevision = cacheRevision;
        }

        public long requestedRevision() {
            return requestedRevision;
        }

        public long cacheRevision() {
            return cacheRevision;
        }
    }

    /** The cache is closed, or could not load from its source. */
    public static final class UnavailableException extends WatchCacheException {
        UnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
