package io.keelson.store;

import java.util.Optional;

/**
 * What one member knows about itself and its group (etcd's {@code Status}).
 *
 * @param leader          name of the member this one follows, empty while there is no leader
 * @param leaderId        that member's id, 0 while there is no leader
 * @param raftIndex       last Raft index this member knows to be committed
 * @param appliedIndex    last Raft index applied on this member
 * @param revision        current store revision on this member
 * @param compactRevision oldest readable revision on this member
 */
public record MemberStatus(long clusterId, long memberId, String memberName, Optional<String> leader, long leaderId,
                           long raftTerm, long raftIndex, long appliedIndex, long revision, long compactRevision) {
    public boolean isLeader() {
        return leader.filter(memberName::equals).isPresent();
    }
}
