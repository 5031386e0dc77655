package io.keelson.store;

/**
 * Carried by every response, as etcd's {@code ResponseHeader}.
 *
 * @param clusterId id of the Raft group
 * @param memberId  id of the member that answered
 * @param revision  the store revision when the request was served (after it, for writes)
 * @param raftTerm  the member's Raft term when the request was served
 */
public record ResponseHeader(long clusterId, long memberId, long revision, long raftTerm) {
}
