package io.keelson.kernel;

/**
 * What to list: {@code ListRequest.all().withLabels("app=web").limit(500)}. The fields are those of a Kubernetes
 * list call and mean the same.
 *
 * @param labelSelector        label selector in string form ("" for all)
 * @param fieldSelector        field selector in string form ("" for all)
 * @param limit                at most this many objects (0: no limit); the rest through {@link ObjectList#continueToken()}
 * @param continueToken        the previous page's token
 * @param resourceVersion      null: the latest state (a consistent read); "0": whatever the cache holds; otherwise
 *                             a state not older than it (or exactly it, see {@code resourceVersionMatch})
 * @param resourceVersionMatch null, {@code NotOlderThan} or {@code Exact}
 */
public record ListRequest(String labelSelector, String fieldSelector, int limit, String continueToken,
                          String resourceVersion, String resourceVersionMatch) {
    public ListRequest {
        labelSelector = labelSelector == null ? "" : labelSelector;
        fieldSelector = fieldSelector == null ? "" : fieldSelector;
        if (limit < 0) {
            throw new IllegalArgumentException("limit must be >= 0: " + limit);
        }
    }

    /** Every object, from a consistent read. */
    public static ListRequest all() {
        return new ListRequest("", "", 0, null, null, null);
    }

    public ListRequest withLabels(String labelSelector) {
        return new ListRequest(labelSelector, fieldSelector, limit, continueToken, resourceVersion, resourceVersionMatch);
    }

    public ListRequest withFields(String fieldSelector) {
        return new ListRequest(labelSelector, fieldSelector, limit, continueToken, resourceVersion, resourceVersionMatch);
    }

    public ListRequest limit(int limit) {
        return new ListRequest(labelSelector, fieldSelector, limit, continueToken, resourceVersion, resourceVersionMatch);
    }

    public ListRequest continueFrom(String continueToken) {
        return new ListRequest(labelSelector, fieldSelector, limit, continueToken, resourceVersion, resourceVersionMatch);
    }

    public ListRequest atResourceVersion(String resourceVersion) {
        return new ListRequest(labelSelector, fieldSelector, limit, continueToken, resourceVersion, resourceVersionMatch);
    }

    public ListRequest matching(String resourceVersionMatch) {
        return new ListRequest(labelSelector, fieldSelector, limit, continueToken, resourceVersion, resourceVersionMatch);
    }
}
