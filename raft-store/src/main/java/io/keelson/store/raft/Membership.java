package io.keelson.store.raft;

import io.keelson.store.ClusterMember;
import io.keelson.store.ErrorCode;
import io.keelson.store.Peer;
import io.keelson.store.StoreException;
import io.keelson.store.mvcc.Command;
import io.keelson.store.mvcc.MvccStore.RegisteredMember;
import io.keelson.store.raft.proto.JoinQuery;
import io.keelson.store.raft.proto.QueryReply;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.SetConfigurationRequest;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.server.RaftConfiguration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * etcd's membership on Ratis' configuration: member ids, the registry of members added by their peer URLs, and the
 * configuration changes that add, join and remove them.
 *
 * <p>A member's Raft peer id is its name. etcd's MemberAdd knows only peer URLs, so an added member is registered
 * (replicated, with its new id) and enters the Raft configuration when it starts and asks the leader to let it in;
 * Ratis then stages it until it has caught up. Its id is found again through its peer address. The members the
 * cluster was formed with have ids derived from the group and their names.
 */
final class Membership {
    private static final Logger LOG = LoggerFactory.getLogger(Membership.class);
    /** etcd allows one learner at a time. */
    private static final int MAX_LEARNERS = 1;

    /** The Raft configuration as this member knows it, or empty while it is not running. */
    interface Configuration {
        Optional<RaftConfiguration> current();

        /**
         * The voters this member, as the leader, heard from lately (itself included); empty when it does not lead.
         */
        Optional<Set<String>> connectedVoters();

        /** On the leader, the last log index each follower and learner has, by name, and its own under its name. */
        Optional<Map<String, Long>> matchIndices();
    }

    /** etcd promotes a learner once its log has 90 % of the leader's. */
    private static final double LEARNER_READY = 0.9;

    private final UUID group;
    private final List<Peer> configured;
    private final String scheme;
    private final Configuration configuration;
    private final Supplier<List<RegisteredMember>> registry;
    private final Function<Command, CompletableFuture<Boolean>> propose;
    private final RaftClient client;
    private final RandomGenerator random;
    private final Map<Long, CompletableFuture<Void>> joins = new ConcurrentHashMap<>();
    private volatile List<RegisteredMember> registered;

    Membership(UUID group, List<Peer> configured, boolean tls, Configuration configuration,
               Supplier<List<RegisteredMember>> registry, Function<Command, CompletableFuture<Boolean>> propose,
               RaftClient client, RandomGenerator random) {
        this.group = group;
        this.configured = List.copyOf(configured);
        this.scheme = tls ? "https://" : "http://";
        this.configuration = configuration;
        this.registry = registry;
        this.propose = propose;
        this.client = client;
        this.random = random;
    }

    /**
     * Reads the registry again (after a {@link Command.Member} applied or a snapshot was installed). The supplier
     * gives null while the state database is not open.
     */
    void refresh() {
        List<RegisteredMember> r = registry.get();
        registered = r == null ? null : List.copyOf(r);
        if (r != null) {
            for (RegisteredMember m : r) {
                String hostPort = m.peerUrls().isEmpty() ? null : hostPort(m.peerUrls().get(0));
                if (hostPort != null) {
                    PeerAddress.moved(m.id(), hostPort);
                }
            }
        }
    }

    private List<RegisteredMember> registered() {
        if (registered == null) {
            refresh();
        }
        List<RegisteredMember> r = registered;
        return r == null ? List.of() : r;
    }

    /** The id of the member named {@code name}: its registered id if it was added, else derived from its name. */
    long idOf(String name) {
        String address = addressOf(name);
        if (address == null) {
            return derivedId(group, name);
        }
        OptionalLong id = PeerAddress.id(address);
        return id.isPresent() ? id.getAsLong()
                : registeredAt(address).map(RegisteredMember::id).orElseGet(() -> derivedId(group, name));
    }

    /** The registered member with a peer URL at {@code address} ({@code host:port}). */
    private Optional<RegisteredMember> registeredAt(String address) {
        return registered().stream().filter(r -> r.peerUrls().stream().anyMatch(u -> address.equals(hostPort(u))))
                .findFirst();
    }

    static long derivedId(UUID group, String name) {
        return UUID.nameUUIDFromBytes(("keelson:" + group + ":" + name).getBytes(StandardCharsets.UTF_8))
                .getMostSignificantBits() & Long.MAX_VALUE;
    }

    private String addressOf(String name) {
        Optional<RaftConfiguration> conf = configuration.current();
        if (conf.isPresent()) {
            for (RaftPeer p : allPeers(conf.get())) {
                if (p.getId().toString().equals(name)) {
                    return p.getAddress();
                }
            }
        }
        return configured.stream().filter(p -> p.name().equals(name)).map(Peer::address).findFirst().orElse(null);
    }

