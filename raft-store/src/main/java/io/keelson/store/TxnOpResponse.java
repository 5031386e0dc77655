package io.keelson.store;

/** The result of one {@link TxnOp}, in the order of the branch that ran. */
public sealed interface TxnOpResponse permits RangeResponse, PutResponse, DeleteRangeResponse, TxnResponse {
    ResponseHeader header();
}
