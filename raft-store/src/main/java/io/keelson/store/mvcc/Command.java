package io.keelson.store.mvcc;

import io.keelson.store.MemberAlarm;
import io.keelson.store.TxnOp;
import java.util.List;

/** One operation of a Raft entry, as the state database applies it. */
public sealed interface Command {
    /** A client put, delete or transaction. */
    record Write(TxnOp op) implements Command {
    }

    record Compact(long revision) implements Command {
    }

    record LeaseGrant(long id, long ttl) implements Command {
    }

    record LeaseRevoke(long id) implements Command {
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
