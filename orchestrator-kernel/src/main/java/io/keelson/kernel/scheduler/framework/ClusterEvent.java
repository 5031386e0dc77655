package io.keelson.kernel.scheduler.framework;

/**
 * A change in the cluster that may make a pod schedulable that a plugin turned away, as kube-scheduler's
 * {@code ClusterEvent}: pods a plugin rejected are moved back to the active queue only on the events it registers.
 *
 * @param kind what changed
 * @param action how it changed
 */
public record ClusterEvent(Kind kind, Action action) {
    /** The kinds of object whose changes the queue reacts to. */
    public enum Kind {
        /** A pod bound to a node (or assumed onto one). */
        ASSIGNED_POD,
        /** A pod waiting to be scheduled (its own updates). */
        UNSCHEDULED_POD,
        NODE,
        /** Anything else a plugin watches (PodGroups, PodDisruptionBudgets...). */
        OTHER,
        /** Matches every resource when registered. */
        ANY
    }

    /** How the object changed. */
    public enum Action {
        ADD, UPDATE, DELETE,
        /** Matches every action when registered. */
        ALL
    }

    /** Whether this registered event covers {@code happened}. */
    public boolean covers(ClusterEvent happened) {
        return (kind == Kind.ANY || kind == happened.kind)
                && (action == Action.ALL || action == happened.action);
    }
}
