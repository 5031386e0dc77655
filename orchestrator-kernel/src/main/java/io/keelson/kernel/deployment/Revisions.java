package io.keelson.kernel.deployment;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The Deployment controller's annotations: the revision a ReplicaSet (and the Deployment) is at, the revisions it
 * was before, and the replica counts a ReplicaSet was last scaled for (which proportional scaling reads).
 */
final class Revisions {
    static final String REVISION = "deployment.kubernetes.io/revision";
    static final String REVISION_HISTORY = "deployment.kubernetes.io/revision-history";
    static final String DESIRED_REPLICAS = "deployment.kubernetes.io/desired-replicas";
    static final String MAX_REPLICAS = "deployment.kubernetes.io/max-replicas";
    /** kubectl's last-applied configuration and the controller's own annotations are not copied to ReplicaSets. */
    private static final Set<String> NOT_COPIED = Set.of("kubectl.kubernetes.io/last-applied-configuration",
            REVISION, REVISION_HISTORY, DESIRED_REPLICAS, MAX_REPLICAS, "deprecated.deployment.rollback.to");
    /** Upstream's default limit on the revision-history annotation's length. */
    private static final int MAX_HISTORY_CHARS = 2000;

    private Revisions() {
    }

    /** The object's revision; 0 when it has none or it does not parse. */
    static long revision(HasMetadata object) {
        String v = annotations(object).get(REVISION);
        if (v == null) {
            return 0;
        }
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    static long maxRevision(List<ReplicaSet> sets) {
        long max = 0;
        for (ReplicaSet rs : sets) {
            max = Math.max(max, revision(rs));
        }
        return max;
    }

    /**
     * SetNewReplicaSetAnnotations: copies the Deployment's annotations, moves the ReplicaSet up to {@code
     * newRevision} (remembering the one it had in the revision history) and, for a ReplicaSet about to be created,
     * records the replica counts. Changes {@code rs}; returns whether anything changed.
     */
    static boolean setNewReplicaSetAnnotations(Deployment d, ReplicaSet rs, long newRevision, boolean exists) {
        Map<String, String> a = mutableAnnotations(rs);
        boolean changed = copyDeploymentAnnotations(d, a);
        String oldRevision = a.get(REVISION);
        long old;
        try {
            old = oldRevision == null || oldRevision.isEmpty() ? 0 : Long.parseLong(oldRevision);
        } catch (NumberFormatException e) {
            return false; // as upstream: a revision that does not parse is left alone
        }
        if (old < newRevision) {
            a.put(REVISION, Long.toString(newRevision));
            changed = true;
            if (oldRevision != null && !oldRevision.isEmpty()) {
                String history = a.get(REVISION_HISTORY);
                String next = history == null || history.isEmpty() ? oldRevision : history + "," + oldRevision;
                while (next.length() > MAX_HISTORY_CHARS && next.contains(",")) {
                    next = next.substring(next.indexOf(',') + 1); // the oldest revisions go first
                }
                a.put(REVISION_HISTORY, next);
            }
        }
        if (!exists) {
            setReplicasAnnotations(a, Fenceposts.replicas(d), Fenceposts.replicas(d) + Fenceposts.maxSurge(d));
            changed = true;
        }
        return changed;
    }

    private static boolean copyDeploymentAnnotations(Deployment d, Map<String, String> target) {
        boolean changed = false;
        for (Map.Entry<String, String> e : annotations(d).entrySet()) {
            if (NOT_COPIED.contains(e.getKey()) || e.getValue().equals(target.get(e.getKey()))) {
                continue;
            }
            target.put(e.getKey(), e.getValue());
            changed = true;
        }
        return changed;
    }

    /** Whether the ReplicaSet's desired/max replicas annotations are not these. */
    static boolean replicasAnnotationsNeedUpdate(ReplicaSet rs, int desired, int max) {
        Map<String, String> a = annotations(rs);
        return !Integer.toString(desired).equals(a.get(DESIRED_REPLICAS))
                || !Integer.toString(max).equals(a.get(MAX_REPLICAS));
    }

    static void setReplicasAnnotations(ReplicaSet rs, int desired, int max) {
        setReplicasAnnotations(mutableAnnotations(rs), desired, max);
    }

    private static void setReplicasAnnotations(Map<String, String> a, int desired, int max) {
        a.put(DESIRED_REPLICAS, Integer.toString(desired));
        a.put(MAX_REPLICAS, Integer.toString(max));
    }

    /** The max-replicas annotation, or null when missing or not a number. */
    static Integer maxReplicas(ReplicaSet rs) {
        return intAnnotation(rs, MAX_REPLICAS);
    }

    static Integer desiredReplicas(ReplicaSet rs) {
        return intAnnotation(rs, DESIRED_REPLICAS);
    }

    private static Integer intAnnotation(ReplicaSet rs, String key) {
        String v = annotations(rs).get(key);
        try {
            return v == null ? null : Integer.valueOf(v);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /**
     * IsSaturated: the new ReplicaSet runs the whole Deployment: scaled to its replicas, annotated for them, and all
     * of them available.
     */
    static boolean isSaturated(Deployment d, ReplicaSet rs) {
        if (rs == null) {
            return false;
        }
        Integer desired = desiredReplicas(rs);
        int replicas = Fenceposts.replicas(d);
        return desired != null && ReplicaSetLists.replicas(rs) == replicas && desired == replicas
                && ReplicaSetLists.available(rs) == replicas;
    }

    /** SetDeploymentRevision: sets the Deployment's revision annotation; whether it changed. */
    static boolean setDeploymentRevision(Deployment d, String revision) {
        Map<String, String> a = mutableAnnotations(d);
        if (revision.equals(a.get(REVISION))) {
            return false;
        }
        a.put(REVISION, revision);
        return true;
    }

    private static Map<String, String> annotations(HasMetadata o) {
        Map<String, String> a = o.getMetadata().getAnnotations();
        return a == null ? Map.of() : a;
    }

    private static Map<String, String> mutableAnnotations(HasMetadata o) {
        Map<String, String> a = o.getMetadata().getAnnotations() == null ? new LinkedHashMap<>()
                : new LinkedHashMap<>(o.getMetadata().getAnnotations());
        o.getMetadata().setAnnotations(a);
        return a;
    }
}
