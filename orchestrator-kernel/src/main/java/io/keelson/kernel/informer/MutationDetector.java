package io.keelson.kernel.informer;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import tools.jackson.databind.json.JsonMapper;

/**
 * client-go's cache mutation detector: remembers each cached object's JSON and fails when an object no longer
 * matches it, i.e. a consumer modified a shared object. For tests; it doubles the cache's memory.
 */
final class MutationDetector<T extends HasMetadata> {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private final Map<String, String> copies = new ConcurrentHashMap<>();

    void remember(String key, T object) {
        copies.put(key, JSON.writeValueAsString(object));
    }

    void forget(String key) {
        copies.remove(key);
    }

    void check(Cache<T> cache) {
        for (Map.Entry<String, String> e : copies.entrySet()) {
            T object = cache.get(e.getKey());
            if (object != null && !JSON.writeValueAsString(object).equals(e.getValue())) {
                throw new IllegalStateException("a consumer modified the cached object " + e.getKey()
                        + ": cached objects are shared and read-only");
            }
        }
    }
}
