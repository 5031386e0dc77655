package io.keelson.store;

import com.google.protobuf.ByteString;

/**
 * One guard of a transaction, as etcd's {@code Compare}: every key in {@code [key, rangeEnd)} (or the
 * single key) must satisfy {@code target result operand}. A missing key has version, create and mod
 * revision 0, lease 0, and fails every value comparison.
 *
 * @param number  the operand for VERSION, CREATE, MOD and LEASE
 * @param value   the operand for VALUE
 */
public record Compare(ByteString key, ByteString rangeEnd, Target target, Result result, long number,
                      ByteString value) {

    public enum Target { VERSION, CREATE, MOD, VALUE, LEASE }

    public enum Result { EQUAL, GREATER, LESS, NOT_EQUAL }

    public Compare {
        if (key == null || rangeEnd == null || target == null || result == null || value == null) {
            throw new NullPointerException("compare fields must not be null");
        }
    }

    public static Compare version(ByteString key, Result result, long version) {
        return new Compare(key, ByteString.EMPTY, Target.VERSION, result, version, ByteString.EMPTY);
    }

    public static Compare createRevision(ByteString key, Result result, long revision) {
        return new Compare(key, ByteString.EMPTY, Target.CREATE, result, revision, ByteString.EMPTY);
    }

    public static Compare modRevision(ByteString key, Result result, long revision) {
        return new Compare(key, ByteString.EMPTY, Target.MOD, result, revision, ByteString.EMPTY);
    }

    public static Compare value(ByteString key, Result result, ByteString value) {
        return new Compare(key, ByteString.EMPTY, Target.VALUE, result, 0, value);
    }

    public static Compare lease(ByteString key, Result result, long lease) {
        return new Compare(key, ByteString.EMPTY, Target.LEASE, result, lease, ByteString.EMPTY);
    }

    /** The same comparison over {@code [key, rangeEnd)}. */
    public Compare overRange(ByteString rangeEnd) {
        return new Compare(key, rangeEnd, target, result, number, value);
    }
}
