package io.keelson.kernel.informer;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The informer's objects by key, with indexes. One writer (the informer's event thread) under the write lock;
 * readers take the read lock, so a reader sees an object and its index entries together.
 */
final class IndexedCache<T extends HasMetadata> implements Cache<T> {
    private final java.util.concurrent.locks.ReentrantReadWriteLock lock = new java.util.concurrent.locks.ReentrantReadWriteLock();
    private final Map<String, T> items = new ConcurrentHashMap<>();
    /** index name to its function. */
    private final Map<String, Function<T, Collection<String>>> indexers = new ConcurrentHashMap<>();
    /** index name to value to keys. guarded by lock */
    private final Map<String, Map<String, Set<String>>> indices = new HashMap<>();

    IndexedCache() {
        addIndexer(NAMESPACE_INDEX, o -> List.of(o.getMetadata().getNamespace() == null ? ""
                : o.getMetadata().getNamespace()));
    }

    void addIndexerIfAbsent(String name, Function<T, Collection<String>> indexer) {
        lock.writeLock().lock();
        try {
            if (!indexers.containsKey(name)) {
                addIndexer(name, indexer);
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    void addIndexer(String name, Function<T, Collection<String>> indexer) {
        lock.writeLock().lock();
        try {
            if (indexers.putIfAbsent(name, indexer) != null) {
                throw new IllegalArgumentException("index " + name + " already exists");
            }
            Map<String, Set<String>> index = new HashMap<>();
            items.forEach((key, object) -> indexer.apply(object)
                    .forEach(v -> index.computeIfAbsent(v, x -> new HashSet<>()).add(key)));
            indices.put(name, index);
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Stores the object; returns the one it replaced, or null. */
    T put(String key, T object) {
        lock.writeLock().lock();
        try {
            T old = items.put(key, object);
            if (old != null) {
                unindexLocked(key, old);
            }
            indexers.forEach((name, f) -> {
                Map<String, Set<String>> index = indices.get(name);
                f.apply(object).forEach(v -> index.computeIfAbsent(v, x -> new HashSet<>()).add(key));
            });
            return old;
        } finally {
            lock.writeLock().unlock();
        }
    }

    T remove(String key) {
        lock.writeLock().lock();
        try {
            T old = items.remove(key);
            if (old != null) {
                unindexLocked(key, old);
            }
            return old;
        } finally {
            lock.writeLock().unlock();
        }
    }

    private void unindexLocked(String key, T object) {
        indexers.forEach((name, f) -> {
            Map<String, Set<String>> index = indices.get(name);
            for (String v : f.apply(object)) {
                Set<String> keys = index.get(v);
                if (keys != null) {
                    keys.remove(key);
                    if (keys.isEmpty()) {
                        index.remove(v);
                    }
                }
            }
        });
    }

    @Override
    public T get(String key) {
        return items.get(key);
    }

    @Override
    public List<T> list() {
        return new ArrayList<>(items.values());
    }

    @Override
    public Set<String> keys() {
        return Set.copyOf(items.keySet());
    }

    @Override
    public List<T> byIndex(String index, String value) {
        lock.readLock().lock();
        try {
            Set<String> keys = indexKeysLocked(index, value);
            List<T> result = new ArrayList<>(keys.size());
            for (String key : keys) {
                result.add(items.get(key));
            }
            return result;
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public Set<String> indexKeys(String index, String value) {
        lock.readLock().lock();
        try {
            return Set.copyOf(indexKeysLocked(index, value));
        } finally {
            lock.readLock().unlock();
        }
    }

    private Set<String> indexKeysLocked(String index, String value) {
        Map<String, Set<String>> values = indices.get(index);
        if (values == null) {
            throw new IllegalArgumentException("no index named " + index);
        }
        return values.getOrDefault(value, Set.of());
    }

    @Override
    public int size() {
        return items.size();
    }
}
