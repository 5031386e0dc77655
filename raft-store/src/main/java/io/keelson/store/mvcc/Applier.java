package io.keelson.store.mvcc;

import com.google.protobuf.ByteString;
import io.keelson.store.CompactResponse;
import io.keelson.store.Compare;
import io.keelson.store.DeleteRangeRequest;
import io.keelson.store.DeleteRangeResponse;
import io.keelson.store.ErrorCode;
import io.keelson.store.Event;
import io.keelson.store.KeyRanges;
import io.keelson.store.KeyValue;
import io.keelson.store.Lease;
import io.keelson.store.MemberAlarm;
import io.keelson.store.PutRequest;
import io.keelson.store.PutResponse;
import io.keelson.store.RangeRequest;
import io.keelson.store.StoreException;
import io.keelson.store.TxnOp;
import io.keelson.store.TxnOpResponse;
import io.keelson.store.TxnRequest;
import io.keelson.store.TxnResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatchWithIndex;

/**
 * Applies the operations of one Raft entry into one write batch. Each operation that changes the
 * keyspace takes the next revision; a no-op delete or a transaction that writes nothing does not.
 * Runs on the apply thread only; deterministic, so every replica reaches the same state.
 */
final class Applier {
    private final Columns columns;
    private final WriteBatchWithIndex batch;
    private final View view;
    private final MvccStore.HeaderFactory headers;
    private final List<Event> events;
    private final List<long[]> leaseChanges; // {id, ttl}; ttl < 0 for a revoke
    private long revision;
    private long compactRevision;

    // per-operation state
    private io.keelson.store.auth.AuthState auth = io.keelson.store.auth.AuthState.empty();
    private long opRevision;
    private int sub;

    Applier(Columns columns, WriteBatchWithIndex batch, View view, long revision, long compactRevision,
            MvccStore.HeaderFactory headers, List<Event> events, List<long[]> leaseChanges) {
        this.columns = columns;
        this.batch = batch;
        this.view = view;
        this.revision = revision;
        this.compactRevision = compactRevision;
        this.headers = headers;
        this.events = events;
        this.leaseChanges = leaseChanges;
    }

    long revision() {
        return revision;
    }

    long compactRevision() {
        return compactRevision;
    }

    private Reader reader() {
        return new Reader(columns, view, revision, compactRevision);
    }

    /** Runs {@code body} as one write operation at the next revision; keeps the revision if it wrote. */
    private <T> T write(java.util.function.Supplier<T> body) {
        opRevision = revision + 1;
        sub = 0;
        T result = body.get();
        if (sub > 0) {
            revision = opRevision;
        }
        return result;
    }

    PutResponse put(PutRequest req) {
        checkPut(req, reader());
        return write(() -> doPut(req));
    }

    DeleteRangeResponse delete(DeleteRangeRequest req) {
        return write(() -> doDelete(req));
    }

    TxnResponse txn(TxnRequest req) {
        Reader before = reader();
        boolean ok = compares(before, req.compare());
        checkOps(before, ok ? req.success() : req.failure());
        return write(() -> doTxn(req, ok));
    }

    CompactResponse compact(long target) {
        if (target <= compactRevision) {
            throw new StoreException.CompactedException(compactRevision);
        }
        if (target > revision) {
            throw new StoreException.FutureRevisionException(revision);
        }
        Set<ByteString> touched = new LinkedHashSet<>();
        try (RocksIterator it = view.iterator(columns.revisions())) {
            for (it.seek(KeyCodec.revisionKey(compactRevision, 0)); it.isValid(); it.next()) {
                byte[] rk = it.key();
                if (KeyCodec.revisionOf(rk) >= target) {
                    break;
                }
                touched.add(ByteString.copyFrom(it.value()));
                deleteRaw(columns.revisions(), rk);
            }
        }
        for (ByteString key : touched) {
            compactKey(key, target);
        }
        compactRevision = target;
        return new CompactResponse(headers.header(revision));
    }

    /** Drops every version of {@code key} superseded at or before {@code target}, and a final tombstone. */
    private void compactKey(ByteString key, long target) {
        List<byte[]> older = new ArrayList<>();
        byte[] newest = null;
        boolean newestIsTombstone = false;
        byte[] end = KeyCodec.historyEnd(key, ByteString.EMPTY);
        try (RocksIterator it = view.iterator(columns.history())) {
            for (it.seek(KeyCodec.historyStart(key)); it.isValid(); it.next()) {
                byte[] hk = it.key();
                if (Arrays.compareUnsigned(hk, end) >= 0 || KeyCodec.historyRevisionOf(hk) > target) {
                    break;
                }
                if (newest != null) {
                    older.add(newest);
                }
                newest = hk;
                newestIsTombstone = KeyCodec.decode(it.value()).isTombstone();
            }
        }
        for (byte[] hk : older) {
            deleteRaw(columns.history(), hk);
        }
        if (newest != null && newestIsTombstone) {
            deleteRaw(columns.history(), newest);
        }
    }

