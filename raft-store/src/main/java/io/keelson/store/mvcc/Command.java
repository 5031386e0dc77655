package io.keelson.store.mvcc;

import io.keelson.store.MemberAlarm;
import io.keelson.store.TxnOp;
import java.util.List;

/** One operation of a Raft entry, as the state database applies it. */
public sealed interface Command {
    /**
     * A client put, delete or transaction.
     *
     * @param authRevision the auth revision its permissions were checked against; 0: unchecked;
     *                     {@link io.keelson.store.StoreMember#ANONYMOUS}: a client's, while auth was off
     */
    record Write(TxnOp op, long authRevision) implements Command {
        public Write(TxnOp op) {
            this(op, 0);
        }
    }

    record Compact(long revision) implements Command {
    }

    record LeaseGrant(long id, long ttl) implements Command {
    }

    /** @param authRevision as {@link Write#authRevision} */
    record LeaseRevoke(long id, long authRevision) implements Command {
        public LeaseRevoke(long id) {
            this(id, 0);
        }
    }

    /** Raises or clears an alarm (etcd's alarm request). */
    record Alarm(boolean activate, MemberAlarm alarm) implements Command {
    }

    /** A member's client URLs, recorded in the log so every member can list them (etcd's member publish). */
    record PublishMember(String name, List<String> clientUrls) implements Command {
        public PublishMember {
            clientUrls = List.copyOf(clientUrls);
        }
    }

    /**
     * Registers a member added by its peer URLs (etcd's MemberAdd; it joins the Raft group once started), or
     * removes a registered one.
     */
    record Member(long id, List<String> peerUrls, boolean learner, boolean remove) implements Command {
        public Member {
            peerUrls = List.copyOf(peerUrls);
        }
    }

    /** A change to etcd's auth state, or a token Authenticate issued (so that every member knows it). */
    record Auth(io.keelson.store.raft.proto.AuthOp op) implements Command {
    }
}
