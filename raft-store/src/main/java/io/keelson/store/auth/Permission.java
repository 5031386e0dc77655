package io.keelson.store.auth;

import com.google.protobuf.ByteString;

/**
 * A key permission of a role, as etcd's: read, write or both on one key ({@code rangeEnd} empty), on the keys in
 * {@code [key, rangeEnd)}, or on every key from {@code key} ({@code rangeEnd} the single byte 0).
 */
public record Permission(Type type, ByteString key, ByteString rangeEnd) {
    /** etcd's permission types, in its numbering. */
    public enum Type {
        READ, WRITE, READWRITE;

        /** Whether a permission of this type allows access of type {@code needed} (READ or WRITE). */
        public boolean allows(Type needed) {
            return this == READWRITE || this == needed;
        }
    }

    public Permission {
        if (type == null || key == null || rangeEnd == null) {
            throw new IllegalArgumentException("a permission needs a type, a key and a range end");
        }
    }

    /** Whether it names the same keys as {@code other} (etcd replaces such a permission when granting one). */
    public boolean sameKeys(Permission other) {
        return key.equals(other.key) && rangeEnd.equals(other.rangeEnd);
    }
}
