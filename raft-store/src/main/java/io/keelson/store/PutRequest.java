package io.keelson.store;

import com.google.protobuf.ByteString;

/**
 * A write of one key, as etcd's {@code PutRequest}.
 *
 * @param lease       lease to attach, 0 for none
 * @param prevKv      return the key's previous version
 * @param ignoreValue keep the current value (the key must exist; {@code value} must be empty)
 * @param ignoreLease keep the current lease (the key must exist; {@code lease} must be 0)
 */
public record PutRequest(ByteString key, ByteString value, long lease, boolean prevKv, boolean ignoreValue,
                         boolean ignoreLease) implements TxnOp {

    public PutRequest {
        if (key == null || value == null) {
            throw new NullPointerException("key and value must not be null");
        }
    }

    public static PutRequest of(ByteString key, ByteString value) {
        return new PutRequest(key, value, 0, false, false, false);
    }

    public static PutRequest of(String key, String value) {
        return of(ByteString.copyFromUtf8(key), ByteString.copyFromUtf8(value));
    }

    public PutRequest withLease(long lease) {
        return new PutRequest(key, value, lease, prevKv, ignoreValue, ignoreLease);
    }

    public PutRequest withPrevKv() {
        return new PutRequest(key, value, lease, true, ignoreValue, ignoreLease);
    }

    public PutRequest ignoringValue() {
        return new PutRequest(key, value, lease, prevKv, true, ignoreLease);
    }

    public PutRequest ignoringLease() {
        return new PutRequest(key, value, lease, prevKv, ignoreValue, true);
    }
}
