package io.keelson.kernel.scheduler;

import io.keelson.kernel.scheduler.framework.NodeInfo;
import io.keelson.kernel.scheduler.framework.NodeLister;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The nodes one scheduling cycle sees: copies, refreshed incrementally by {@link SchedulerCache}. */
final class Snapshot implements NodeLister {
    final Map<String, NodeInfo> infos = new HashMap<>();
    /** The nodes in the cache's zone-interleaved order, and each one's index there. */
    final List<NodeInfo> list = new ArrayList<>();
    final Map<String, Integer> positions = new HashMap<>();
    private final List<NodeInfo> view = Collections.unmodifiableList(list);
    /** Nodes per image name, replaced whenever a node's images change. */
    Map<String, Integer> imageNodes = Map.of();
    List<NodeInfo> withAffinity;
    List<NodeInfo> withRequiredAntiAffinity;

    void rebuildAffinityLists() {
        withAffinity = list.stream().filter(n -> !n.podsWithAffinity().isEmpty()).toList();
        withRequiredAntiAffinity = list.stream().filter(n -> !n.podsWithRequiredAntiAffinity().isEmpty()).toList();
    }

    @Override
    public List<NodeInfo> list() {
        return view;
    }

    @Override
    public NodeInfo get(String name) {
        return infos.get(name);
    }

    @Override
    public List<NodeInfo> havePodsWithAffinity() {
        return withAffinity;
    }

    @Override
    public List<NodeInfo> havePodsWithRequiredAntiAffinity() {
        return withRequiredAntiAffinity;
    }

    @Override
    public int nodesWithImage(String image) {
        return imageNodes.getOrDefault(image, 0);
    }
}
