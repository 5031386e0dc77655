package io.keelson.store;

import com.google.protobuf.ByteString;

/**
 * A delete of one key or of {@code [key, rangeEnd)}, as etcd's {@code DeleteRangeRequest}. Deleting
 * nothing does not advance the store revision.
 */
public record DeleteRangeRequest(ByteString key, ByteString rangeEnd, boolean prevKv) implements TxnOp {

    public DeleteRangeRequest {
        if (key == null || rangeEnd == null) {
            throw new NullPointerException("key and rangeEnd must not be null");
        }
    }

    public static DeleteRangeRequest key(ByteString key) {
        return new DeleteRangeRequest(key, ByteString.EMPTY, false);
    }

    public static DeleteRangeRequest key(String key) {
        return key(ByteString.copyFromUtf8(key));
    }

    public static DeleteRangeRequest range(ByteString key, ByteString rangeEnd) {
        return new DeleteRangeRequest(key, rangeEnd, false);
    }

    public static DeleteRangeRequest prefix(ByteString prefix) {
        return new DeleteRangeRequest(prefix, KeyRanges.prefixEnd(prefix), false);
    }

    public static DeleteRangeRequest prefix(String prefix) {
        return prefix(ByteString.copyFromUtf8(prefix));
    }

    public DeleteRangeRequest withPrevKv() {
        return new DeleteRangeRequest(key, rangeEnd, true);
    }
}
