package io.keelson.store;

import java.util.Optional;

/** @param prevKv the previous version when asked for and the key existed */
public record PutResponse(ResponseHeader header, Optional<KeyValue> prevKv) implements TxnOpResponse {
}
