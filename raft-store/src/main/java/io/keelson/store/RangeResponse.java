package io.keelson.store;

import java.util.List;

/**
 * @param kvs   the keys read (none for count-only)
 * @param more  whether {@code limit} cut the result
 * @param count number of keys in the range (before the limit)
 */
public record RangeResponse(ResponseHeader header, List<KeyValue> kvs, boolean more, long count)
        implements TxnOpResponse {
    public RangeResponse {
        kvs = List.copyOf(kvs);
    }
}
