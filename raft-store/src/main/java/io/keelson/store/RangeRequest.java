package io.keelson.store;

import com.google.protobuf.ByteString;

/**
 * A read of one key or of {@code [key, rangeEnd)}, as etcd's {@code RangeRequest}. Build with
 * {@link #key}, {@link #prefix}, {@link #range}, {@link #fromKey} or {@link #all}, then refine:
 * {@code RangeRequest.prefix(k).atRevision(r).limit(100)}.
 *
 * @param rangeEnd empty for a single key; {@link KeyRanges#FROM_KEY} for every key from {@code key}
 * @param limit    0 for no limit; otherwise at most this many keys, with {@code more} set when cut
 * @param revision 0 for the current revision; otherwise a historical read at that revision
 */
public record RangeRequest(ByteString key, ByteString rangeEnd, long limit, long revision, SortOrder sortOrder,
                           SortTarget sortTarget, boolean serializable, boolean keysOnly, boolean countOnly,
                           long minModRevision, long maxModRevision, long minCreateRevision,
                           long maxCreateRevision) implements TxnOp {

    /** Order of the returned keys. {@code NONE} means ascending by key. */
    public enum SortOrder { NONE, ASCEND, DESCEND }

    /** What the keys are sorted by. */
    public enum SortTarget { KEY, VERSION, CREATE, MOD, VALUE }

    public RangeRequest {
        if (key == null || rangeEnd == null || sortOrder == null || sortTarget == null) {
            throw new NullPointerException("key, rangeEnd, sortOrder and sortTarget must not be null");
        }
        if (limit < 0) {
            throw new IllegalArgumentException("limit must be >= 0: " + limit);
        }
    }

    public static RangeRequest key(ByteString key) {
        return range(key, ByteString.EMPTY);
    }

    public static RangeRequest key(String key) {
        return key(ByteString.copyFromUtf8(key));
    }

    public static RangeRequest range(ByteString key, ByteString rangeEnd) {
        return new RangeRequest(key, rangeEnd, 0, 0, SortOrder.NONE, SortTarget.KEY, false, false, false,
                0, 0, 0, 0);
    }

    public static RangeRequest prefix(ByteString prefix) {
        return range(prefix, KeyRanges.prefixEnd(prefix));
    }

    public static RangeRequest prefix(String prefix) {
        return prefix(ByteString.copyFromUtf8(prefix));
    }

    public static RangeRequest fromKey(ByteString key) {
        return range(key, KeyRanges.FROM_KEY);
    }

    /** Every key in the store. */
    public static RangeRequest all() {
        return range(KeyRanges.FROM_KEY, KeyRanges.FROM_KEY);
    }

    public RangeRequest limit(long limit) {
        return new RangeRequest(key, rangeEnd, limit, revision, sortOrder, sortTarget, serializable, keysOnly,
                countOnly, minModRevision, maxModRevision, minCreateRevision, maxCreateRevision);
    }

    public RangeRequest atRevision(long revision) {
        return new RangeRequest(key, rangeEnd, limit, revision, sortOrder, sortTarget, serializable, keysOnly,
                countOnly, minModRevision, maxModRevision, minCreateRevision, maxCreateRevision);
    }

    public RangeRequest sort(SortOrder order, SortTarget target) {
        return new RangeRequest(key, rangeEnd, limit, revision, order, target, serializable, keysOnly,
                countOnly, minModRevision, maxModRevision, minCreateRevision, maxCreateRevision);
    }

    /** Served from the local member without a ReadIndex round; may be stale on a follower. */
    public RangeRequest withSerializable() {
        return new RangeRequest(key, rangeEnd, limit, revision, sortOrder, sortTarget, true, keysOnly,
                countOnly, minModRevision, maxModRevision, minCreateRevision, maxCreateRevision);
    }

    public RangeRequest withKeysOnly() {
        return new RangeRequest(key, rangeEnd, limit, revision, sortOrder, sortTarget, serializable, true,
                countOnly, minModRevision, maxModRevision, minCreateRevision, maxCreateRevision);
    }

    public RangeRequest withCountOnly() {
        return new RangeRequest(key, rangeEnd, limit, revision, sortOrder, sortTarget, serializable, keysOnly,
                true, minModRevision, maxModRevision, minCreateRevision, maxCreateRevision);
    }

    /** Only keys whose mod revision lies in {@code [min, max]}; 0 leaves a side open. */
    public RangeRequest modRevisionBetween(long min, long max) {
        return new RangeRequest(key, rangeEnd, limit, revision, sortOrder, sortTarget, serializable, keysOnly,
                countOnly, min, max, minCreateRevision, maxCreateRevision);
    }

    /** Only keys whose create revision lies in {@code [min, max]}; 0 leaves a side open. */
    public RangeRequest createRevisionBetween(long min, long max) {
        return new RangeRequest(key, rangeEnd, limit, revision, sortOrder, sortTarget, serializable, keysOnly,
                countOnly, minModRevision, maxModRevision, min, max);
    }
}
