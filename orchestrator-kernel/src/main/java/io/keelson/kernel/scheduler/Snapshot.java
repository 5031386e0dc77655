package io.keelson.kernel.scheduler;

import io.keelson.kernel.scheduler.framework.NodeInfo;
import io.keelson.kernel.scheduler.framework.NodeLister;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

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

    /** Versions are unique across snapshots, so that one snapshot never answers for another's. */
    private static final AtomicLong VERSIONS = new AtomicLong();
    /** The changes of the last updates, enough for plugins that keep sums across consecutive cycles. */
    private static final int LOGGED_UPDATES = 64;

    /** One update: from which version, and the nodes it changed. */
    private record Update(long from, Set<String> changed) {
    }

    private final ArrayDeque<Update> log = new ArrayDeque<>();
    private long version = VERSIONS.incrementAndGet();

    /** Records one update that changed (added, replaced or removed) {@code changed}. */
    void changed(Set<String> changed) {
        if (changed.isEmpty()) {
            return;
        }
        log.addLast(new Update(version, Set.copyOf(changed)));
        version = VERSIONS.incrementAndGet();
        if (log.size() > LOGGED_UPDATES) {
            log.removeFirst();
        }
    }

    @Override
    public long version() {
        return version;
    }

    @Override
    public Set<String> changedSince(long since) {
        if (since == version) {
            return Set.of();
        }
        // the version must be one this snapshot had and still has the updates after
        Set<String> changed = new HashSet<>();
        boolean found = false;
        for (Iterator<Update> it = log.descendingIterator(); it.hasNext(); ) {
            Update u = it.next();
            changed.addAll(u.changed());
            if (u.from() == since) {
                found = true;
                break;
            }
        }
        return found ? changed : null;
    }

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
