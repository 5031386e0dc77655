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

    /** The first {@code count} of {@code pods} to delete, ranking doubling-up against {@code related}. */
    static List<Pod> victims(List<Pod> pods, List<Pod> related, int count, Instant now) {
        Map<String, Integer> perNode = new HashMap<>();
        for (Pod p : related) {
            String node = p.getSpec().getNodeName();
            if (node != null && !node.isEmpty() && Pods.isActive(p)) {
                perNode.merge(node, 1, Integer::sum);
            }
        }
        Map<Pod, Integer> rank = new java.util.IdentityHashMap<>();
        for (Pod p : pods) {
            String node = p.getSpec().getNodeName();
            rank.put(p, node == null || node.isEmpty() ? 0 : perNode.getOrDefault(node, 0));
        }
        List<Pod> sorted = new ArrayList<>(pods);
        sorted.sort(comparator(rank, now));
        return sorted.subList(0, Math.min(count, sorted.size()));
    }

    static Comparator<Pod> comparator(Map<Pod, Integer> rank, Instant now) {
        return (a, b) -> {
            boolean aAssigned = assigned(a);
            if (aAssigned != assigned(b)) {
                return aAssigned ? 1 : -1;
            }
            int phase = Integer.compare(phaseOrdinal(a), phaseOrdinal(b));
            if (phase != 0) {
                return phase;
            }
            boolean aReady = Pods.isReady(a);
            if (aReady != Pods.isReady(b)) {
                return aReady ? 1 : -1;
            }
            int cost = Integer.compare(deletionCost(a), deletionCost(b));
            if (cost != 0) {
                return cost;
            }
            int doubled = Integer.compare(rank.getOrDefault(b, 0), rank.getOrDefault(a, 0));
            if (doubled != 0) {
                return doubled;
            }
            if (aReady) {
                int ready = byTime(readyTime(a), readyTime(b), now);
                if (ready != 0) {
                    return ready;
                }
            }
            int restarts = compareRestarts(a, b);
            if (restarts != 0) {
                return restarts;
            }
            int created = byTime(created(a), created(b), now);
            return created != 0 ? created : a.getMetadata().getUid().compareTo(b.getMetadata().getUid());
        };
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

    /** Newer (or unknown: null) first; two times in the same power-of-two bucket of age are a tie. */
    private static int byTime(Instant ta, Instant tb, Instant now) {
        if (java.util.Objects.equals(ta, tb)) {
            return 0;
        }
        if (ta == null || tb == null) {
            return ta == null ? -1 : 1;
        }
        return Long.compare(logRank(ta, now), logRank(tb, now));
    }

    private static long logRank(Instant t, Instant now) {
        long age = java.time.Duration.between(t, now).toNanos();
        return age > 0 ? 63 - Long.numberOfLeadingZeros(age) : -1; // floor(log2(age)), exact
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
     * compareMaxContainerRestarts: the highest restart count of the regular containers, and then that of the
     * sidecars (init containers with restartPolicy Always).
     */
    private static int compareRestarts(Pod a, Pod b) {
        int regular = Integer.compare(maxRestarts(b, false), maxRestarts(a, false));
        return regular != 0 ? regular : Integer.compare(maxRestarts(b, true), maxRestarts(a, true));
    }

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
