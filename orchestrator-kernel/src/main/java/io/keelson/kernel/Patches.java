package io.keelson.kernel;

import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonException;
import jakarta.json.JsonReader;
import jakarta.json.JsonStructure;
import jakarta.json.JsonValue;
import java.io.StringReader;

/** JSON patch (RFC 6902) and JSON merge patch (RFC 7386) of an object's JSON, through Jakarta JSON Processing. */
final class Patches {
    private Patches() {
    }

    /**
     * The patched document.
     *
     * @throws ApiException BadRequest when the patch is malformed, 422 when it cannot be applied (a failed
     *                      {@code test}, a missing path)
     */
    static String apply(String document, PatchType type, String patch) {
        JsonValue parsedPatch;
        try (JsonReader reader = Json.createReader(new StringReader(patch))) {
            parsedPatch = reader.readValue();
        } catch (JsonException e) {
            throw Statuses.badRequest("error decoding patch: " + e.getMessage());
        }
        JsonStructure target;
        try (JsonReader reader = Json.createReader(new StringReader(document))) {
            target = reader.read();
        }
        try {
            return switch (type) {
                case JSON -> {
                    if (!(parsedPatch instanceof JsonArray operations)) {
                        throw Statuses.badRequest("json: cannot unmarshal object into Go value of type jsonpatch.Patch");
                    }
                    yield Json.createPatch(operations).apply(target).toString();
                }
                case MERGE -> Json.createMergePatch(parsedPatch).apply(target).toString();
            };
        } catch (JsonException | ClassCastException e) {
            throw Statuses.unprocessablePatch(e.getMessage());
        }
    }
}
