package io.keelson.kernel.scheduler.framework;

import java.util.List;
import java.util.Set;

/** The nodes of a scheduling cycle's snapshot. */
public interface NodeLister {
    /** Every node, in the scheduler's zone-interleaved order. */
    List<NodeInfo> list();

    /** The node, or null. */
    NodeInfo get(String name);

    /** The nodes with at least one pod that has pod affinity or anti-affinity terms. */
    List<NodeInfo> havePodsWithAffinity();

    /** The nodes with at least one pod that has required anti-affinity terms. */
    List<NodeInfo> havePodsWithRequiredAntiAffinity();

    /** How many nodes report the image under this name ({@code status.images[].names}). */
    int nodesWithImage(String image);

    /**
     * This lister's state as a number that grows with every change (unique among listers), for
     * {@link #changedSince}; -1 when the lister does not track its changes.
     */
    default long version() {
        return -1;
    }

    /**
     * The names of the nodes added, changed or removed ({@link #get} is then null) after this lister was at
     * {@code version}: what a plugin keeping sums over all nodes from one cycle to the next recounts. Null when the
     * lister cannot tell (the version is too old, another lister's, or changes are not tracked): count everything.
     */
    default Set<String> changedSince(long version) {
        return null;
    }
}
