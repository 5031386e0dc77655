package io.keelson.kernel.replicaset;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Which pods a shrinking ReplicaSet deletes first, as kube-controller-manager's ActivePodsWithRanks orders them:
 * unscheduled before scheduled; Pending before Unknown before Running; not ready before ready; lower
 * {@code controller.kubernetes.io/pod-deletion-cost} first; pods doubled up on a node (more related pods there)
 * first; ready for a shorter time first; more container restarts first; newer first. Times are compared on a
 * logarithmic scale (LogarithmicScaleDown). Upstream lets the UID decide at once between two times in the same
 * bucket and goes on to the next rule only for equal times; that order is not transitive (Java's sort refuses it
 * over many pods), so here a bucket is a tie like an equal time and the UID decides last.
 */
final class DeletionOrder {
    static final String DELETION_COST = "controller.kubernetes.io/pod-deletion-cost";

    private DeletionOrder() {
    }

    /**
     * One pod's place in the order, each criterion computed once (a sort compares each pod many times, and
     * parsing its timestamps on every comparison cost more than the rest of a ReplicaSet's sync).
     */
    private record Rank(Pod pod, boolean assigned, int phase, boolean ready, int cost, int doubled, long readyAge,
                        int restarts, int sidecarRestarts, long createdAge, String uid) {
    }

    private static final Comparator<Rank> ORDER = Comparator.comparing(Rank::assigned)
            .thenComparingInt(Rank::phase)
            .thenComparing(Rank::ready)
            .thenComparingInt(Rank::cost)
            .thenComparing(Comparator.comparingInt(Rank::doubled).reversed())
            .thenComparingLong(Rank::readyAge)
            .thenComparing(Comparator.comparingInt(Rank::restarts).reversed())
            .thenComparing(Comparator.comparingInt(Rank::sidecarRestarts).reversed())
            .thenComparingLong(Rank::createdAge)
            .thenComparing(Rank::uid);

    /** The first {@code count} of {@code pods} to delete, ranking doubling-up against {@code related}. */
    static List<Pod> victims(List<Pod> pods, List<Pod> related, int count, Instant now) {
        Map<String, Integer> perNode = new HashMap<>();
        for (Pod p : related) {
            String node = p.getSpec().getNodeName();
            if (node != null && !node.isEmpty() && Pods.isActive(p)) {
                perNode.merge(node, 1, Integer::sum);
            }
        }
        List<Rank> ranks = new ArrayList<>(pods.size());
        for (Pod p : pods) {
            boolean assigned = assigned(p);
            boolean ready = Pods.isReady(p);
            ranks.add(new Rank(p, assigned, phaseOrdinal(p), ready, deletionCost(p),
                    assigned ? perNode.getOrDefault(p.getSpec().getNodeName(), 0) : 0,
                    ready ? logAge(readyTime(p), now) : 0, maxRestarts(p, false), maxRestarts(p, true),
                    logAge(created(p), now), p.getMetadata().getUid()));
        }
        ranks.sort(ORDER);
        List<Pod> victims = new ArrayList<>(Math.min(count, ranks.size()));
        for (int i = 0; i < Math.min(count, ranks.size()); i++) {
            victims.add(ranks.get(i).pod());
        }
        return victims;
    }

    private static boolean assigned(Pod p) {
        return p.getSpec().getNodeName() != null && !p.getSpec().getNodeName().isEmpty();
    }

    /** Pending 0 < Unknown 1 < Running 2 (other phases, not active, rank with Pending). */
    private static int phaseOrdinal(Pod p) {
        String phase = p.getStatus() == null ? null : p.getStatus().getPhase();
        return "Running".equals(phase) ? 2 : "Unknown".equals(phase) ? 1 : 0;
    }

    /**
     * The pod-deletion-cost annotation (an int32), 0 when absent or invalid; as upstream, a leading {@code +} or a
     * leading zero (other than "0" itself) makes it invalid.
     */
    static int deletionCost(Pod p) {
        String v = p.getMetadata().getAnnotations() == null ? null : p.getMetadata().getAnnotations()
                .get(DELETION_COST);
        if (v == null || v.isEmpty() || !(v.charAt(0) == '-' || v.equals("0") || (v.charAt(0) >= '1'
                && v.charAt(0) <= '9'))) {
            return 0;
        }
        for (int i = v.charAt(0) == '-' ? 1 : 0; i < v.length(); i++) {
            if (v.charAt(i) < '0' || v.charAt(i) > '9') {
                return 0; // only ASCII digits, as Go's ParseInt
            }
        }
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /**
     * Newer first, on a logarithmic scale: floor(log2) of the age in nanoseconds, so two times in the same
     * power-of-two bucket of age tie; an unknown time (null) comes before any, a time not yet passed after none.
     */
    private static long logAge(Instant t, Instant now) {
        if (t == null) {
            return -2;
        }
        long age = java.time.Duration.between(t, now).toNanos();
        return age > 0 ? 63 - Long.numberOfLeadingZeros(age) : -1;
    }

    private static Instant readyTime(Pod p) {
        PodCondition ready = Pods.readyCondition(p);
        return ready == null || ready.getLastTransitionTime() == null ? null
                : Instant.parse(ready.getLastTransitionTime());
    }

    private static Instant created(Pod p) {
        String t = p.getMetadata().getCreationTimestamp();
        return t == null ? null : Instant.parse(t);
    }

    /**
     * The highest restart count of the regular containers, or of the sidecars (init containers with restartPolicy
     * Always): more restarts go first, as upstream's compareMaxContainerRestarts.
     */
    private static int maxRestarts(Pod p, boolean sidecars) {
        int max = 0;
        List<ContainerStatus> statuses = p.getStatus() == null ? null : sidecars
                ? p.getStatus().getInitContainerStatuses() : p.getStatus().getContainerStatuses();
        if (statuses == null) {
            return 0;
        }
        java.util.Set<String> sidecarNames = new java.util.HashSet<>();
        if (sidecars && p.getSpec().getInitContainers() != null) {
            p.getSpec().getInitContainers().stream().filter(c -> "Always".equals(c.getRestartPolicy()))
                    .forEach(c -> sidecarNames.add(c.getName()));
        }
        for (ContainerStatus s : statuses) {
            if (!sidecars || sidecarNames.contains(s.getName())) {
                max = Math.max(max, s.getRestartCount() == null ? 0 : s.getRestartCount());
            }
        }
        return max;
    }
}
