package io.keelson.kernel;

import com.google.protobuf.ByteString;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.keelson.store.KeyValue;
import java.io.IOException;
import java.io.InputStream;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.module.afterburner.AfterburnerModule;

/**
 * Objects to and from their stored JSON, as kube-apiserver stores them: {@code resourceVersion} is not stored
 * (it is the key's mod revision, filled in on every read).
 */
final class ObjectCodec {
    static final JsonMapper JSON = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .addModule(new AfterburnerModule())
            .build();

    private ObjectCodec() {
    }

    static ByteString encode(HasMetadata object) {
        String rv = object.getMetadata().getResourceVersion();
        object.getMetadata().setResourceVersion(null);
        try {
            return ByteString.copyFrom(JSON.writeValueAsBytes(object));
        } finally {
            object.getMetadata().setResourceVersion(rv);
        }
    }

    /** The stored object with its resourceVersion (the key's mod revision). */
    static <T extends HasMetadata> T decode(Class<T> type, KeyValue kv) {
        try {
            return decode(type, kv.value(), kv.modRevision());
        } catch (IllegalStateException e) {
            throw Statuses.internal("stored object " + kv.keyUtf8() + " cannot be decoded: " + e.getMessage());
        }
    }

    /** A stored value decoded, with {@code modRevision} as its resourceVersion. */
    static <T extends HasMetadata> T decode(Class<T> type, ByteString value, long modRevision) {
        try (InputStream in = value.newInput()) {
            T object = JSON.readValue(in, type);
            object.getMetadata().setResourceVersion(Long.toString(modRevision));
            return object;
        } catch (IOException | JacksonException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    static ObjectNode tree(Object object) {
        return JSON.valueToTree(object);
    }

    static <T> T fromTree(JsonNode tree, Class<T> type) {
        return JSON.treeToValue(tree, type);
    }

    /** A deep copy, through JSON (fabric8's objects are mutable and callers own what they are given). */
    static <T extends HasMetadata> T copy(T object, Class<T> type) {
        return JSON.convertValue(object, type);
    }
}
