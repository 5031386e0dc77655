package io.keelson.kernel;

import java.util.List;

/**
 * One page of a list: the objects (in key order: namespace, then name) as of {@code resourceVersion}.
 *
 * @param continueToken null on the last page; otherwise pass it to {@link ListRequest#continueFrom} for the next
 *                      page, read at the same resourceVersion
 */
public record ObjectList<T>(List<T> items, String resourceVersion, String continueToken) {
    public ObjectList {
        items = List.copyOf(items);
    }
}
