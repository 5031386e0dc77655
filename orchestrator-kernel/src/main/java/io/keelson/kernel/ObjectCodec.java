package io.keelson.kernel;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Quantity;
import io.keelson.store.KeyValue;
import java.io.IOException;
import java.io.InputStream;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.MapperFeature;
import tools.jackson.databind.ValueDeserializer;
import tools.jackson.databind.annotation.JsonDeserialize;
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
            // fabric8's any-getters (additionalProperties) are called by reflection: without this, every call pays
            // the access check
            .enable(MapperFeature.OVERRIDE_PUBLIC_ACCESS_MODIFIERS)
            .addMixIn(Quantity.class, QuantityFromString.class)
            .build();

    private ObjectCodec() {
    }

    /**
     * Reads a quantity given as a string ({@code "250m"}, the form Kubernetes writes) straight from the parser;
     * anything else as fabric8's own deserializer does. fabric8's reads every quantity into a tree first, which
     * showed on the create path: a pod has several.
     */
    @JsonDeserialize(using = QuantityFromString.Reader.class)
    private abstract static class QuantityFromString {
        static final class Reader extends ValueDeserializer<Quantity> {
            private final Quantity.Deserializer fabric8 = new Quantity.Deserializer();

            @Override
            public Quantity deserialize(JsonParser p, DeserializationContext ctxt) {
                if (p.currentToken() == JsonToken.VALUE_STRING) {
                    return new Quantity(p.getString());
                }
                return fabric8.deserialize(p, ctxt);
            }
        }
    }

    static ByteString encode(HasMetadata object) {
        String rv = object.getMetadata().getResourceVersion();
        object.getMetadata().setResourceVersion(null);
        try {
            return UnsafeByteOperations.unsafeWrap(JSON.writeValueAsBytes(object)); // a fresh array, never shared
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

    /**
     * A deep copy as {@code type} (fabric8's objects are mutable and callers own what they are given), equal to what a
     * JSON round trip gives.
     */
    static <T> T copy(Object object, Class<T> type) {
        return object.getClass() == type ? type.cast(ObjectCopier.copy(object)) : JSON.convertValue(object, type);
    }
}
