package io.keelson.store;

import com.google.protobuf.ByteString;

/**
 * A watch on one key or on {@code [key, rangeEnd)}, as etcd's {@code WatchCreateRequest}.
 *
 * @param startRevision   0 for "from now"; otherwise the first revision to deliver (a past one
 *                        replays history, a future one waits)
 * @param prevKv          deliver each change's previous version
 * @param noPut           filter out PUT events
 * @param noDelete        filter out DELETE events
 * @param progressNotify  receive periodic progress responses while idle
 */
public record WatchRequest(ByteString key, ByteString rangeEnd, long startRevision, boolean prevKv, boolean noPut,
                           boolean noDelete, boolean progressNotify) {

    public WatchRequest {
        if (key == null || rangeEnd == null) {
            throw new NullPointerException("key and rangeEnd must not be null");
        }
        if (startRevision < 0) {
            throw new IllegalArgumentException("startRevision must be >= 0: " + startRevision);
        }
    }

    public static WatchRequest key(ByteString key) {
        return new WatchRequest(key, ByteString.EMPTY, 0, false, false, false, false);
    }

    public static WatchRequest key(String key) {
        return key(ByteString.copyFromUtf8(key));
    }

    public static WatchRequest prefix(ByteString prefix) {
        return range(prefix, KeyRanges.prefixEnd(prefix));
    }

    public static WatchRequest prefix(String prefix) {
        return prefix(ByteString.copyFromUtf8(prefix));
    }

    public static WatchRequest range(ByteString key, ByteString rangeEnd) {
        return new WatchRequest(key, rangeEnd, 0, false, false, false, false);
    }

    /** Every key. */
    public static WatchRequest all() {
        return range(KeyRanges.FROM_KEY, KeyRanges.FROM_KEY);
    }

    public WatchRequest fromRevision(long revision) {
        return new WatchRequest(key, rangeEnd, revision, prevKv, noPut, noDelete, progressNotify);
    }

    public WatchRequest withPrevKv() {
        return new WatchRequest(key, rangeEnd, startRevision, true, noPut, noDelete, progressNotify);
    }

    public WatchRequest withoutPuts() {
        return new WatchRequest(key, rangeEnd, startRevision, prevKv, true, noDelete, progressNotify);
    }

    public WatchRequest withoutDeletes() {
        return new WatchRequest(key, rangeEnd, startRevision, prevKv, noPut, true, progressNotify);
    }

    public WatchRequest withProgressNotify() {
        return new WatchRequest(key, rangeEnd, startRevision, prevKv, noPut, noDelete, true);
    }
}
