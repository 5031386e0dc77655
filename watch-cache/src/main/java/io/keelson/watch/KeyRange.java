package io.keelson.watch;

import com.google.protobuf.ByteString;
import io.keelson.store.KeyRanges;

/** The keys {@code [start, end)} a list or watch covers: a prefix within the cache's prefix. */
record KeyRange(ByteString start, ByteString end) {

    /** The range of {@code prefix} (null for the cache's own), refused when it leaves {@code cachePrefix}. */
    static KeyRange of(ByteString cachePrefix, ByteString prefix) {
        ByteString p = prefix == null ? cachePrefix : prefix;
        if (!p.startsWith(cachePrefix)) {
            throw new IllegalArgumentException("prefix '" + p.toStringUtf8() + "' lies outside the cache's prefix '"
                    + cachePrefix.toStringUtf8() + "'");
        }
        return new KeyRange(p, KeyRanges.prefixEnd(p));
    }

    /** Whether {@code end} is unbounded (the prefix was all 0xff bytes). */
    boolean openEnded() {
        return end.equals(KeyRanges.FROM_KEY);
    }
}
