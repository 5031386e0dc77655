package io.keelson.store;

import com.google.protobuf.ByteString;

/** etcd's key-range conventions, shared by reads, deletes, compares and (later) watches. */
public final class KeyRanges {
    /** A range end of a single zero byte: every key at or after the start key. */
    public static final ByteString FROM_KEY = ByteString.copyFrom(new byte[] {0});

    private KeyRanges() {
    }

    /**
     * The range end that selects every key starting with {@code prefix}: the prefix with its last
     * byte below 0xff incremented and what follows dropped, or {@link #FROM_KEY} when there is none.
     */
    public static ByteString prefixEnd(ByteString prefix) {
        byte[] end = prefix.toByteArray();
        for (int i = end.length - 1; i >= 0; i--) {
            if (end[i] != (byte) 0xff) {
                end[i]++;
                return ByteString.copyFrom(end, 0, i + 1);
            }
        }
        return FROM_KEY;
    }

    /** Whether {@code key} lies in {@code [start, end)} with etcd's meaning of an empty or zero end. */
    public static boolean contains(ByteString start, ByteString end, ByteString key) {
        if (end.isEmpty()) {
            return key.equals(start);
        }
        if (ByteString.unsignedLexicographicalComparator().compare(key, start) < 0) {
            return false;
        }
        return end.equals(FROM_KEY) || ByteString.unsignedLexicographicalComparator().compare(key, end) < 0;
    }
}
