package io.keelson.store.raft;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.ratis.thirdparty.io.grpc.Attributes;
import org.apache.ratis.thirdparty.io.grpc.EquivalentAddressGroup;
import org.apache.ratis.thirdparty.io.grpc.NameResolver;
import org.apache.ratis.thirdparty.io.grpc.NameResolverProvider;
import org.apache.ratis.thirdparty.io.grpc.NameResolverRegistry;
import org.apache.ratis.thirdparty.io.grpc.Status;
import org.apache.ratis.thirdparty.io.grpc.SynchronizationContext;

/**
 * A member's address in the Raft configuration: {@code keelson-peer://<member id>@host:port}, the id in hex and the
 * peer address the member entered the configuration with.
 *
 * <p>Ratis dials a peer at the address its configuration holds and never changes it for a peer it knows (its
 * configuration compares ids, not addresses). etcd's MemberUpdate moves a member to other peer URLs, so Ratis' gRPC
 * channels resolve these addresses here, through the members' registry: a member whose peer URLs were updated is
 * dialed at its new address, by every channel already open to it too. Plain {@code host:port} addresses (data
 * directories from before) still work, without updates.
 */
final class PeerAddress {
    static final String SCHEME = "keelson-peer";
    /** Member id to the {@code host:port} its registry entry names now. */
    private static final Map<Long, String> MOVED = new ConcurrentHashMap<>();
    private static final Set<Resolver> RESOLVERS = ConcurrentHashMap.newKeySet();

    static {
        NameResolverRegistry.getDefaultRegistry().register(new Provider());
    }

    private PeerAddress() {
    }

    /** The address for member {@code id}, which joins at {@code hostPort}. */
    static String of(long id, String hostPort) {
        return SCHEME + "://" + Long.toHexString(id) + "@" + hostPort;
    }

    /** The member id an address carries; empty for a plain {@code host:port}. */
    static OptionalLong id(String address) {
        URI uri = parse(address);
        return uri == null ? OptionalLong.empty() : OptionalLong.of(Long.parseUnsignedLong(uri.getUserInfo(), 16));
    }

    /** The {@code host:port} a member is dialed at now. */
    static String current(String address) {
        URI uri = parse(address);
        if (uri == null) {
            return address;
        }
        String moved = MOVED.get(Long.parseUnsignedLong(uri.getUserInfo(), 16));
        return moved != null ? moved : uri.getRawAuthority().substring(uri.getRawUserInfo().length() + 1);
    }

    /**
     * Member {@code id} is to be dialed at {@code hostPort} from now on (its registry entry, as applied here); open
     * channels to it re-resolve.
     */
    static void moved(long id, String hostPort) {
        String before = MOVED.put(id, hostPort);
        if (!hostPort.equals(before)) {
            RESOLVERS.stream().filter(r -> r.id == id).forEach(Resolver::refresh);
        }
    }

    private static URI parse(String address) {
        if (!address.startsWith(SCHEME + "://")) {
            return null;
        }
        try {
            URI uri = new URI(address);
            if (uri.getUserInfo() == null || uri.getHost() == null || uri.getPort() <= 0) {
                throw new IllegalArgumentException("not a peer address: " + address);
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("not a peer address: " + address, e);
        }
    }

    /** Loads the class, which registers the resolver with the gRPC that Ratis shades. */
    static void install() {
        // the static initializer did the work
    }

    private static final class Provider extends NameResolverProvider {
        @Override
        protected boolean isAvailable() {
            return true;
        }

        @Override
        protected int priority() {
            return 5;
        }

        @Override
        public String getDefaultScheme() {
            return SCHEME;
        }

        @Override
        public NameResolver newNameResolver(URI target, NameResolver.Args args) {
            if (!SCHEME.equals(target.getScheme())) {
                return null;
            }
            return new Resolver(target.toString(), args.getSynchronizationContext());
        }

        @Override
        public java.util.Collection<Class<? extends java.net.SocketAddress>> getProducedSocketAddressTypes() {
            return List.of(InetSocketAddress.class);
        }
    }

    /** Resolves one peer address; refreshed when the member moves or a connection to it fails. */
    private static final class Resolver extends NameResolver {
        private final String address;
        private final long id;
        private final SynchronizationContext context;
        private Listener2 listener;

        Resolver(String address, SynchronizationContext context) {
            this.address = address;
            this.id = id(address).orElseThrow();
            this.context = context;
        }

        @Override
        public String getServiceAuthority() {
            return current(address);
        }

        @Override
        public void start(Listener2 listener) {
            this.listener = listener;
            RESOLVERS.add(this);
            resolve();
        }

        @Override
        public void refresh() {
            context.execute(this::resolve);
        }

        private void resolve() {
            if (listener == null) {
                return;
            }
            String hostPort = current(address);
            int colon = hostPort.lastIndexOf(':');
            String host = hostPort.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            InetSocketAddress socket = new InetSocketAddress(host, Integer.parseInt(hostPort.substring(colon + 1)));
            if (socket.isUnresolved()) {
                listener.onError(Status.UNAVAILABLE.withDescription("cannot resolve " + hostPort + " for " + address));
                return;
            }
            // TLS checks the peer's certificate against the host it is dialed at now
            Attributes attributes = Attributes.newBuilder()
                    .set(EquivalentAddressGroup.ATTR_AUTHORITY_OVERRIDE, hostPort).build();
            listener.onResult(ResolutionResult.newBuilder()
                    .setAddresses(List.of(new EquivalentAddressGroup(socket, attributes))).build());
        }

        @Override
        public void shutdown() {
            RESOLVERS.remove(this);
            listener = null;
        }
    }
}
