package io.keelson.kernel;

import io.fabric8.kubernetes.api.model.Binding;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClass;
import io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClassBuilder;
import io.keelson.store.KeelsonStore;
import io.keelson.store.KvStore;
import io.keelson.watch.CacheSource;
import io.keelson.watch.WatchCache;
import io.keelson.watch.WatchCacheConfig;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.UnaryOperator;
import java.util.random.RandomGenerator;

/**
 * The orchestration kernel: Kubernetes objects (fabric8's model classes) stored in a Keelson store under
 * kube-apiserver's keys and rules, read through one watch cache per type.
 *
 * <pre>{@code
 * try (Kernel kernel = Kernel.builder().store(member).build()) {
 *     Resources<Deployment> deployments = kernel.resources(Deployment.class).inNamespace("web");
 *     Deployment created = deployments.create(deployment);
 * }
 * }</pre>
 *
 * <p>Thread-safe. Starting a kernel creates the namespaces {@code default}, {@code kube-system},
 * {@code kube-public} and {@code kube-node-lease}, and the two system priority classes, if they are missing.
 */
public final class Kernel implements AutoCloseable {
    /** The namespaces every cluster has. */
    public static final List<String> INITIAL_NAMESPACES = List.of("default", "kube-system", "kube-public",
            "kube-node-lease");

    private final KvStore store;
    private final boolean ownsStore;
    private final Map<Class<?>, ResourceStore<?>> stores = new LinkedHashMap<>();
    private final Map<String, ResourceType<?>> byKind = new LinkedHashMap<>();
    private final Map<Class<?>, LazyCache> caches = new ConcurrentHashMap<>();
    private final UnaryOperator<WatchCacheConfig> cacheConfig;
    private volatile boolean closed;
    /** The kernel's own pool for asynchronous calls' retries; null when the builder was given an executor. */
    private final ExecutorService ownExecutor;

