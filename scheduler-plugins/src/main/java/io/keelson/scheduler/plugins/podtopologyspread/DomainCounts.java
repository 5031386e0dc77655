package io.keelson.scheduler.plugins.podtopologyspread;

import io.keelson.kernel.LabelSelector;
import io.keelson.kernel.scheduler.framework.NodeInfo;
import io.keelson.kernel.scheduler.framework.NodeLister;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A hard constraint's matching pods per domain over every node, kept from one scheduling cycle to the next: PreFilter
 * would otherwise read every pod on every node for every pod it schedules, while between two cycles only the nodes
 * the snapshot reports changed need counting again. For pods whose node inclusion policies admit every node (no
 * required node affinity honoured, taints ignored): the common case, and the one whose counts pods can share. Kept
 * for the few most recent constraints; used from the scheduling cycle, one cycle at a time.
 */
final class DomainCounts {
    private static final int CONSTRAINTS = 8;

    /** What the counts depend on: a node counts only when it has the keys of all of the pod's hard constraints. */
    private record Key(String namespace, LabelSelector selector, String key, List<String> allKeys) {
    }

    private record Contribution(String domain, int pods) {
    }

    /** The counts of one constraint, as of one version of one node lister. */
    private static final class Tally {
        private final Key key;
        private NodeLister lister;
        private long version = -1;
        private final Map<String, Contribution> byNode = new HashMap<>();
        private final Map<String, int[]> byDomain = new HashMap<>(); // {matching pods, nodes}

        Tally(Key key) {
            this.key = key;
        }

        void bringUpToDate(NodeLister nodes) {
            Set<String> changed = nodes == lister ? nodes.changedSince(version) : null;
            if (changed == null) {
                byNode.clear();
                byDomain.clear();
                nodes.list().forEach(this::add);
            } else {
                for (String name : changed) {
                    remove(name);
                    NodeInfo node = nodes.get(name);
                    if (node != null) {
                        add(node);
                    }
                }
            }
            lister = nodes;
            version = nodes.version();
        }

        private void add(NodeInfo node) {
            for (String k : key.allKeys()) {
                if (!node.labels().containsKey(k)) {
                    return;
                }
            }
            String domain = node.labels().get(key.key());
            int pods = Constraint.countMatching(node, key.namespace(), key.selector());
            byNode.put(node.name(), new Contribution(domain, pods));
            int[] sums = byDomain.computeIfAbsent(domain, d -> new int[2]);
            sums[0] += pods;
            sums[1]++;
        }

        private void remove(String name) {
            Contribution c = byNode.remove(name);
            if (c != null) {
                int[] sums = byDomain.get(c.domain());
                sums[0] -= c.pods();
                if (--sums[1] == 0) {
                    byDomain.remove(c.domain());
                }
            }
        }

        Map<String, Integer> counts() {
            Map<String, Integer> counts = new HashMap<>();
            byDomain.forEach((domain, sums) -> counts.put(domain, sums[0]));
            return counts;
        }
    }

    private final Map<Key, Tally> recent = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, Tally> eldest) {
            return size() > CONSTRAINTS;
        }
    };

    /**
     * Matching pods (in {@code namespace}) per domain of {@code constraint} over the nodes of {@code nodes} that have
     * every key of {@code constraints}; a fresh map the caller may change.
     */
    synchronized Map<String, Integer> counts(String namespace, Constraint constraint, List<Constraint> constraints,
                                             NodeLister nodes) {
        Key key = new Key(namespace, constraint.selector(), constraint.key(),
                constraints.stream().map(Constraint::key).distinct().toList());
        Tally tally = recent.computeIfAbsent(key, Tally::new);
        tally.bringUpToDate(nodes);
        return tally.counts();
    }
}
