package io.keelson.kernel;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.MappingIterator;
import tools.jackson.dataformat.yaml.YAMLMapper;

/** Multi-document YAML (or JSON) manifests into fabric8's classes, by each document's apiVersion and kind. */
final class Manifests {
    private static final YAMLMapper YAML = YAMLMapper.builder().build();

    private Manifests() {
    }

    static List<HasMetadata> read(String manifest, Kernel kernel) {
        List<HasMetadata> objects = new ArrayList<>();
        try (MappingIterator<JsonNode> docs = YAML.readerFor(JsonNode.class).readValues(manifest)) {
            while (docs.hasNextValue()) {
                JsonNode doc = docs.nextValue();
                if (doc == null || doc.isNull() || doc.isMissingNode() || doc.isEmpty()) {
                    continue; // "---" with nothing after it
                }
                String apiVersion = doc.path("apiVersion").asString("");
                String kind = doc.path("kind").asString("");
                if (apiVersion.isEmpty() || kind.isEmpty()) {
                    throw Statuses.badRequest("Object 'Kind' is missing in '" + abbreviate(doc.toString()) + "'");
                }
                ResourceType<?> type = kernel.type(apiVersion, kind);
                if (type == null) {
                    throw Statuses.badRequest("no matches for kind " + FieldError.quote(kind) + " in version "
                            + FieldError.quote(apiVersion));
                }
                objects.add(ObjectCodec.fromTree(doc, type.javaType()));
            }
        } catch (JacksonException e) {
            throw Statuses.badRequest("error parsing manifest: " + e.getOriginalMessage());
        }
        return objects;
    }

    private static String abbreviate(String s) {
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }
}