    /** Raises or clears an alarm in {@code raised} and in the meta column; no revision is taken. */
    Boolean alarm(boolean activate, MemberAlarm alarm, Set<MemberAlarm> raised) {
        byte[] key = MvccStore.alarmKey(alarm).getBytes(StandardCharsets.UTF_8);
        if (activate) {
            putRaw(columns.meta(), key, new byte[0]);
            return raised.add(alarm);
        }
        deleteRaw(columns.meta(), key);
        return raised.remove(alarm);
    }

    /** Records a member's client URLs; no revision is taken. */
    Boolean publishMember(String name, List<String> clientUrls) {
        putRaw(columns.meta(), (MvccStore.MEMBER_PREFIX + name).getBytes(StandardCharsets.UTF_8),
                String.join("\n", clientUrls).getBytes(StandardCharsets.UTF_8));
        return Boolean.TRUE;
    }

    /** Starts from the auth state as stored; the ops of this entry change it in order. */
    void useAuth(io.keelson.store.auth.AuthState current) {
        auth = current;
    }

    io.keelson.store.auth.AuthState auth() {
        return auth;
    }

    Boolean auth(io.keelson.store.raft.proto.AuthOp op) {
        io.keelson.store.auth.AuthState next = auth.apply(op);
        if (next != auth) {
            putRaw(columns.meta(), MvccStore.AUTH_KEY, next.toProto().toByteArray());
            auth = next;
        }
        return Boolean.TRUE;
    }

    Boolean member(Command.Member m) {
        byte[] key = MvccStore.registeredKey(m.id());
        if (m.remove()) {
            deleteRaw(columns.meta(), key);
        } else {
            putRaw(columns.meta(), key, ((m.learner() ? "learner" : "voter") + "\n" + String.join("\n", m.peerUrls()))
                    .getBytes(StandardCharsets.UTF_8));
        }
        return Boolean.TRUE;
    }

    Lease.GrantResponse leaseGrant(long id, long ttl) {
        if (view.get(columns.leases(), KeyCodec.longBytes(id)) != null) {
            throw new StoreException(ErrorCode.LEASE_EXISTS);
        }
        putRaw(columns.leases(), KeyCodec.longBytes(id), KeyCodec.longBytes(ttl));
        leaseChanges.add(new long[] {id, ttl});
        return new Lease.GrantResponse(headers.header(revision), id, ttl);
    }

    Lease.RevokeResponse leaseRevoke(long id) {
        if (view.get(columns.leases(), KeyCodec.longBytes(id)) == null) {
            throw new StoreException(ErrorCode.LEASE_NOT_FOUND);
        }
        List<ByteString> keys = MvccStore.leaseKeys(view, columns, id);
        write(() -> {
            for (ByteString key : keys) {
                KeyValue prev = reader().current(key);
                if (prev != null) {
                    deleteKey(prev);
                }
            }
            return null;
        });
        deleteRaw(columns.leases(), KeyCodec.longBytes(id));
        leaseChanges.add(new long[] {id, -1});
        return new Lease.RevokeResponse(headers.header(revision));
    }

    // ---- checks that etcd makes before a write runs (so a txn fails as a whole) ----

    private void checkPut(PutRequest req, Reader r) {
        if (req.ignoreValue() || req.ignoreLease()) {
            if (r.current(req.key()) == null) {
                throw new StoreException(ErrorCode.KEY_NOT_FOUND);
            }
        }
        if (req.lease() != 0 && !req.ignoreLease()
                && view.get(columns.leases(), KeyCodec.longBytes(req.lease())) == null) {
            throw new StoreException(ErrorCode.LEASE_NOT_FOUND);
        }
    }

    private void checkOps(Reader r, List<TxnOp> ops) {
        for (TxnOp op : ops) {
            if (op instanceof PutRequest put) {
                checkPut(put, r);
            } else if (op instanceof TxnRequest nested) {
                checkOps(r, compares(r, nested.compare()) ? nested.success() : nested.failure());
            }
        }
    }

    // ---- the writes themselves, at opRevision ----

