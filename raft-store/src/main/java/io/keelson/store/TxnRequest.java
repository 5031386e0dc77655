package io.keelson.store;

import java.util.List;

/**
 * An atomic transaction, as etcd's {@code TxnRequest}: if every compare holds, the success ops run,
 * otherwise the failure ops. All writes of one transaction share one revision; a transaction that
 * writes nothing does not advance the revision.
 */
public record TxnRequest(List<Compare> compare, List<TxnOp> success, List<TxnOp> failure) implements TxnOp {

    public TxnRequest {
        compare = List.copyOf(compare);
        success = List.copyOf(success);
        failure = List.copyOf(failure);
    }

    public static TxnRequest of(List<Compare> compare, List<TxnOp> success, List<TxnOp> failure) {
        return new TxnRequest(compare, success, failure);
    }

    /** Whether no op in either branch (nested ones included) writes. */
    public boolean isReadOnly() {
        return readOnly(success) && readOnly(failure);
    }

    private static boolean readOnly(List<TxnOp> ops) {
        for (TxnOp op : ops) {
            if (op instanceof PutRequest || op instanceof DeleteRangeRequest) {
                return false;
            }
            if (op instanceof TxnRequest nested && !nested.isReadOnly()) {
                return false;
            }
        }
        return true;
    }
}
