package io.keelson.watch;

import com.google.protobuf.ByteString;
import io.keelson.store.KeyValue;

/**
 * One applied change as the cache keeps it in its event window.
 *
 * @param current  the key's version after the change; null when it was deleted
 * @param previous the key's version before the change; null when it did not exist
 * @param appendedNanos when the cache applied it (for the window's age bound)
 */
record Change(long revision, ByteString key, KeyValue current, KeyValue previous, long appendedNanos) {

    /** The event every unfiltered watcher gets. */
    CacheEvent event() {
        if (current == null) {
            return CacheEvent.change(CacheEvent.Type.DELETED, previous, previous, revision);
        }
        return previous == null
                ? CacheEvent.change(CacheEvent.Type.ADDED, current, null, revision)
                : CacheEvent.change(CacheEvent.Type.MODIFIED, current, previous, revision);
    }
}