    private static List<RaftPeer> allPeers(RaftConfiguration conf) {
        List<RaftPeer> all = new ArrayList<>(conf.getCurrentPeers(RaftPeerRole.FOLLOWER));
        all.addAll(conf.getCurrentPeers(RaftPeerRole.LISTENER));
        return all;
    }

    /** Every member: the Raft group's voters and learners, then the registered ones that have not joined. */
    List<ClusterMember> list(Map<String, List<String>> published) {
        List<ClusterMember> members = new ArrayList<>();
        Set<Long> joined = new HashSet<>();
        Optional<RaftConfiguration> conf = configuration.current();
        List<RaftPeer> voters = conf.map(c -> List.copyOf(c.getCurrentPeers(RaftPeerRole.FOLLOWER)))
                .orElseGet(() -> configured.stream().map(p -> RaftPeer.newBuilder().setId(p.name())
                        .setAddress(p.address()).build()).toList());
        List<RaftPeer> learners = conf.map(c -> List.copyOf(c.getCurrentPeers(RaftPeerRole.LISTENER)))
                .orElse(List.of());
        for (List<RaftPeer> role : List.of(voters, learners)) {
            for (RaftPeer p : role) {
                String name = p.getId().toString();
                long id = idOf(name);
                joined.add(id);
                List<String> urls = registered().stream().filter(r -> r.id() == id).findFirst()
                        .map(RegisteredMember::peerUrls).orElse(List.of(scheme + PeerAddress.current(p.getAddress())));
                members.add(new ClusterMember(id, name, urls, published.getOrDefault(name, List.of()),
                        role == learners));
            }
        }
        for (RegisteredMember r : registered()) {
            if (!joined.contains(r.id())) {
                members.add(new ClusterMember(r.id(), "", r.peerUrls(), List.of(), r.learner()));
            }
        }
        members.sort(Comparator.comparingLong(ClusterMember::id));
        return members;
    }

    /** etcd's MemberAdd: checks the URLs and the quorum, then registers the member through the log. */
    CompletableFuture<ClusterMember> add(List<String> peerUrls, boolean learner, Map<String, List<String>> published) {
        if (!validUrls(peerUrls)) {
            return CompletableFuture.failedFuture(new StoreException(ErrorCode.MEMBER_BAD_URLS));
        }
        List<ClusterMember> members = list(published);
        if (takenByAnother(members, 0, peerUrls)) {
            return CompletableFuture.failedFuture(new StoreException(ErrorCode.PEER_URL_EXISTS));
        }
        if (learner && members.stream().filter(ClusterMember::learner).count() >= MAX_LEARNERS) {
            return CompletableFuture.failedFuture(new StoreException(ErrorCode.TOO_MANY_LEARNERS));
        }
        if (!learner) {
            ErrorCode refusal = mayAddVoter(members);
            if (refusal != null) {
                return CompletableFuture.failedFuture(new StoreException(refusal));
            }
        }
        long id = newId(members);
        ClusterMember added = new ClusterMember(id, "", peerUrls, List.of(), learner);
        return propose.apply(new Command.Member(id, peerUrls, learner, false)).thenApply(ok -> added);
    }

    private static boolean validUrls(List<String> peerUrls) {
        return !peerUrls.isEmpty() && peerUrls.stream().allMatch(u -> hostPort(u) != null);
    }

    /** Whether a member other than {@code id} (0: any member) has one of {@code peerUrls}' addresses. */
    private static boolean takenByAnother(List<ClusterMember> members, long id, List<String> peerUrls) {
        Set<String> taken = new HashSet<>();
        members.stream().filter(m -> m.id() != id).forEach(m -> m.peerUrls().forEach(u -> taken.add(hostPort(u))));
        return peerUrls.stream().anyMatch(u -> taken.contains(hostPort(u)));
    }

    private long newId(List<ClusterMember> members) {
        while (true) {
            long id = random.nextLong() & Long.MAX_VALUE;
            if (id != 0 && members.stream().noneMatch(m -> m.id() == id)) {
                return id;
            }
        }
    }

    /**
     * etcd's strict reconfiguration check for a new voter: the voters that have started (joined) must still make a
     * quorum with it (a second member for a lone one is allowed, as etcd allows it), and on the leader every voter
     * must be up.
     */
    private ErrorCode mayAddVoter(List<ClusterMember> members) {
        List<ClusterMember> voters = members.stream().filter(m -> !m.learner()).toList();
        long started = voters.stream().filter(ClusterMember::started).count();
        int after = voters.size() + 1;
        if (!(started == 1 && after == 2) && started < after / 2 + 1) {
            return ErrorCode.MEMBER_NOT_ENOUGH_STARTED;
        }
        Optional<Set<String>> up = configuration.connectedVoters();
        if (up.isPresent() && voters.stream().anyMatch(m -> m.started() && !up.get().contains(m.name()))) {
            return ErrorCode.UNHEALTHY;
        }
        return null;
    }

