package io.keelson.store.watch;

import com.google.protobuf.ByteString;
import io.keelson.store.KeyRanges;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Synced watchers by what they watch: single keys in a hash map, ranges grouped by identical range
 * (so ten thousand watchers on one prefix are one entry). Matching an event costs one hash lookup
 * plus one check per distinct watched range, never one per watcher. Guarded by the hub lock.
 */
final class WatcherIndex {
    private record Range(ByteString start, ByteString end) {
    }

    // values: a Watcher, or a List<Watcher> when several watch the same key (saves memory per watcher)
    private final Map<ByteString, Object> keys = new HashMap<>();
    private final Map<Range, List<Watcher>> ranges = new HashMap<>();
    private int size;

    int size() {
        return size;
    }

    void add(Watcher w) {
        size++;
        if (w.isRange()) {
            ranges.computeIfAbsent(new Range(w.key, w.rangeEnd), r -> new ArrayList<>(1)).add(w);
            return;
        }
        keys.merge(w.key, w, (old, added) -> {
            if (old instanceof Watcher single) {
                List<Watcher> list = new ArrayList<>(2);
                list.add(single);
                list.add((Watcher) added);
                return list;
            }
            @SuppressWarnings("unchecked")
            List<Watcher> list = (List<Watcher>) old;
            list.add((Watcher) added);
            return list;
        });
    }

    void remove(Watcher w) {
        if (w.isRange()) {
            Range r = new Range(w.key, w.rangeEnd);
            List<Watcher> list = ranges.get(r);
            if (list != null && list.remove(w)) {
                size--;
                if (list.isEmpty()) {
                    ranges.remove(r);
                }
            }
            return;
        }
        Object v = keys.get(w.key);
        if (v == w) {
            keys.remove(w.key);
            size--;
        } else if (v instanceof List<?> list && list.remove(w)) {
            size--;
            if (list.size() == 1) {
                keys.put(w.key, list.get(0));
            }
        }
    }

    /** Calls {@code action} for every watcher whose key or range contains {@code key}. */
    void forEachMatch(ByteString key, Consumer<Watcher> action) {
        Object v = keys.get(key);
        if (v instanceof Watcher w) {
            action.accept(w);
        } else if (v != null) {
            @SuppressWarnings("unchecked")
            List<Watcher> list = (List<Watcher>) v;
            list.forEach(action);
        }
        for (Map.Entry<Range, List<Watcher>> e : ranges.entrySet()) {
            if (KeyRanges.contains(e.getKey().start(), e.getKey().end(), key)) {
                e.getValue().forEach(action);
            }
        }
    }

    void forEach(Consumer<Watcher> action) {
        for (Object v : keys.values()) {
            if (v instanceof Watcher w) {
                action.accept(w);
            } else {
                @SuppressWarnings("unchecked")
                List<Watcher> list = (List<Watcher>) v;
                list.forEach(action);
            }
        }
        ranges.values().forEach(list -> list.forEach(action));
    }
}
