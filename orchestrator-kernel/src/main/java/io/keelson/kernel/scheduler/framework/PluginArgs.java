package io.keelson.kernel.scheduler.framework;

import java.util.Map;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

/** A plugin's {@code pluginConfig[].args}, as configured; a plugin reads them into its own args type. */
public final class PluginArgs {
    private static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();
    private static final PluginArgs NONE = new PluginArgs(Map.of());

    private final Map<String, Object> raw;

    private PluginArgs(Map<String, Object> raw) {
        this.raw = raw;
    }

    public static PluginArgs none() {
        return NONE;
    }

    public static PluginArgs of(Map<String, Object> raw) {
        return raw == null || raw.isEmpty() ? NONE : new PluginArgs(Map.copyOf(raw));
    }

    public Map<String, Object> raw() {
        return raw;
    }

    /**
     * The args as {@code type} (a record or bean, fields as in YAML); {@code kind} and {@code apiVersion} are ignored.
     *
     * @throws IllegalArgumentException naming the field, for an unknown field or a value of the wrong type
     */
    public <T> T as(Class<T> type) {
        Map<String, Object> fields = new java.util.LinkedHashMap<>(raw);
        fields.remove("kind");
        fields.remove("apiVersion");
        try {
            return MAPPER.convertValue(fields, type);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("invalid plugin args for " + type.getSimpleName() + ": "
                    + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return raw.toString();
    }
}