    /**
     * etcd's strict reconfiguration check for removing a voter: the started voters left must make a quorum of those
     * left, and, on the leader, removing a member that is up must leave a quorum of members up.
     */
    private ErrorCode mayRemoveVoter(List<ClusterMember> members, ClusterMember removed) {
        List<ClusterMember> voters = members.stream().filter(m -> !m.learner()).toList();
        List<ClusterMember> left = voters.stream().filter(m -> m.id() != removed.id()).toList();
        if (left.stream().filter(ClusterMember::started).count() < left.size() / 2 + 1) {
            return ErrorCode.MEMBER_NOT_ENOUGH_STARTED;
        }
        Optional<Set<String>> up = configuration.connectedVoters();
        if (up.isEmpty() || !up.get().contains(removed.name())) {
            return null; // a member that is down is not part of the quorum that is up
        }
        long active = voters.stream().filter(m -> up.get().contains(m.name())).count();
        return active - 1 < 1 + (voters.size() - 1) / 2 ? ErrorCode.UNHEALTHY : null;
    }

    /** etcd's MemberRemove: out of the Raft configuration if it joined, and out of the registry. */
    CompletableFuture<Void> remove(long id, Map<String, List<String>> published) {
        List<ClusterMember> members = list(published);
        ClusterMember member = members.stream().filter(m -> m.id() == id).findFirst().orElse(null);
        if (member == null) {
            return CompletableFuture.failedFuture(new StoreException(ErrorCode.MEMBER_NOT_FOUND));
        }
        boolean registeredHere = registered().stream().anyMatch(r -> r.id() == id);
        if (!member.started()) {
            return propose.apply(new Command.Member(id, member.peerUrls(), member.learner(), true))
                    .thenApply(ok -> null);
        }
        ErrorCode refusal = member.learner() ? null : mayRemoveVoter(members, member);
        if (refusal != null) {
            return CompletableFuture.failedFuture(new StoreException(refusal));
        }
        RaftConfiguration conf = configuration.current().orElseThrow(() -> new StoreException(ErrorCode.STOPPED));
        List<RaftPeer> voters = conf.getCurrentPeers(RaftPeerRole.FOLLOWER).stream()
                .filter(p -> !p.getId().toString().equals(member.name())).toList();
        List<RaftPeer> learners = conf.getCurrentPeers(RaftPeerRole.LISTENER).stream()
                .filter(p -> !p.getId().toString().equals(member.name())).toList();
        return reconfigure(SetConfigurationRequest.Arguments.newBuilder().setServersInNewConf(voters)
                .setListenersInNewConf(learners).setMode(SetConfigurationRequest.Mode.SET_UNCONDITIONALLY).build())
                .thenCompose(ok -> registeredHere
                        ? propose.apply(new Command.Member(id, member.peerUrls(), member.learner(), true))
                        : CompletableFuture.completedFuture(Boolean.TRUE))
                .thenApply(ok -> null);
    }

    /**
     * etcd's MemberUpdate: the member's new peer URLs, through the log; every member then dials it at the first of
     * them. The member itself is restarted to listen there, as with etcd.
     */
    CompletableFuture<Void> update(long id, List<String> peerUrls, Map<String, List<String>> published) {
        if (!validUrls(peerUrls)) {
            return CompletableFuture.failedFuture(new StoreException(ErrorCode.MEMBER_BAD_URLS));
        }
        List<ClusterMember> members = list(published);
        ClusterMember member = members.stream().filter(m -> m.id() == id).findFirst().orElse(null);
        if (member == null) {
            return CompletableFuture.failedFuture(new StoreException(ErrorCode.MEMBER_NOT_FOUND));
        }
        if (takenByAnother(members, id, peerUrls)) {
            return CompletableFuture.failedFuture(new StoreException(ErrorCode.PEER_URL_EXISTS));
        }
        String address = member.started() ? addressOf(member.name()) : null;
        if (address != null && PeerAddress.id(address).isEmpty()) {
            return CompletableFuture.failedFuture(new StoreException(ErrorCode.MEMBER_ADDRESS_FIXED));
        }
        return propose.apply(new Command.Member(id, peerUrls, member.learner(), false)).thenApply(ok -> null);
    }