    private Kernel(Builder b) {
        this.ownsStore = b.store == null;
        this.store = b.store != null ? b.store : KeelsonStore.open(b.dataDir);
        this.cacheConfig = b.cacheConfig;
        this.ownExecutor = b.executor == null ? Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "keelson-kernel-async");
            t.setDaemon(true);
            return t;
        }) : null;
        Executor executor = b.executor != null ? b.executor : ownExecutor;
        List<AdmissionPlugin> admission = new ArrayList<>(List.of(new NamespaceLifecycle(),
                new DefaultTolerationSeconds(), new PriorityAdmission()));
        admission.addAll(b.admission);
        Environment env = new Environment(store, b.clock, b.random, List.copyOf(admission), this::cache,
                b.requestTimeout, new ObjectLeases(store, b.clock), b.serviceRanges, this, executor);
        for (ResourceType<?> type : b.types) {
            stores.put(type.javaType(), new ResourceStore<>(type, env));
            byKind.put(type.apiVersion() + "/" + type.kind(), type);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Access to one type's objects, across all namespaces (a create without a namespace goes to
     * {@code default}); narrow it with {@link Resources#inNamespace}.
     *
     * @throws IllegalArgumentException for a type the kernel does not serve
     */
    public <T extends HasMetadata> Resources<T> resources(Class<T> type) {
        return new TypedResources<>(store(type), null);
    }

    /** The registry entry of a served type. */
    public <T extends HasMetadata> ResourceType<T> type(Class<T> type) {
        return store(type).type;
    }

    /** Every served type, in registration order. */
    public List<ResourceType<?>> types() {
        return stores.values().stream().<ResourceType<?>>map(s -> s.type).toList();
    }

    /** The served type of {@code apiVersion} and {@code kind}, or null. */
    public ResourceType<?> type(String apiVersion, String kind) {
        return byKind.get(apiVersion + "/" + kind);
    }

    /**
     * Creates every object of a (multi-document) YAML or JSON manifest, in order, in {@code namespace} when an
     * object names none; returns the stored objects.
     */
    public List<HasMetadata> apply(String manifest, String namespace) {
        List<HasMetadata> created = new ArrayList<>();
        for (HasMetadata object : Manifests.read(manifest, this)) {
            created.add(createUnchecked(object, namespace));
        }
        return created;
    }

    /** Reads the objects of a (multi-document) YAML or JSON manifest into fabric8's classes. */
    public List<HasMetadata> load(String manifest) {
        return Manifests.read(manifest, this);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private HasMetadata createUnchecked(HasMetadata object, String namespace) {
        Resources r = resources(object.getClass());
        if (r.type().namespaced() && object.getMetadata().getNamespace() == null && namespace != null) {
            r = r.inNamespace(namespace);
        }
        return (HasMetadata) r.create(object);
    }

    /**
     * Binds a pod to a node, as the {@code pods/binding} subresource: sets {@code spec.nodeName} of a pod that has
     * none (Conflict {@code pod <name> is already assigned to node "<node>"} otherwise), merges the binding's
     * annotations and sets the PodScheduled condition. The binding's uid and resourceVersion, when given, are
     * preconditions.
     *
     * @param namespace the pod's namespace (the binding's own when null)
     * @return the bound pod with its new resourceVersion
     */
    public Pod bind(String namespace, Binding binding) {
        return PodBinding.bind(store(Pod.class), namespace, binding);
    }

    /**
     * {@link #bind}, without blocking on the store: the binding is checked and the pod encoded on the calling thread,
     * and the future completes with the bound pod when the store has it (or fails with the {@link ApiException}
     * {@link #bind} throws). A scheduler binding many pods holds no thread per binding in flight.
     */
    public CompletableFuture<Pod> bindAsync(String namespace, Binding binding) {
        return PodBinding.bindAsync(store(Pod.class), namespace, binding);
    }

    /** The type's cache reads, for the kernel's own readers (built-in admission). */
    <T extends HasMetadata> CacheReads<T> reads(Class<T> type) {
        return store(type).reads;
    }

    @SuppressWarnings("unchecked")
    private <T extends HasMetadata> ResourceStore<T> store(Class<T> type) {
        ResourceStore<T> s = (ResourceStore<T>) stores.get(Objects.requireNonNull(type, "type"));
        if (s == null) {
            throw new IllegalArgumentException("the kernel does not serve " + type.getName());
        }
        return s;
    }

    /**
     * The type's watch cache, created on first use. Creating one lists the whole prefix, which takes a while for a
     * big one: only readers of that type wait for it, not the map (other types) nor readers of other types.
     */
    private WatchCache cache(ResourceType<?> type) {
        if (closed) {
            throw Statuses.internal("the kernel is closed");
        }
        LazyCache lazy = caches.computeIfAbsent(type.javaType(), t -> new LazyCache(type));
        return lazy.get();
    }

    /** One type's cache, built once by the first reader while later ones wait on it alone. */
    private final class LazyCache {
        private final ResourceType<?> type;
        private volatile WatchCache cache;

        LazyCache(ResourceType<?> type) {
            this.type = type;
        }

        WatchCache get() {
            WatchCache c = cache;
            if (c != null) {
                return c;
            }
            synchronized (this) {
                if (cache == null) {
                    cache = WatchCache.create(CacheSource.of(store), cacheConfig.apply(
                            WatchCacheConfig.forPrefix(type.storagePrefix()).withDeliveryThreads(2)));
                }
                return cache;
            }
        }

        void close() {
            WatchCache c = cache;
            if (c != null) {
                c.close();
            }
        }
    }

    /**
     * Creates the initial objects; while the store has no leader yet (a member just started), retries for up to
     * the request timeout.
     */
    private void bootstrap(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                createInitialObjects();
                return;
            } catch (ApiException e) {
                boolean unavailable = e.code() == 500 || e.code() == 504;
                if (!unavailable || System.nanoTime() > deadline) {
                    throw e;
                }
                java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
            }
        }
    }

    private void createInitialObjects() {
        Resources<Namespace> namespaces = resources(Namespace.class);
        for (String name : INITIAL_NAMESPACES) {
            createIfMissing(namespaces, new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build());
        }
        Resources<PriorityClass> classes = resources(PriorityClass.class);
        createIfMissing(classes, new PriorityClassBuilder().withNewMetadata().withName("system-node-critical")
                .endMetadata().withValue(2_000_001_000).withDescription("Used for system critical pods that must not"
                        + " be moved from their current node.").build());
        createIfMissing(classes, new PriorityClassBuilder().withNewMetadata().withName("system-cluster-critical")
                .endMetadata().withValue(2_000_000_000).withDescription("Used for system critical pods that must run"
                        + " in the cluster, but can be moved to another node if necessary.").build());
    }

    private static <T extends HasMetadata> void createIfMissing(Resources<T> resources, T object) {
        try {
            resources.create(object);
        } catch (ApiException e) {
            if (!"AlreadyExists".equals(e.reason())) {
                throw e;
            }
        }
    }

    /** Stops every watch cache (watches end with CLOSED), and the store if the kernel opened it. */
    @Override
    public void close() {
        closed = true;
        caches.values().forEach(LazyCache::close);
        caches.clear();
        if (ownExecutor != null) {
            ownExecutor.shutdown();
        }
        if (ownsStore) {
            store.close();
        }
    }

    /** Builds a {@link Kernel}; every setting has a default. */
    public static final class Builder {
        private KvStore store;
        private Path dataDir = Path.of("kernel.keelson");
        private Clock clock = Clock.systemUTC();
        private RandomGenerator random = new java.security.SecureRandom();
        private Duration requestTimeout = Duration.ofSeconds(30);
        private final List<AdmissionPlugin> admission = new ArrayList<>();
        private final List<ResourceType<?>> types = new ArrayList<>(BuiltinTypes.ALL);
        private Duration eventTtl = Duration.ofHours(1);
        private UnaryOperator<WatchCacheConfig> cacheConfig = UnaryOperator.identity();
        private ServiceRanges serviceRanges = new ServiceRanges("10.96.0.0/12", "30000-32767");
        private Executor executor;

        private Builder() {
        }

        /** The store to keep objects in (the kernel does not close it). Default: a single-node store in dataDir. */
        public Builder store(KvStore store) {
            this.store = Objects.requireNonNull(store, "store");
            return this;
        }

        /** Where the kernel opens its own single-node store when none is given (default ./kernel.keelson). */
        public Builder dataDir(Path dataDir) {
            this.dataDir = Objects.requireNonNull(dataDir, "dataDir");
            return this;
        }

        /** The clock of timestamps (creation, deletion). */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** The randomness of uids and generated names. */
        public Builder random(RandomGenerator random) {
            this.random = Objects.requireNonNull(random, "random");
            return this;
        }

        /**
         * Where asynchronous calls ({@link Resources#createAsync}) finish what may block: the retry after a lost
         * race. Default: a pool of daemon threads the kernel owns and shuts down on {@link #close()}.
         */
        public Builder executor(Executor executor) {
            this.executor = Objects.requireNonNull(executor, "executor");
            return this;
        }

        /** How long one store call may take before the request fails with Timeout (default 30 s). */
        public Builder requestTimeout(Duration requestTimeout) {
            if (requestTimeout.isNegative() || requestTimeout.isZero()) {
                throw new IllegalArgumentException("requestTimeout must be positive: " + requestTimeout);
            }
            this.requestTimeout = requestTimeout;
            return this;
        }

        /** Adds an admission plugin, run after the built-in ones (NamespaceLifecycle, DefaultTolerationSeconds, Priority). */
        public Builder admission(AdmissionPlugin plugin) {
            admission.add(Objects.requireNonNull(plugin, "plugin"));
            return this;
        }

        /** How long an Event lives after its last write (kube-apiserver's {@code --event-ttl}, default 1 h). */
        public Builder eventTtl(Duration ttl) {
            if (ttl.isNegative() || ttl.isZero()) {
                throw new IllegalArgumentException("eventTtl must be positive: " + ttl);
            }
            this.eventTtl = ttl;
            return this;
        }

        /** Serves one more type. */
        public Builder type(ResourceType<?> type) {
            if (types.stream().anyMatch(t -> t.javaType().equals(type.javaType()))) {
                throw new IllegalArgumentException(type.javaType().getName() + " is already served");
            }
            types.add(type);
            return this;
        }

        /**
         * Where Services get their cluster IPs (kube-apiserver's {@code --service-cluster-ip-range}; an IPv4 CIDR,
         * 10.96.0.0/12 by default) and node ports ({@code --service-node-port-range}, 30000-32767).
         *
         * @throws IllegalArgumentException for a malformed range
         */
        public Builder serviceRanges(String clusterIpCidr, String nodePortRange) {
            this.serviceRanges = new ServiceRanges(clusterIpCidr, nodePortRange);
            return this;
        }

        /** Adjusts every watch cache's configuration (tests pass a fake clock this way). */
        public Builder watchCaches(UnaryOperator<WatchCacheConfig> config) {
            this.cacheConfig = Objects.requireNonNull(config, "config");
            return this;
        }

        public Kernel build() {
            types.replaceAll(t -> t.javaType() == io.fabric8.kubernetes.api.model.Event.class ? t.withTtl(eventTtl) : t);
            Kernel kernel = new Kernel(this);
            try {
                kernel.bootstrap(requestTimeout);
            } catch (RuntimeException e) {
                kernel.close();
                throw e;
            }
            return kernel;
        }
    }
}
