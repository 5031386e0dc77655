package io.keelson.kernel.controller;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.keelson.kernel.informer.EventHandler;
import io.keelson.kernel.informer.KeyFunctions;
import io.keelson.kernel.informer.SharedInformer;
import io.keelson.kernel.workqueue.RateLimiter;
import io.keelson.kernel.workqueue.WorkQueue;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A controller as client-go's are built: informers whose events map to keys, a rate-limited {@link WorkQueue},
 * and workers that call the {@link Reconciler} with one key at a time.
 *
 * <pre>{@code
 * Controller c = Controller.builder("replicaset")
 *         .watches(replicaSets, Controller::keyOf)
 *         .watches(pods, Controller.ownerKeys("ReplicaSet"))
 *         .reconciler(key -> ...)
 *         .workers(5)
 *         .build();
 * c.start();
 * }</pre>
 */
public final class Controller implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Controller.class);

    private final String name;
    private final WorkQueue<String> queue;
    private final Reconciler reconciler;
    private final int workers;
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicInteger reconciles = new AtomicInteger();

    private Controller(Builder b) {
        this.name = b.name;
        this.queue = WorkQueue.create(b.rateLimiter != null ? b.rateLimiter : RateLimiter.controllerDefault(b.nanoTime),
                b.nanoTime);
        this.reconciler = Objects.requireNonNull(b.reconciler, "reconciler");
        this.workers = b.workers;
        b.sources.forEach(s -> s.register(queue));
    }

    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** The key of an object: {@code namespace/name}, or {@code name}. */
    public static List<String> keyOf(HasMetadata object) {
        return List.of(KeyFunctions.key(object));
    }

    /** Maps an object to the key of its controller owner of {@code kind} (same namespace), if it has one. */
    public static <T extends HasMetadata> Function<T, Collection<String>> ownerKeys(String kind) {
        return object -> {
            for (OwnerReference ref : object.getMetadata().getOwnerReferences()) {
                if (Boolean.TRUE.equals(ref.getController()) && kind.equals(ref.getKind())) {
                    return List.of(KeyFunctions.key(object.getMetadata().getNamespace(), ref.getName()));
                }
            }
            return List.of();
        };
    }

    /** Nothing queued and nothing being reconciled (delayed requeues do not count). */
    public boolean isIdle() {
        return queue.isIdle();
    }

    /** Starts the workers (the informers are started by their factory). */
    public synchronized void start() {
        for (int i = 0; i < workers; i++) {
            Thread t = new Thread(this::work, "keelson-controller-" + name + "-" + i);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
    }

    /** Adds a key by hand (a timer, a test). */
    public void enqueue(String key) {
        queue.add(key);
    }

    /** Reconciles finished so far (for tests and status). */
    public int reconciles() {
        return reconciles.get();
    }

    private void work() {
        while (true) {
            String key;
            try {
                key = queue.take();
            } catch (InterruptedException e) {
                return;
            }
            if (key == null) {
                return;
            }
            Duration rest = Duration.ZERO;
            try {
                Result result = reconciler.reconcile(key);
                if (!result.requeued()) {
                    queue.forget(key);
                    rest = result.rest();
                } else if (result.delay().isZero()) {
                    queue.addRateLimited(key);
                } else {
                    queue.forget(key);
                    queue.addAfter(key, result.delay());
                }
            } catch (Exception e) {
                LOG.info("{} controller: reconciling {} failed (retry {}): {}", name, key, queue.numRequeues(key) + 1,
                        e.toString());
                queue.addRateLimited(key);
            } finally {
                queue.done(key, rest);
                reconciles.incrementAndGet();
            }
        }
    }

    /** Stops the workers after the reconciles in progress. */
    @Override
    public void close() {
        queue.shutDown();
        for (Thread t : threads) {
            try {
                t.join(Duration.ofSeconds(10).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** An informer and how its objects map to keys. */
    private record Source<T extends HasMetadata>(SharedInformer<T> informer, Function<T, Collection<String>> keys) {
        void register(WorkQueue<String> queue) {
            informer.addEventHandler(new EventHandler<>() {
                @Override
                public void onAdd(T object, boolean initialList) {
                    keys.apply(object).forEach(queue::add);
                }

                @Override
                public void onUpdate(T old, T current) {
                    keys.apply(old).forEach(queue::add);
                    keys.apply(current).forEach(queue::add);
                }

                @Override
                public void onDelete(T object, boolean finalStateUnknown) {
                    keys.apply(object).forEach(queue::add);
                }
            });
        }
    }

    /** Configures a {@link Controller}. */
    public static final class Builder {
        private final String name;
        private final List<Source<?>> sources = new ArrayList<>();
        private Reconciler reconciler;
        private int workers = 1;
        private LongSupplier nanoTime = System::nanoTime;
        private RateLimiter<String> rateLimiter;

        private Builder(String name) {
            this.name = Objects.requireNonNull(name, "name");
        }

        /** Reconciles the keys {@code keys} maps each added, changed or deleted object to. */
        public <T extends HasMetadata> Builder watches(SharedInformer<T> informer, Function<T, Collection<String>> keys) {
            sources.add(new Source<>(informer, keys));
            return this;
        }

        public Builder reconciler(Reconciler reconciler) {
            this.reconciler = reconciler;
            return this;
        }

        /** Workers reconciling in parallel (different keys only); default 1. */
        public Builder workers(int workers) {
            if (workers < 1) {
                throw new IllegalArgumentException("workers must be >= 1: " + workers);
            }
            this.workers = workers;
            return this;
        }

        /** The clock of back-offs, delays and rests. */
        public Builder clock(LongSupplier nanoTime) {
            this.nanoTime = Objects.requireNonNull(nanoTime);
            return this;
        }

        /** Replaces client-go's default controller rate limiter. */
        public Builder rateLimiter(RateLimiter<String> rateLimiter) {
            this.rateLimiter = Objects.requireNonNull(rateLimiter);
            return this;
        }

        public Controller build() {
            return new Controller(this);
        }
    }
}