    /** etcd's MemberPromote, on the leader: the learner becomes a voter once it has caught up. */
    CompletableFuture<QueryReply> promote(long id, String leaderName) {
        ClusterMember member = list(Map.of()).stream().filter(m -> m.id() == id).findFirst().orElse(null);
        ErrorCode refusal = member == null ? ErrorCode.MEMBER_NOT_FOUND
                : !member.learner() ? ErrorCode.MEMBER_NOT_LEARNER : null;
        Map<String, Long> matched = configuration.matchIndices().orElse(Map.of());
        if (refusal == null && member.started()) {
            long learner = matched.getOrDefault(member.name(), 0L);
            long leader = matched.getOrDefault(leaderName, 0L);
            refusal = learner < leader * LEARNER_READY ? ErrorCode.LEARNER_NOT_READY : null;
        } else if (refusal == null) {
            refusal = ErrorCode.LEARNER_NOT_READY; // it has not even joined
        }
        if (refusal != null) {
            return CompletableFuture.completedFuture(QueryReply.newBuilder().setError(refusal.name()).build());
        }
        RaftConfiguration conf = configuration.current().orElseThrow(() -> new StoreException(ErrorCode.STOPPED));
        List<RaftPeer> voters = new ArrayList<>(conf.getCurrentPeers(RaftPeerRole.FOLLOWER));
        List<RaftPeer> learners = new ArrayList<>();
        for (RaftPeer p : conf.getCurrentPeers(RaftPeerRole.LISTENER)) {
            (p.getId().toString().equals(member.name()) ? voters : learners).add(p);
        }
        return reconfigure(SetConfigurationRequest.Arguments.newBuilder().setServersInNewConf(voters)
                .setListenersInNewConf(learners).setMode(SetConfigurationRequest.Mode.SET_UNCONDITIONALLY).build())
                .thenApply(ok -> QueryReply.getDefaultInstance());
    }

    /**
     * On the leader: lets a registered member that started into the Raft configuration, as a voter or a learner as
     * it was added. Answers once Ratis has caught it up and committed the new configuration.
     */
    CompletableFuture<QueryReply> join(JoinQuery query) {
        RegisteredMember member = registeredAt(query.getAddress()).orElse(null);
        if (member == null) {
            return CompletableFuture.completedFuture(QueryReply.newBuilder()
                    .setError(ErrorCode.MEMBER_NOT_FOUND.name()).build());
        }
        QueryReply joined = QueryReply.newBuilder().setMemberId(member.id()).build();
        RaftConfiguration conf = configuration.current().orElse(null);
        if (conf != null && allPeers(conf).stream().anyMatch(p -> p.getId().toString().equals(query.getName()))) {
            return CompletableFuture.completedFuture(joined);
        }
        RaftPeer peer = RaftPeer.newBuilder().setId(query.getName())
                .setAddress(PeerAddress.of(member.id(), query.getAddress())).build();
        SetConfigurationRequest.Arguments.Builder args = SetConfigurationRequest.Arguments.newBuilder()
                .setMode(SetConfigurationRequest.Mode.ADD);
        // both lists set: Ratis' Arguments checks the ones it was given, and a null list fails that check
        args.setServersInNewConf(member.learner() ? List.of() : List.of(peer))
                .setListenersInNewConf(member.learner() ? List.of(peer) : List.of());
        // a joiner that timed out and asks again waits for the change already under way
        CompletableFuture<Void> change = joins.computeIfAbsent(member.id(), id -> reconfigure(args.build()));
        change.whenComplete((ok, error) -> joins.remove(member.id(), change));
        return change.thenApply(ok -> joined);
    }

    /** A configuration change through Ratis, which blocks until it commits: on a thread of its own. */
    private CompletableFuture<Void> reconfigure(SetConfigurationRequest.Arguments arguments) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                RaftClientReply reply = client.admin().setConfiguration(arguments);
                if (reply.isSuccess()) {
                    done.complete(null);
                } else {
                    LOG.warn("configuration change {} failed", arguments, reply.getException());
                    done.completeExceptionally(new StoreException(ErrorCode.TIMEOUT, reply.getException()));
                }
            } catch (Exception e) {
                LOG.warn("configuration change {} failed", arguments, e);
                done.completeExceptionally(new StoreException(ErrorCode.TIMEOUT, e));
            }
        }, "keelson-reconfigure");
        t.setDaemon(true);
        t.start();
        return done;
    }

    /** {@code host:port} of a peer URL ({@code http} or {@code https}, no path), or null if it is not one. */
    static String hostPort(String url) {
        try {
            URI uri = new URI(url);
            boolean scheme = "http".equals(uri.getScheme()) || "https".equals(uri.getScheme());
            boolean bare = uri.getRawPath() == null || uri.getRawPath().isEmpty() || uri.getRawPath().equals("/");
            if (!scheme || !bare || uri.getHost() == null || uri.getPort() <= 0 || uri.getRawQuery() != null) {
                return null;
            }
            return uri.getHost() + ":" + uri.getPort();
        } catch (URISyntaxException e) {
            return null;
        }
    }
}
