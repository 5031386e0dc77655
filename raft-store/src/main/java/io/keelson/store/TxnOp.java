package io.keelson.store;

/** One operation inside a transaction branch: a range, a put, a delete or a nested transaction. */
public sealed interface TxnOp permits RangeRequest, PutRequest, DeleteRangeRequest, TxnRequest {
}
