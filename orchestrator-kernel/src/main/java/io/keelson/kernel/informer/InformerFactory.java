package io.keelson.kernel.informer;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.keelson.kernel.Kernel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * client-go's SharedInformerFactory: one {@link SharedInformer} per type, shared by every controller that asks.
 *
 * <pre>{@code
 * InformerFactory informers = InformerFactory.builder(kernel).build();
 * SharedInformer<Pod> pods = informers.forType(Pod.class);
 * pods.addEventHandler(handler);
 * informers.startAll().join();
 * }</pre>
 */
public final class InformerFactory implements AutoCloseable {
    private final Kernel kernel;
    private final ExecutorService handlerPool;
    private final ScheduledExecutorService scheduler;
    private final boolean ownsPool;
    private final boolean ownsScheduler;
    private final boolean detectMutations;
    private final Map<Class<?>, SharedInformer<?>> informers = new ConcurrentHashMap<>();

    private InformerFactory(Builder b) {
        this.kernel = b.kernel;
        this.ownsPool = b.handlerPool == null;
        this.ownsScheduler = b.scheduler == null;
        this.handlerPool = b.handlerPool != null ? b.handlerPool : Executors.newFixedThreadPool(2, threads("handler"));
        this.scheduler = b.scheduler != null ? b.scheduler : Executors.newSingleThreadScheduledExecutor(threads("informer"));
        this.detectMutations = b.detectMutations;
    }

    public static Builder builder(Kernel kernel) {
        return new Builder(kernel);
    }

    /** The shared informer of a type (created on first use, across all namespaces). */
    @SuppressWarnings("unchecked")
    public <T extends HasMetadata> SharedInformer<T> forType(Class<T> type) {
        return (SharedInformer<T>) informers.computeIfAbsent(type, t -> new SharedInformer<>(kernel.resources(type),
                handlerPool, scheduler, detectMutations));
    }

    /** Starts every informer created so far; completes when all have synced. */
    public CompletableFuture<Void> startAll() {
        List<CompletableFuture<Void>> synced = new ArrayList<>();
        informers.values().forEach(i -> synced.add(i.start()));
        return CompletableFuture.allOf(synced.toArray(CompletableFuture[]::new));
    }

    /** Every informer has handed its notifications to its handlers (none waits in a handler's backlog). */
    public boolean isIdle() {
        return informers.values().stream().allMatch(i -> i.handlerBacklog() == 0);
    }

    /** Fails if any consumer modified a cached object (with mutation detection on). */
    public void checkMutations() {
        informers.values().forEach(SharedInformer::checkMutations);
    }

    @Override
    public void close() {
        informers.values().forEach(SharedInformer::close);
        if (ownsPool) {
            handlerPool.shutdownNow();
        }
        if (ownsScheduler) {
            scheduler.shutdownNow();
        }
    }

    private static java.util.concurrent.ThreadFactory threads(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, "keelson-" + name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** Configures an {@link InformerFactory}. */
    public static final class Builder {
        private final Kernel kernel;
        private ExecutorService handlerPool;
        private ScheduledExecutorService scheduler;
        private boolean detectMutations;

        private Builder(Kernel kernel) {
            this.kernel = Objects.requireNonNull(kernel, "kernel");
        }

        /** The pool that runs handlers (default: two threads); the caller keeps owning it. */
        public Builder handlerPool(ExecutorService pool) {
            this.handlerPool = Objects.requireNonNull(pool);
            return this;
        }

        /** Runs watch restarts and resyncs (default: one thread); the caller keeps owning it. */
        public Builder scheduler(ScheduledExecutorService scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler);
            return this;
        }

        /** Remember every cached object's JSON so that {@link #checkMutations()} catches consumers changing them. */
        public Builder detectMutations(boolean on) {
            this.detectMutations = on;
            return this;
        }

        public InformerFactory build() {
            return new InformerFactory(this);
        }
    }
}
