package io.keelson.store;

/**
 * A request the store refused or could not complete. The message is etcd's text for the same error;
 * {@link #code()} identifies it without string matching. The store keeps serving after any of them.
 */
public class StoreException extends RuntimeException {
    private final ErrorCode code;

    public StoreException(ErrorCode code) {
        this(code, code.message(), null);
    }

    public StoreException(ErrorCode code, Throwable cause) {
        this(code, code.message(), cause);
    }

    protected StoreException(ErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }

    /** A read or watch asked for a revision that compaction has removed. */
    public static final class CompactedException extends StoreException {
        private final long compactRevision;

        public CompactedException(long compactRevision) {
            super(ErrorCode.COMPACTED);
            this.compactRevision = compactRevision;
        }

        /** The store's compact revision: the oldest revision still readable. */
        public long compactRevision() {
            return compactRevision;
        }
    }

    /** A read asked for a revision the store has not reached yet. */
    public static final class FutureRevisionException extends StoreException {
        private final long currentRevision;

        public FutureRevisionException(long currentRevision) {
            super(ErrorCode.FUTURE_REVISION);
            this.currentRevision = currentRevision;
        }

        /** The store's revision when the request was refused. */
        public long currentRevision() {
            return currentRevision;
        }
    }
}
