package io.keelson.store;

import com.google.protobuf.ByteString;

/**
 * One version of a key, as etcd's {@code mvccpb.KeyValue}.
 *
 * @param key            the key, never empty
 * @param createRevision revision of the put that last created the key
 * @param modRevision    revision of the last change (for a tombstone: the delete revision)
 * @param version        1 on create, +1 per put; 0 for a tombstone
 * @param value          the value (empty for keys-only reads and tombstones)
 * @param lease          attached lease id, 0 for none
 */
public record KeyValue(ByteString key, long createRevision, long modRevision, long version, ByteString value,
                       long lease) {

    public KeyValue {
        if (key == null || value == null) {
            throw new NullPointerException("key and value must not be null");
        }
    }

    /** The tombstone a delete at {@code revision} leaves for {@code key}. */
    public static KeyValue tombstone(ByteString key, long revision) {
        return new KeyValue(key, 0, revision, 0, ByteString.EMPTY, 0);
    }

    public boolean isTombstone() {
        return version == 0;
    }

    /** The key as UTF-8 text (for logs, examples and tests). */
    public String keyUtf8() {
        return key.toStringUtf8();
    }

    /** The value as UTF-8 text. */
    public String valueUtf8() {
        return value.toStringUtf8();
    }

    /** This version without its value (as keys-only reads return it). */
    public KeyValue withoutValue() {
        return new KeyValue(key, createRevision, modRevision, version, ByteString.EMPTY, lease);
    }
}