    private PutResponse doPut(PutRequest req) {
        KeyValue prev = reader().current(req.key());
        ByteString value = req.ignoreValue() ? prev.value() : req.value();
        long lease = req.ignoreLease() ? prev.lease() : req.lease();
        KeyValue kv = new KeyValue(req.key(), prev == null ? opRevision : prev.createRevision(), opRevision,
                prev == null ? 1 : prev.version() + 1, value, lease);
        byte[] rawKey = req.key().toByteArray();
        byte[] encoded = KeyCodec.encode(kv);
        putRaw(columns.kv(), rawKey, encoded);
        putRaw(columns.history(), KeyCodec.historyKey(req.key(), opRevision), encoded);
        putRaw(columns.revisions(), KeyCodec.revisionKey(opRevision, sub++), rawKey);
        if (prev != null && prev.lease() != 0 && prev.lease() != lease) {
            deleteRaw(columns.leaseKeys(), KeyCodec.leaseKey(prev.lease(), req.key()));
        }
        if (lease != 0 && (prev == null || prev.lease() != lease)) {
            putRaw(columns.leaseKeys(), KeyCodec.leaseKey(lease, req.key()), new byte[0]);
        }
        events.add(new Event(Event.Type.PUT, kv, prev));
        return new PutResponse(headers.header(opRevision), req.prevKv() ? Optional.ofNullable(prev)
                : Optional.empty());
    }

    private DeleteRangeResponse doDelete(DeleteRangeRequest req) {
        List<KeyValue> victims = reader().scanCurrent(req.key(), req.rangeEnd());
        for (KeyValue prev : victims) {
            deleteKey(prev);
        }
        long rev = victims.isEmpty() ? revision : opRevision;
        return new DeleteRangeResponse(headers.header(rev), victims.size(), req.prevKv() ? victims : List.of());
    }

    private void deleteKey(KeyValue prev) {
        byte[] rawKey = prev.key().toByteArray();
        KeyValue tombstone = KeyValue.tombstone(prev.key(), opRevision);
        deleteRaw(columns.kv(), rawKey);
        putRaw(columns.history(), KeyCodec.historyKey(prev.key(), opRevision), KeyCodec.encode(tombstone));
        putRaw(columns.revisions(), KeyCodec.revisionKey(opRevision, sub++), rawKey);
        if (prev.lease() != 0) {
            deleteRaw(columns.leaseKeys(), KeyCodec.leaseKey(prev.lease(), prev.key()));
        }
        events.add(new Event(Event.Type.DELETE, tombstone, prev));
    }

    private TxnResponse doTxn(TxnRequest req, boolean succeeded) {
        List<TxnOp> ops = succeeded ? req.success() : req.failure();
        List<TxnOpResponse> responses = new ArrayList<>(ops.size());
        for (TxnOp op : ops) {
            responses.add(runOp(op));
        }
        return new TxnResponse(headers.header(sub > 0 ? opRevision : revision), succeeded, responses);
    }

    /** etcd's rule: a compare over no keys fails on VALUE and otherwise compares a zero version. */
    private TxnOpResponse runOp(TxnOp op) {
        if (op instanceof RangeRequest range) {
            // reads inside a txn see the txn's own earlier writes
            long visible = sub > 0 ? opRevision : revision;
            return new Reader(columns, view, visible, compactRevision).range(range, headers.header(visible));
        } else if (op instanceof PutRequest put) {
            return doPut(put);
        } else if (op instanceof DeleteRangeRequest delete) {
            return doDelete(delete);
        }
        TxnRequest nested = (TxnRequest) op;
        return doTxn(nested, compares(reader(), nested.compare()));
    }

    static boolean compares(Reader r, List<Compare> compares) {
        for (Compare c : compares) {
            List<KeyValue> kvs = r.scanCurrent(c.key(), c.rangeEnd());
            if (kvs.isEmpty() && !holds(c, null)) {
                return false;
            }
            for (KeyValue kv : kvs) {
                if (!holds(c, kv)) {
                    return false;
                }
            }
        }
        return true;
    }

    private static boolean holds(Compare c, KeyValue kv) {
        int cmp;
        if (c.target() == Compare.Target.VALUE) {
            if (kv == null) {
                return false;
            }
            cmp = KeyRanges.ORDER.compare(kv.value(), c.value());
        } else {
            long actual = kv == null ? 0 : switch (c.target()) {
                case VERSION -> kv.version();
                case CREATE -> kv.createRevision();
                case MOD -> kv.modRevision();
                case LEASE -> kv.lease();
                case VALUE -> throw new AssertionError();
            };
            cmp = Long.compare(actual, c.number());
        }
        return switch (c.result()) {
            case EQUAL -> cmp == 0;
            case NOT_EQUAL -> cmp != 0;
            case GREATER -> cmp > 0;
            case LESS -> cmp < 0;
        };
    }

    private void putRaw(org.rocksdb.ColumnFamilyHandle cf, byte[] key, byte[] value) {
        try {
            batch.put(cf, key, value);
        } catch (RocksDBException e) {
            throw new StorageException("batch put failed", e);
        }
    }

    private void deleteRaw(org.rocksdb.ColumnFamilyHandle cf, byte[] key) {
        try {
            batch.delete(cf, key);
        } catch (RocksDBException e) {
            throw new StorageException("batch delete failed", e);
        }
    }
}
