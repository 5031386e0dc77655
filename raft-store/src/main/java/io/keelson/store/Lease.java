package io.keelson.store;

import com.google.protobuf.ByteString;
import java.util.List;

/** Lease requests and responses, as etcd's {@code Lease} service. TTLs are in seconds. */
public final class Lease {
    private Lease() {
    }

    /** @param id 0 to let the store choose one */
    public record GrantRequest(long ttl, long id) {
        public GrantRequest {
            if (ttl <= 0) {
                throw new IllegalArgumentException("lease TTL must be positive: " + ttl);
            }
            if (id < 0) {
                throw new IllegalArgumentException("lease id must not be negative: " + id);
            }
        }

        public static GrantRequest ttl(long ttl) {
            return new GrantRequest(ttl, 0);
        }
    }

    /** @param ttl the TTL granted (the request's, raised to the store's minimum) */
    public record GrantResponse(ResponseHeader header, long id, long ttl) {
    }

    public record RevokeResponse(ResponseHeader header) {
    }

    /** @param ttl the TTL the lease was renewed to */
    public record KeepAliveResponse(ResponseHeader header, long id, long ttl) {
    }

    /**
     * @param ttl        remaining seconds, -1 if the lease does not exist (etcd's answer)
     * @param grantedTtl the TTL the lease was granted with
     * @param keys       attached keys, when asked for
     */
    public record TimeToLiveResponse(ResponseHeader header, long id, long ttl, long grantedTtl,
                                     List<ByteString> keys) {
        public TimeToLiveResponse {
            keys = List.copyOf(keys);
        }
    }

    public record ListResponse(ResponseHeader header, List<Long> ids) {
        public ListResponse {
            ids = List.copyOf(ids);
        }
    }
}
