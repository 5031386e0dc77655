package io.keelson.kernel.scheduler.framework;

import java.util.List;

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
}
