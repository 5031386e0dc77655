package io.keelson.store;

import java.util.List;

/**
 * @param succeeded whether the compares held (the success branch ran)
 * @param responses one response per op of the branch that ran, in order
 */
public record TxnResponse(ResponseHeader header, boolean succeeded, List<TxnOpResponse> responses)
        implements TxnOpResponse {
    public TxnResponse {
        responses = List.copyOf(responses);
    }
}
