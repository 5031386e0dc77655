package io.keelson.store.raft;

import com.google.protobuf.ByteString;
import io.keelson.store.Compare;
import io.keelson.store.DeleteRangeRequest;
import io.keelson.store.ErrorCode;
import io.keelson.store.KeyRanges;
import io.keelson.store.PutRequest;
import io.keelson.store.RangeRequest;
import io.keelson.store.StoreException;
import io.keelson.store.TxnOp;
import io.keelson.store.TxnRequest;
import io.keelson.store.WatchRequest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.LongPredicate;

/**
 * The checks etcd makes before a request is proposed: nothing that fails them reaches the log.
 * Size is checked by the caller on the encoded entry op.
 */
final class RequestCheck {
    private final int maxTxnOps;
    private final LongPredicate leaseExists;

    RequestCheck(int maxTxnOps, LongPredicate leaseExists) {
        this.maxTxnOps = maxTxnOps;
        this.leaseExists = leaseExists;
    }

    void range(RangeRequest r) {
        requireKey(r.key());
    }

    void put(PutRequest p) {
        shape(p);
        if (p.lease() != 0 && !leaseExists.test(p.lease())) {
            throw new StoreException(ErrorCode.LEASE_NOT_FOUND);
        }
    }

    /**
     * What etcd checks of a put before it is proposed; whether its lease exists is checked when it is applied,
     * and in a transaction only for the branch that runs (a compare that fails skips a put with a gone lease).
     */
    private void shape(PutRequest p) {
        requireKey(p.key());
        if (p.ignoreValue() && !p.value().isEmpty()) {
            throw new StoreException(ErrorCode.VALUE_PROVIDED);
        }
        if (p.ignoreLease() && p.lease() != 0) {
            throw new StoreException(ErrorCode.LEASE_PROVIDED);
        }
    }

    void watch(WatchRequest w) {
        requireKey(w.key());
        if (!w.rangeEnd().isEmpty() && !KeyRanges.contains(w.key(), w.rangeEnd(), w.key())) {
            throw new StoreException(ErrorCode.EMPTY_WATCH_RANGE);
        }
    }

    void delete(DeleteRangeRequest d) {
        requireKey(d.key());
    }

    void txn(TxnRequest t) {
        if (t.compare().size() > maxTxnOps || t.success().size() > maxTxnOps || t.failure().size() > maxTxnOps) {
            throw new StoreException(ErrorCode.TOO_MANY_TXN_OPS);
        }
        for (Compare c : t.compare()) {
            requireKey(c.key());
        }
        ops(t.success());
        ops(t.failure());
        writes(t.success());
        writes(t.failure());
    }

    private void ops(List<TxnOp> ops) {
        for (TxnOp op : ops) {
            if (op instanceof RangeRequest r) {
                range(r);
            } else if (op instanceof PutRequest p) {
                shape(p);
            } else if (op instanceof DeleteRangeRequest d) {
                delete(d);
            } else {
                txn((TxnRequest) op);
            }
        }
    }

    /** The keys a branch puts and the ranges it deletes, nested transactions included. */
    private record Writes(Set<ByteString> puts, List<DeleteRangeRequest> deletes) {
    }

    /** etcd's rule: one branch may not write a key twice, nor put a key it also deletes. */
    private static Writes writes(List<TxnOp> branch) {
        Set<ByteString> puts = new HashSet<>();
        List<DeleteRangeRequest> deletes = new ArrayList<>();
        List<Writes> nested = new ArrayList<>();
        for (TxnOp op : branch) {
            if (op instanceof PutRequest p) {
                if (!puts.add(p.key())) {
                    throw new StoreException(ErrorCode.DUPLICATE_KEY);
                }
            } else if (op instanceof DeleteRangeRequest d) {
                deletes.add(d);
            } else if (op instanceof TxnRequest t) {
                Writes success = writes(t.success());
                Writes failure = writes(t.failure());
                // only one of the two nested branches runs, so they may overlap each other
                Set<ByteString> either = new HashSet<>(success.puts());
                either.addAll(failure.puts());
                List<DeleteRangeRequest> eitherDeletes = new ArrayList<>(success.deletes());
                eitherDeletes.addAll(failure.deletes());
                nested.add(new Writes(either, eitherDeletes));
            }
        }
        for (Writes n : nested) {
            for (ByteString key : n.puts()) {
                if (puts.contains(key) || inAny(deletes, key)) {
                    throw new StoreException(ErrorCode.DUPLICATE_KEY);
                }
            }
            for (ByteString key : puts) {
                if (inAny(n.deletes(), key)) {
                    throw new StoreException(ErrorCode.DUPLICATE_KEY);
                }
            }
        }
        for (ByteString key : puts) {
            if (inAny(deletes, key)) {
                throw new StoreException(ErrorCode.DUPLICATE_KEY);
            }
        }
        Set<ByteString> allPuts = new HashSet<>(puts);
        List<DeleteRangeRequest> allDeletes = new ArrayList<>(deletes);
        for (Writes n : nested) {
            allPuts.addAll(n.puts());
            allDeletes.addAll(n.deletes());
        }
        return new Writes(allPuts, allDeletes);
    }

    private static boolean inAny(List<DeleteRangeRequest> deletes, ByteString key) {
        for (DeleteRangeRequest d : deletes) {
            if (KeyRanges.contains(d.key(), d.rangeEnd(), key)) {
                return true;
            }
        }
        return false;
    }

    private static void requireKey(ByteString key) {
        if (key.isEmpty()) {
            throw new StoreException(ErrorCode.EMPTY_KEY);
        }
    }
}
