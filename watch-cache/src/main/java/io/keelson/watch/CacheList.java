package io.keelson.watch;

import io.keelson.store.KeyValue;
import java.util.List;

/**
 * One page of a {@link WatchCache#list list}: objects in key order as of {@code revision}.
 *
 * @param continueToken null when this is the last page; otherwise pass it in {@link ListOptions#continueFrom}
 *                      to read the next page at the same revision
 */
public record CacheList(List<KeyValue> items, long revision, String continueToken) {
    public CacheList {
        items = List.copyOf(items);
    }

    public boolean hasMore() {
        return continueToken != null;
    }
}
