package io.keelson.store.raft;

import io.keelson.store.ErrorCode;
import io.keelson.store.Peer;
import io.keelson.store.StoreConfig;
import io.keelson.store.StoreException;
import io.keelson.store.raft.proto.JoinQuery;
import io.keelson.store.raft.proto.Query;
import io.keelson.store.raft.proto.QueryReply;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiFunction;
import java.util.function.BooleanSupplier;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.GroupListReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.retry.RetryPolicies;

/**
 * A member without data joining a running cluster (etcd's {@code --initial-cluster-state existing}): it learns the
 * group from a running member, starts outside the Raft configuration, and asks the leader to let it in.
 */
final class Joining {
    private Joining() {
    }

    /** How long a joining member keeps trying to reach the cluster and be let in. */
    static Duration patience(StoreConfig config) {
        return Duration.ofMillis(Math.max(30_000, 3 * config.requestTimeout().toMillis()));
    }

    /** The Raft group the other peers run, asked of each in turn until one answers. */
    static UUID group(StoreConfig config) throws IOException {
        long deadline = System.nanoTime() + patience(config).toNanos();
        IOException last = null;
        while (System.nanoTime() < deadline) {
            for (Peer p : others(config)) {
                RaftPeer peer = RaftPeer.newBuilder().setId(p.name()).setAddress(p.address()).build();
                try (RaftClient client = RaftClient.newBuilder()
                        .setProperties(RaftSettings.client())
                        .setParameters(PeerRpc.parameters(null, null, PeerRpc.tls(config.peerTls())))
                        .setRaftGroup(RaftGroup.valueOf(RaftGroupId.randomId(), peer))
                        .setClientId(ClientId.randomId())
                        .setRetryPolicy(RetryPolicies.noRetry())
                        .build()) {
                    GroupListReply reply = client.getGroupManagementApi(peer.getId()).list();
                    List<RaftGroupId> groups = reply.getGroupIds();
                    if (groups.size() == 1) {
                        return groups.get(0).getUuid();
                    }
                    last = new IOException("member " + p.name() + " at " + p.address() + " runs " + groups.size()
                            + " groups");
                } catch (IOException e) {
                    last = e;
                }
            }
            sleep();
        }
        throw new IOException("cannot join: no member of " + others(config) + " answered within "
                + patience(config).toSeconds() + " s" + (last == null ? "" : " (" + last.getMessage() + ")"), last);
    }

    /**
     * Asks the other peers in turn until the leader has let this member into the Raft configuration; returns the id
     * it was added with.
     */
    static long join(StoreConfig config, RaftGroupId group,
                     BiFunction<RaftPeerId, Query, CompletableFuture<QueryReply>> ask, BooleanSupplier inConfiguration)
            throws IOException {
        Peer self = config.self();
        Query query = Query.newBuilder().setJoin(JoinQuery.newBuilder().setName(self.name())
                .setAddress(self.address())).build();
        long deadline = System.nanoTime() + patience(config).toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            for (Peer p : others(config)) {
                try {
                    QueryReply reply = ask.apply(RaftPeerId.valueOf(p.name()), query)
                            .get(config.requestTimeout().toMillis(), TimeUnit.MILLISECONDS);
                    while (!inConfiguration.getAsBoolean() && System.nanoTime() < deadline) {
                        sleep(); // the new configuration is committed; its entry is on its way here
                    }
                    return reply.getMemberId();
                } catch (ExecutionException e) {
                    Throwable cause = StoreErrors.cause(e);
                    if (cause instanceof StoreException s && s.code() == ErrorCode.MEMBER_NOT_FOUND) {
                        throw new IOException("member " + self.name() + " (peer address " + self.address()
                                + ") was not added to cluster " + group + ": add it first (etcdctl member add)");
                    }
                    last = e;
                } catch (TimeoutException e) {
                    last = e; // a catch-up takes a while: asking again waits for the change under way
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while joining", e);
                }
            }
            sleep();
        }
        throw new IOException("member " + self.name() + " was not let into cluster " + group + " within "
                + patience(config).toSeconds() + " s" + (last == null ? "" : " (" + last.getMessage() + ")"), last);
    }

    private static List<Peer> others(StoreConfig config) {
        return config.peers().stream().filter(p -> !p.name().equals(config.memberName())).toList();
    }

    private static void sleep() {
        try {
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
