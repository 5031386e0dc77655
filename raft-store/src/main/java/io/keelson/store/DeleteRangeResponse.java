package io.keelson.store;

import java.util.List;

/**
 * @param deleted number of keys deleted
 * @param prevKvs the deleted versions when asked for
 */
public record DeleteRangeResponse(ResponseHeader header, long deleted, List<KeyValue> prevKvs)
        implements TxnOpResponse {
    public DeleteRangeResponse {
        prevKvs = List.copyOf(prevKvs);
    }
}
