package io.keelson.store.mvcc;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.keelson.store.KeyRanges;
import io.keelson.store.KeyValue;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Byte layouts of the RocksDB column families.
 *
 * <ul>
 *   <li>history: {@code escape(key) rev(8, big-endian)}. The escape keeps byte order and makes keys
 *       prefix-free (0x00 becomes 0x00 0xff, the key ends with 0x00 0x01), so all versions of one key
 *       are adjacent and sorted by revision, and keys keep etcd's order.</li>
 *   <li>revisions: {@code rev(8) sub(4)} to the raw key, for watch replay and compaction.</li>
 *   <li>lease keys: {@code leaseId(8) key}.</li>
 * </ul>
 */
final class KeyCodec {
    private KeyCodec() {
    }

    static byte[] escape(ByteString key, int extra) {
        int zeros = 0;
        for (int i = 0; i < key.size(); i++) {
            if (key.byteAt(i) == 0) {
                zeros++;
            }
        }
        byte[] out = new byte[key.size() + zeros + 2 + extra];
        int p = 0;
        for (int i = 0; i < key.size(); i++) {
            byte b = key.byteAt(i);
            out[p++] = b;
            if (b == 0) {
                out[p++] = (byte) 0xff;
            }
        }
        out[p++] = 0;
        out[p] = 1;
        return out;
    }

    /** History key of {@code key} at {@code revision}. */
    static byte[] historyKey(ByteString key, long revision) {
        byte[] out = escape(key, 8);
        putLong(out, out.length - 8, revision);
        return out;
    }

    /** Start of the history of every key at or after {@code key}. */
    static byte[] historyStart(ByteString key) {
        return escape(key, 0);
    }

    /**
     * Exclusive end of the history of {@code [key, rangeEnd)}; null for no bound. A single-key range
     * ends just after that key's versions.
     */
    static byte[] historyEnd(ByteString key, ByteString rangeEnd) {
        if (rangeEnd.isEmpty()) {
            byte[] start = escape(key, 0);
            start[start.length - 1] = 2; // just past every "key 0x00 0x01 rev"
            return start;
        }
        if (rangeEnd.equals(KeyRanges.FROM_KEY)) {
            return null;
        }
        return escape(rangeEnd, 0);
    }

    /** Decodes the key part of a history key. */
    static ByteString historyKeyOf(byte[] historyKey) {
        byte[] out = new byte[historyKey.length - 10];
        int p = 0;
        for (int i = 0; i < historyKey.length - 10; i++) {
            out[p++] = historyKey[i];
            if (historyKey[i] == 0) {
                i++; // skip the 0xff escape
            }
        }
        return ByteString.copyFrom(out, 0, p);
    }

    static long historyRevisionOf(byte[] historyKey) {
        return getLong(historyKey, historyKey.length - 8);
    }

    static byte[] revisionKey(long revision, int sub) {
        byte[] out = new byte[12];
        putLong(out, 0, revision);
        ByteBuffer.wrap(out, 8, 4).putInt(sub);
        return out;
    }

    static long revisionOf(byte[] revisionKey) {
        return getLong(revisionKey, 0);
    }

    static byte[] leaseKey(long leaseId, ByteString key) {
        byte[] out = new byte[8 + key.size()];
        putLong(out, 0, leaseId);
        key.copyTo(out, 8);
        return out;
    }

    static byte[] longBytes(long value) {
        byte[] out = new byte[8];
        putLong(out, 0, value);
        return out;
    }

    static void putLong(byte[] out, int offset, long value) {
        ByteBuffer.wrap(out, offset, 8).putLong(value);
    }

    static long getLong(byte[] in, int offset) {
        return ByteBuffer.wrap(in, offset, 8).getLong();
    }

    static byte[] encode(KeyValue kv) {
        return io.keelson.store.raft.proto.KeyValue.newBuilder()
                .setKey(kv.key())
                .setCreateRevision(kv.createRevision())
                .setModRevision(kv.modRevision())
                .setVersion(kv.version())
                .setValue(kv.value())
                .setLease(kv.lease())
                .build()
                .toByteArray();
    }

    static KeyValue decode(byte[] bytes) {
        try {
            var p = io.keelson.store.raft.proto.KeyValue.parseFrom(bytes);
            return new KeyValue(p.getKey(), p.getCreateRevision(), p.getModRevision(), p.getVersion(),
                    p.getValue(), p.getLease());
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("corrupt key-value record: " + Arrays.toString(bytes), e);
        }
    }
}
