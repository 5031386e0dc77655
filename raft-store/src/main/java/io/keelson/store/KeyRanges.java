package io.keelson.store;

import com.google.protobuf.ByteString;
import java.util.Comparator;

/** etcd's key-range conventions, shared by reads, deletes, compares and (later) watches. */
public final class KeyRanges {
    /** A range end of a single zero byte: every key at or after the start key. */
    public static final ByteString FROM_KEY = ByteString.copyFrom(new byte[] {0});

    /**
     * etcd's key order: lexicographic over unsigned bytes. Protobuf's own comparator boxes every byte it
     * compares, which showed in profiles of ordered maps holding many keys with a long shared prefix.
     */
    public static final Comparator<ByteString> ORDER = KeyRanges::compare;

    private KeyRanges() {
    }

    private static int compare(ByteString a, ByteString b) {
        int n = Math.min(a.size(), b.size());
        for (int i = 0; i < n; i++) {
            int d = Byte.toUnsignedInt(a.byteAt(i)) - Byte.toUnsignedInt(b.byteAt(i));
            if (d != 0) {
                return d;
            }
        }
        return a.size() - b.size();
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
        if (ORDER.compare(key, start) < 0) {
            return false;
        }
        return end.equals(FROM_KEY) || ORDER.compare(key, end) < 0;
    }
}
