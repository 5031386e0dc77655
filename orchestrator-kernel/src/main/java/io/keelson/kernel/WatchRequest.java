package io.keelson.kernel;

/**
 * What to watch: {@code WatchRequest.fromResourceVersion(list.resourceVersion()).withLabels("app=web")}.
 *
 * @param resourceVersion   null or "0": the current state as ADDED events first, then changes; otherwise the
 *                          changes after it (too old: an ERROR event with a 410 {@code Expired} Status)
 * @param labelSelector     "" for all; an object that stops matching arrives as DELETED, one that starts as ADDED
 * @param fieldSelector     "" for all
 * @param bookmarks         also deliver BOOKMARK events carrying the latest resourceVersion
 */
public record WatchRequest(String resourceVersion, String labelSelector, String fieldSelector, boolean bookmarks) {
    public WatchRequest {
        labelSelector = labelSelector == null ? "" : labelSelector;
        fieldSelector = fieldSelector == null ? "" : fieldSelector;
    }

    /** The current state, then every change (with bookmarks: the initial state ends with one). */
    public static WatchRequest withInitialState() {
        return new WatchRequest(null, "", "", true);
    }

    /** The changes after {@code resourceVersion}. */
    public static WatchRequest fromResourceVersion(String resourceVersion) {
        return new WatchRequest(resourceVersion, "", "", false);
    }

    public WatchRequest withLabels(String labelSelector) {
        return new WatchRequest(resourceVersion, labelSelector, fieldSelector, bookmarks);
    }

    public WatchRequest withFields(String fieldSelector) {
        return new WatchRequest(resourceVersion, labelSelector, fieldSelector, bookmarks);
    }

    public WatchRequest withBookmarks() {
        return new WatchRequest(resourceVersion, labelSelector, fieldSelector, true);
    }
}
