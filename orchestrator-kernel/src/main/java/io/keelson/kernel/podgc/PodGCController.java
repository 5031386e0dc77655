package io.keelson.kernel.podgc;

import io.fabric8.kubernetes.api.model.DeleteOptionsBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.keelson.kernel.ApiException;
import io.keelson.kernel.Kernel;
import io.keelson.kernel.Timestamps;
import io.keelson.kernel.controller.ManagedController;
import io.keelson.kernel.informer.InformerFactory;
import io.keelson.kernel.informer.SharedInformer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * kube-controller-manager's pod garbage collector: pods bound to a node that is gone (for the 40 s quarantine, and
 * confirmed by a fresh read) are marked Failed with the DisruptionTarget condition ("PodGC: node no longer exists")
 * and deleted at once; terminating pods that were never scheduled are deleted at once; beyond the terminated-pod
 * threshold (12,500) the oldest finished pods are deleted. Each {@link #collect} pass does all three; {@link #start}
 * runs one every 20 s, and a test on a fake clock calls it itself.
 */
public final class PodGCController implements ManagedController {
    private static final Logger LOG = LoggerFactory.getLogger(PodGCController.class);
    static final Duration QUARANTINE = Duration.ofSeconds(40);
    static final Duration PERIOD = Duration.ofSeconds(20);

    private final Kernel kernel;
    private final Clock clock;
    private final SharedInformer<Pod> pods;
    private final SharedInformer<Node> nodes;
    private final int terminatedPodThreshold;
    /** Nodes seen missing, and since when on the clock. */
    private final Map<String, Instant> missingSince = new HashMap<>();
    private ScheduledExecutorService timer;

    private PodGCController(Kernel kernel, InformerFactory informers, Clock clock, int terminatedPodThreshold) {
        this.kernel = kernel;
        this.clock = clock;
        this.pods = informers.forType(Pod.class);
        this.nodes = informers.forType(Node.class);
        this.terminatedPodThreshold = terminatedPodThreshold;
    }

    /** With kube-controller-manager's default threshold of 12,500 terminated pods. */
    public static PodGCController create(Kernel kernel, InformerFactory informers, Clock clock) {
        return create(kernel, informers, clock, 12_500);
    }

    /** With this many terminated pods kept at most ({@code --terminated-pod-gc-threshold}; 0 keeps all). */
    public static PodGCController create(Kernel kernel, InformerFactory informers, Clock clock,
                                         int terminatedPodThreshold) {
        if (terminatedPodThreshold < 0) {
            throw new IllegalArgumentException("terminated pod threshold must not be negative: "
                    + terminatedPodThreshold);
        }
        return new PodGCController(Objects.requireNonNull(kernel), Objects.requireNonNull(informers),
                Objects.requireNonNull(clock), terminatedPodThreshold);
    }

    @Override
    public synchronized void start() {
        if (timer != null) {
            return;
        }
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "keelson-podgc");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(() -> {
            try {
                collect();
            } catch (RuntimeException e) {
                LOG.info("pod GC pass failed (the next pass retries): {}", e.toString());
            }
        }, PERIOD.toMillis(), PERIOD.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** One pass: terminated pods over the threshold, orphaned pods, unscheduled terminating pods. */
    public synchronized void collect() {
        List<Pod> all = pods.cache().list();
        collectTerminated(all);
        collectOrphaned(all);
        for (Pod pod : all) {
            if (pod.getMetadata().getDeletionTimestamp() != null && unscheduled(pod)) {
                forceDelete(pod);
            }
        }
    }

    private void collectTerminated(List<Pod> all) {
        if (terminatedPodThreshold == 0) {
            return;
        }
        List<Pod> terminated = new ArrayList<>();
        for (Pod pod : all) {
            String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
            if ("Succeeded".equals(phase) || "Failed".equals(phase)) {
                terminated.add(pod);
            }
        }
        int excess = terminated.size() - terminatedPodThreshold;
        if (excess <= 0) {
            return;
        }
        terminated.sort(Comparator.comparing((Pod p) -> p.getMetadata().getCreationTimestamp() == null ? ""
                : p.getMetadata().getCreationTimestamp()).thenComparing(p -> p.getMetadata().getName()));
        terminated.subList(0, excess).forEach(this::forceDelete);
    }

    private void collectOrphaned(List<Pod> all) {
        Instant now = clock.instant();
        Map<String, Boolean> gone = new HashMap<>();
        for (Pod pod : all) {
            String node = pod.getSpec().getNodeName();
            if (unscheduled(pod) || nodes.cache().get(node) != null) {
                continue;
            }
            Instant since = missingSince.computeIfAbsent(node, n -> now);
            if (since.plus(QUARANTINE).isAfter(now)) {
                continue;
            }
            if (gone.computeIfAbsent(node, this::confirmedGone)) {
                markFailedAndDelete(pod, now);
            }
        }
        missingSince.keySet().removeIf(n -> nodes.cache().get(n) != null);
    }

    /** A fresh read, not the cache: the node must really be gone. */
    private boolean confirmedGone(String node) {
        try {
            kernel.resources(Node.class).get(node);
            return false;
        } catch (ApiException e) {
            if (e.code() == 404) {
                return true;
            }
            throw e;
        }
    }

    private void markFailedAndDelete(Pod pod, Instant now) {
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        if (!"Succeeded".equals(phase) && !"Failed".equals(phase)) {
            List<PodCondition> conditions = new ArrayList<>(pod.getStatus() == null
                    || pod.getStatus().getConditions() == null ? List.of() : pod.getStatus().getConditions());
            conditions.removeIf(c -> "DisruptionTarget".equals(c.getType()));
            conditions.add(new PodConditionBuilder().withType("DisruptionTarget").withStatus("True")
                    .withReason("DeletionByPodGC").withMessage("PodGC: node no longer exists")
                    .withLastTransitionTime(Timestamps.time(now))
                    .build());
            Pod failed = new PodBuilder(pod).editOrNewStatus().withPhase("Failed").withConditions(conditions)
                    .endStatus().build();
            try {
                kernel.resources(Pod.class).inNamespace(pod.getMetadata().getNamespace()).updateStatus(failed);
            } catch (ApiException e) {
                if (e.code() == 404) {
                    return;
                }
                if (e.code() != 409) {
                    throw e;
                }
            }
        }
        forceDelete(pod);
    }

    private void forceDelete(Pod pod) {
        try {
            kernel.resources(Pod.class).inNamespace(pod.getMetadata().getNamespace()).delete(
                    pod.getMetadata().getName(), new DeleteOptionsBuilder().withGracePeriodSeconds(0L)
                            .withNewPreconditions().withUid(pod.getMetadata().getUid()).endPreconditions().build());
        } catch (ApiException e) {
            if (e.code() != 404 && e.code() != 409) {
                throw e;
            }
        }
    }

    private static boolean unscheduled(Pod pod) {
        return pod.getSpec().getNodeName() == null || pod.getSpec().getNodeName().isEmpty();
    }

    @Override
    public synchronized void close() {
        if (timer != null) {
            timer.shutdownNow();
        }
    }
}
