package io.keelson.watch;

import com.google.protobuf.ByteString;
import io.keelson.store.KeyValue;
import java.util.function.Predicate;

/**
 * How to {@link WatchCache#list list}: {@code ListOptions.consistent().withPrefix("/registry/pods/ns1/").limit(500)}.
 *
 * @param freshness     how current the result must be
 * @param minRevision   {@link Freshness#AT_LEAST} only: the revision the cache must have reached
 * @param prefix        a key prefix within the cache's prefix; null for the whole cache
 * @param predicate     only objects it accepts are returned (the kernel's label and field selectors)
 * @param limit         at most this many objects per page; 0 for no limit
 * @param continueToken the previous page's token: the next page at that page's revision (freshness is then ignored)
 */
public record ListOptions(Freshness freshness, long minRevision, ByteString prefix, Predicate<KeyValue> predicate,
                          int limit, String continueToken) {

    /** How fresh a list must be. */
    public enum Freshness {
        /** Whatever the cache holds now (may lag the store a little). */
        ANY,
        /** Wait until the cache has reached {@link #minRevision()}. */
        AT_LEAST,
        /** Read the store's current revision linearizably, wait until the cache has reached it: read-your-writes. */
        CONSISTENT
    }

    public ListOptions {
        if (freshness == null || predicate == null) {
            throw new NullPointerException("freshness and predicate must not be null");
        }
        if (limit < 0) {
            throw new IllegalArgumentException("limit must be >= 0: " + limit);
        }
        if (freshness == Freshness.AT_LEAST && minRevision < 0) {
            throw new IllegalArgumentException("minRevision must be >= 0: " + minRevision);
        }
    }

    public static ListOptions any() {
        return new ListOptions(Freshness.ANY, 0, null, kv -> true, 0, null);
    }

    public static ListOptions atLeast(long revision) {
        return new ListOptions(Freshness.AT_LEAST, revision, null, kv -> true, 0, null);
    }

    public static ListOptions consistent() {
        return new ListOptions(Freshness.CONSISTENT, 0, null, kv -> true, 0, null);
    }

    public ListOptions withPrefix(ByteString prefix) {
        return new ListOptions(freshness, minRevision, prefix, predicate, limit, continueToken);
    }

    public ListOptions withPrefix(String prefix) {
        return withPrefix(ByteString.copyFromUtf8(prefix));
    }

    public ListOptions matching(Predicate<KeyValue> predicate) {
        return new ListOptions(freshness, minRevision, prefix, predicate, limit, continueToken);
    }

    public ListOptions limit(int limit) {
        return new ListOptions(freshness, minRevision, prefix, predicate, limit, continueToken);
    }

    public ListOptions continueFrom(String continueToken) {
        return new ListOptions(freshness, minRevision, prefix, predicate, limit, continueToken);
    }
}
