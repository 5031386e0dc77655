package io.keelson.scheduler.plugins.podtopologyspread;

import io.keelson.kernel.LabelSelector;
import io.keelson.kernel.scheduler.framework.NodeInfo;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The pods matching a constraint on each node, remembered from one scheduling cycle to the next. Counting means
 * reading every pod on every node, and between two cycles only a node or two change: a node's count is kept with
 * the node's generation (which moves with every change to it) and counted again only when that moved. Kept for
 * the few most recent (namespace, selector) pairs; used from the scheduling cycle (its scoring threads at once).
 */
final class MatchCounts {
    private static final int SELECTORS = 8;

    private record Key(String namespace, LabelSelector selector) {
    }

    private record Counted(long generation, int count) {
    }

    /** Per node name, for one (namespace, selector); safe for the scoring threads of one cycle. */
    static final class PerNode {
        private final String namespace;
        private final LabelSelector selector;
        private final Map<String, Counted> nodes = new ConcurrentHashMap<>();

        private PerNode(String namespace, LabelSelector selector) {
            this.namespace = namespace;
            this.selector = selector;
        }

        int count(NodeInfo node) {
            Counted c = nodes.get(node.name());
            if (c == null || c.generation() != node.generation()) {
                c = new Counted(node.generation(), Constraint.countMatching(node, namespace, selector));
                nodes.put(node.name(), c);
            }
            return c.count();
        }

        /** Forgets nodes that went away, once they are as many as the nodes there are. */
        private void prune(int liveNodes) {
            if (nodes.size() > 2 * liveNodes + 16) {
                nodes.clear();
            }
        }
    }

    private final Map<Key, PerNode> recent = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, PerNode> eldest) {
            return size() > SELECTORS;
        }
    };

    /** The counts of pods in {@code namespace} matching {@code selector}, for a cycle over {@code liveNodes} nodes. */
    synchronized PerNode of(String namespace, LabelSelector selector, int liveNodes) {
        PerNode p = recent.computeIfAbsent(new Key(namespace, selector), k -> new PerNode(namespace, selector));
        p.prune(liveNodes);
        return p;
    }
}
