package io.keelson.store;

public record CompactResponse(ResponseHeader header) {
}
