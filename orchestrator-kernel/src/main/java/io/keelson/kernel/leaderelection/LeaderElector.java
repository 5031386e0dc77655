package io.keelson.kernel.leaderelection;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseSpec;
import io.keelson.kernel.ApiException;
import io.keelson.kernel.Kernel;
import io.keelson.kernel.Resources;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * client-go's leader election on a coordination.k8s.io/v1 Lease: candidates try every retry period (with
 * jitter) to take a lease that is free or expired; the leader renews it every retry period and stops leading
 * when it could not renew for the renew deadline.
 *
 * <p>Expiry is judged on this candidate's clock from when it last saw the Lease change, never by comparing the
 * stored renewTime with the local clock, so clocks of different machines need not agree. After losing the lease
 * a candidate goes back to trying to acquire it; {@link #close()} releases it if held.
 */
public final class LeaderElector implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LeaderElector.class);
    static final double JITTER_FACTOR = 1.2;

    private final Resources<Lease> leases;
    private final String name;
    private final String identity;
    private final Duration leaseDuration;
    private final Duration renewDeadline;
    private final Duration retryPeriod;
    private final Clock clock;
    private final RandomGenerator random;
    private final Runnable onStartedLeading;
    private final Runnable onStoppedLeading;
    private final Consumer<String> onNewLeader;
    private final ScheduledExecutorService scheduler;

    /** The last record seen, and when (local clock) it was seen to change. Scheduler thread only. */
    private LeaseSpec observed;
    private Instant observedTime;
    private Instant lastRenew;
    private String reportedLeader;
    private volatile boolean leading;
    private volatile boolean closed;

    private LeaderElector(Builder b) {
        this.leases = b.kernel.resources(Lease.class).inNamespace(b.namespace);
        this.name = b.name;
        this.identity = b.identity;
        this.leaseDuration = b.leaseDuration;
        this.renewDeadline = b.renewDeadline;
        this.retryPeriod = b.retryPeriod;
        this.clock = b.clock;
        this.random = b.random;
        this.onStartedLeading = b.onStartedLeading;
        this.onStoppedLeading = b.onStoppedLeading;
        this.onNewLeader = b.onNewLeader;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "keelson-leader-election-" + b.name);
            t.setDaemon(true);
            return t;
        });
    }

    /** An elector for the Lease {@code namespace/name}, competing as {@code identity}. */
    public static Builder builder(Kernel kernel, String namespace, String name, String identity) {
        return new Builder(kernel, namespace, name, identity);
    }

    public void start() {
        scheduler.execute(this::acquireStep);
    }

    public boolean isLeader() {
        return leading;
    }

    public String identity() {
        return identity;
    }

    private void acquireStep() {
        if (closed) {
            return;
        }
        if (tryAcquireOrRenew()) {
            leading = true;
            lastRenew = clock.instant();
            LOG.info("{} became leader of {}", identity, name);
            runCallback(onStartedLeading);
            scheduler.schedule(this::renewStep, retryPeriod.toMillis(), TimeUnit.MILLISECONDS);
            return;
        }
        long jittered = (long) (retryPeriod.toMillis() * (1 + random.nextDouble() * JITTER_FACTOR));
        scheduler.schedule(this::acquireStep, jittered, TimeUnit.MILLISECONDS);
    }

    private void renewStep() {
        if (closed) {
            return;
        }
        if (tryAcquireOrRenew()) {
            lastRenew = clock.instant();
        } else if (Duration.between(lastRenew, clock.instant()).compareTo(renewDeadline) >= 0) {
            leading = false;
            LOG.warn("{} stopped leading {}: could not renew for {}", identity, name, renewDeadline);
            runCallback(onStoppedLeading);
            scheduler.execute(this::acquireStep);
            return;
        }
        scheduler.schedule(this::renewStep, retryPeriod.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** client-go's {@code tryAcquireOrRenew}. */
    private boolean tryAcquireOrRenew() {
        Instant now = clock.instant();
        java.time.ZonedDateTime nowText = microTime(now);
        LeaseSpec wanted = new LeaseSpec();
        wanted.setHolderIdentity(identity);
        wanted.setLeaseDurationSeconds((int) leaseDuration.toSeconds());
        wanted.setRenewTime(nowText);
        wanted.setAcquireTime(nowText);
        Lease current;
        try {
            current = leases.get(name);
        } catch (ApiException e) {
            if (!e.isNotFound()) {
                LOG.info("{}: reading lease {} failed: {}", identity, name, e.getMessage());
                return false;
            }
            wanted.setLeaseTransitions(0);
            try {
                Lease created = leases.create(new LeaseBuilder().withNewMetadata().withName(name).endMetadata()
                        .withSpec(wanted).build());
                observe(created.getSpec(), now);
                return true;
            } catch (ApiException ex) {
                return false;
            }
        } catch (RuntimeException e) {
            LOG.info("{}: reading lease {} failed: {}", identity, name, e.toString());
            return false;
        }
        LeaseSpec spec = current.getSpec() == null ? new LeaseSpec() : current.getSpec();
        if (!spec.equals(observed)) {
            observe(spec, now);
        }
        String holder = spec.getHolderIdentity();
        boolean mine = identity.equals(holder);
        if (holder != null && !holder.isEmpty() && !mine && leaseValid(now)) {
            return false; // held by another and not yet expired
        }
        if (mine) {
            wanted.setAcquireTime(spec.getAcquireTime());
            wanted.setLeaseTransitions(spec.getLeaseTransitions());
        } else {
            wanted.setLeaseTransitions(spec.getLeaseTransitions() == null ? 1 : spec.getLeaseTransitions() + 1);
        }
        current.setSpec(wanted);
        try {
            Lease updated = leases.update(current);
            observe(updated.getSpec(), now);
            return true;
        } catch (ApiException e) {
            return false; // another candidate won the race (Conflict)
        } catch (RuntimeException e) {
            LOG.info("{}: updating lease {} failed: {}", identity, name, e.toString());
            return false;
        }
    }

    /** A Lease's MicroTime: UTC, to the microsecond. */
    private static java.time.ZonedDateTime microTime(Instant t) {
        return java.time.ZonedDateTime.ofInstant(t.truncatedTo(java.time.temporal.ChronoUnit.MICROS), ZoneOffset.UTC);
    }

    private boolean leaseValid(Instant now) {
        int seconds = observed == null || observed.getLeaseDurationSeconds() == null ? 0 : observed.getLeaseDurationSeconds();
        return observedTime.plusSeconds(seconds).isAfter(now);
    }

    private void observe(LeaseSpec spec, Instant now) {
        observed = spec;
        observedTime = now;
        String holder = spec.getHolderIdentity();
        if (holder != null && !holder.equals(reportedLeader)) {
            reportedLeader = holder;
            if (onNewLeader != null) {
                onNewLeader.accept(holder);
            }
        }
    }

    private void runCallback(Runnable callback) {
        try {
            callback.run();
        } catch (RuntimeException e) {
            LOG.warn("{}: leader election callback failed", identity, e);
        }
    }

    /**
     * Stops competing; a leader stops leading and releases the lease (empty holder, 1 s duration) so that
     * another candidate takes over at once.
     */
    @Override
    public void close() {
        closed = true;
        try {
            scheduler.submit(() -> {
                if (leading) {
                    leading = false;
                    runCallback(onStoppedLeading);
                    release();
                }
            }).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.info("{}: releasing lease {} failed: {}", identity, name, e.toString());
        }
        scheduler.shutdownNow();
    }

    private void release() {
        try {
            Lease current = leases.get(name);
            if (current.getSpec() == null || !identity.equals(current.getSpec().getHolderIdentity())) {
                return;
            }
            java.time.ZonedDateTime now = microTime(clock.instant());
            LeaseSpec released = new LeaseSpec();
            released.setLeaseDurationSeconds(1);
            released.setAcquireTime(now);
            released.setRenewTime(now);
            released.setLeaseTransitions(current.getSpec().getLeaseTransitions());
            current.setSpec(released);
            leases.update(current);
        } catch (ApiException e) {
            LOG.info("{}: releasing lease {} failed: {}", identity, name, e.getMessage());
        }
    }

    /** Configures a {@link LeaderElector}; the defaults are kube-controller-manager's 15 s / 10 s / 2 s. */
    public static final class Builder {
        private final Kernel kernel;
        private final String namespace;
        private final String name;
        private final String identity;
        private Duration leaseDuration = Duration.ofSeconds(15);
        private Duration renewDeadline = Duration.ofSeconds(10);
        private Duration retryPeriod = Duration.ofSeconds(2);
        private Clock clock = Clock.systemUTC();
        private RandomGenerator random = new java.util.SplittableRandom();
        private Runnable onStartedLeading = () -> { };
        private Runnable onStoppedLeading = () -> { };
        private Consumer<String> onNewLeader;

        private Builder(Kernel kernel, String namespace, String name, String identity) {
            this.kernel = Objects.requireNonNull(kernel, "kernel");
            this.namespace = Objects.requireNonNull(namespace, "namespace");
            this.name = Objects.requireNonNull(name, "name");
            if (identity == null || identity.isEmpty()) {
                throw new IllegalArgumentException("identity must not be empty");
            }
            this.identity = identity;
        }

        public Builder timing(Duration leaseDuration, Duration renewDeadline, Duration retryPeriod) {
            this.leaseDuration = leaseDuration;
            this.renewDeadline = renewDeadline;
            this.retryPeriod = retryPeriod;
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock);
            return this;
        }

        public Builder random(RandomGenerator random) {
            this.random = Objects.requireNonNull(random);
            return this;
        }

        /** Runs on the elector's thread when this candidate becomes leader; must return quickly. */
        public Builder onStartedLeading(Runnable callback) {
            this.onStartedLeading = Objects.requireNonNull(callback);
            return this;
        }

        /** Runs on the elector's thread when this candidate stops leading (lost the lease, or closed). */
        public Builder onStoppedLeading(Runnable callback) {
            this.onStoppedLeading = Objects.requireNonNull(callback);
            return this;
        }

        /** Runs whenever the observed leader changes. */
        public Builder onNewLeader(Consumer<String> callback) {
            this.onNewLeader = callback;
            return this;
        }

        /** @throws IllegalArgumentException unless lease duration > renew deadline > 1.2 × retry period >= 1 ms */
        public LeaderElector build() {
            if (leaseDuration.compareTo(renewDeadline) <= 0) {
                throw new IllegalArgumentException("leaseDuration must be greater than renewDeadline");
            }
            if (renewDeadline.toNanos() <= (long) (JITTER_FACTOR * retryPeriod.toNanos())) {
                throw new IllegalArgumentException("renewDeadline must be greater than retryPeriod*JitterFactor");
            }
            if (retryPeriod.toMillis() < 1 || leaseDuration.toSeconds() < 1) {
                throw new IllegalArgumentException("retryPeriod must be at least 1 ms and leaseDuration at least 1 s");
            }
            return new LeaderElector(this);
        }
    }
}
