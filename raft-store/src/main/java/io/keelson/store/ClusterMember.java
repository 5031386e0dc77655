package io.keelson.store;

import java.util.List;

/**
 * One member of the cluster as etcd's member list shows it.
 *
 * @param id         the member's id
 * @param name       its name, empty while a member added by its peer URLs has not started and joined yet
 * @param peerUrls   the URLs its peers reach it at
 * @param clientUrls the client URLs it published, empty until it has
 * @param learner    whether it is a learner: it receives the log but does not vote
 */
public record ClusterMember(long id, String name, List<String> peerUrls, List<String> clientUrls, boolean learner) {
    public ClusterMember {
        peerUrls = List.copyOf(peerUrls);
        clientUrls = List.copyOf(clientUrls);
    }

    /** Whether it has started and joined the Raft group. */
    public boolean started() {
        return !name.isEmpty();
    }
}
