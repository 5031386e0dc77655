package io.keelson.kernel.scheduler.framework;

import java.util.Set;

/**
 * What a PreFilter plugin decided: its status and, optionally, the only nodes worth filtering (a
 * {@code metadata.name} node affinity narrows to one node). Results of several plugins are intersected.
 *
 * @param status the plugin's status; Skip means its Filter is not called for this pod
 * @param nodeNames the nodes the pod may go to; null for all
 */
public record PreFilterResult(Status status, Set<String> nodeNames) {
    private static final PreFilterResult ALL = new PreFilterResult(Status.success(), null);

    /** Success, any node. */
    public static PreFilterResult allNodes() {
        return ALL;
    }

    /** Success, only these nodes. */
    public static PreFilterResult only(Set<String> nodeNames) {
        return new PreFilterResult(Status.success(), Set.copyOf(nodeNames));
    }

    /** A status without narrowing (a rejection, an error, a skip). */
    public static PreFilterResult of(Status status) {
        return new PreFilterResult(status, null);
    }
}
