package io.keelson.kernel.informer;

import java.util.List;
import java.util.Set;

/**
 * An informer's read-only view of its objects (client-go's Indexer). The objects are shared: callers must not
 * modify them (a test can turn on the informer's mutation detector to catch one that does).
 */
public interface Cache<T> {
    /** The index every informer has: objects by namespace. */
    String NAMESPACE_INDEX = "namespace";

    /** The object of {@code key} ({@code namespace/name}, or {@code name} for cluster-scoped types), or null. */
    T get(String key);

    /** The object of a namespace and name, or null. */
    default T get(String namespace, String name) {
        return get(KeyFunctions.key(namespace, name));
    }

    List<T> list();

    Set<String> keys();

    /** The objects whose index function returned {@code value}. */
    List<T> byIndex(String index, String value);

    /** The keys of the objects whose index function returned {@code value}. */
    Set<String> indexKeys(String index, String value);

    int size();
}
