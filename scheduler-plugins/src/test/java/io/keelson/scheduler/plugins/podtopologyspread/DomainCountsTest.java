package io.keelson.scheduler.plugins.podtopologyspread;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.keelson.kernel.LabelSelector;
import io.keelson.kernel.scheduler.framework.CycleState;
import io.keelson.kernel.scheduler.framework.NodeInfo;
import io.keelson.kernel.scheduler.framework.NodeLister;
import io.keelson.kernel.scheduler.framework.NodeScore;
import io.keelson.kernel.scheduler.framework.PluginArgs;
import io.keelson.kernel.scheduler.framework.PodInfo;
import io.keelson.kernel.scheduler.framework.Status;
import io.keelson.scheduler.plugins.Fixtures;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Counts kept across cycles equal counting every pod on every node again, whatever changed in between. */
class DomainCountsTest {
    private static final LabelSelector BLUE = LabelSelector.parse("color=blue");

    /** A lister that tracks its changes as the scheduler's snapshot does. */
    private static final class TrackingLister implements NodeLister {
        final Map<String, NodeInfo> nodes = new LinkedHashMap<>();
        final List<Set<String>> updates = new ArrayList<>();
        final List<Long> versions = new ArrayList<>(List.of(1_000L));

        void update(Map<String, NodeInfo> changes) {
            changes.forEach((name, info) -> {
                if (info == null) {
                    nodes.remove(name);
                } else {
                    nodes.put(name, info);
                }
            });
            updates.add(Set.copyOf(changes.keySet()));
            versions.add(versions.get(versions.size() - 1) + 1);
        }

        @Override
        public List<NodeInfo> list() {
            return List.copyOf(nodes.values());
        }

        @Override
        public NodeInfo get(String name) {
            return nodes.get(name);
        }

        @Override
        public List<NodeInfo> havePodsWithAffinity() {
            return List.of();
        }

        @Override
        public List<NodeInfo> havePodsWithRequiredAntiAffinity() {
            return List.of();
        }

        @Override
        public int nodesWithImage(String image) {
            return 0;
        }

        @Override
        public long version() {
            return versions.get(versions.size() - 1);
        }

        @Override
        public Set<String> changedSince(long version) {
            int i = versions.indexOf(version);
            if (i < 0) {
                return null;
            }
            Set<String> changed = new HashSet<>();
            updates.subList(i, updates.size()).forEach(changed::addAll);
            return changed;
        }
    }

    @Test
    void countsKeptAcrossChanges_equalAFullCount_forFixedSeeds() {
        for (long seed : new long[] {1, 2, 3}) {
            Random random = new Random(seed);
            TrackingLister lister = new TrackingLister();
            DomainCounts counts = new DomainCounts();
            Constraint zone = new Constraint(1, "zone", BLUE, 1, true, false);
            Constraint host = new Constraint(1, "host", BLUE, 1, true, false);
            List<Constraint> both = List.of(zone, host);
            for (int step = 0; step < 300; step++) {
                lister.update(randomChanges(random, lister));
                if (random.nextInt(3) == 0) {
                    continue; // several updates between two cycles
                }
                assertThat(counts.counts("ns", zone, both, lister)).as("seed %d step %d", seed, step)
                        .isEqualTo(fullCount(lister, "ns", zone, both));
                assertThat(counts.counts("ns", host, both, lister)).isEqualTo(fullCount(lister, "ns", host, both));
                assertThat(counts.counts("other", zone, List.of(zone), lister))
                        .isEqualTo(fullCount(lister, "other", zone, List.of(zone)));
            }
        }
    }

    @Test
    void softConstraintScores_keptAcrossChanges_equalAFullCount_forFixedSeeds() {
        io.fabric8.kubernetes.api.model.LabelSelector blue = new io.fabric8.kubernetes.api.model.LabelSelectorBuilder()
                .addToMatchLabels("color", "blue").build();
        Pod incoming = PodTopologySpreadTest.incoming("ns", Map.of("color", "blue"),
                PodTopologySpreadTest.spread(1, "zone", "ScheduleAnyway", blue),
                PodTopologySpreadTest.spread(1, "host", "ScheduleAnyway", blue));
        for (long seed : new long[] {4, 5, 6}) {
            Random random = new Random(seed);
            TrackingLister lister = new TrackingLister();
            PodTopologySpread kept = new PodTopologySpread(PluginArgs.none(), Fixtures.handle(lister));
            for (int step = 0; step < 200; step++) {
                lister.update(randomChanges(random, lister));
                if (lister.list().isEmpty() || random.nextInt(3) == 0) {
                    continue;
                }
                List<NodeInfo> all = lister.list();
                List<NodeInfo> filtered = all.stream().filter(n -> random.nextInt(4) != 0).toList();
                if (filtered.isEmpty()) {
                    continue;
                }
                PodTopologySpread fresh = new PodTopologySpread(PluginArgs.none(), Fixtures.handle(all));
                assertThat(scores(kept, incoming, filtered)).as("seed %d step %d", seed, step)
                        .isEqualTo(scores(fresh, incoming, filtered));
            }
        }
    }

    /** The plugin's normalized scores of {@code filtered} (none when it skips scoring). */
    private static long[] scores(PodTopologySpread plugin, Pod pod, List<NodeInfo> filtered) {
        CycleState state = new CycleState();
        Status pre = plugin.preScore(state, pod, filtered);
        if (pre.isSkip()) {
            return new long[0];
        }
        NodeScore[] scores = new NodeScore[filtered.size()];
        for (int i = 0; i < scores.length; i++) {
            scores[i] = new NodeScore(filtered.get(i).name(), plugin.score(state, pod, filtered.get(i)));
        }
        plugin.normalizeScores(state, pod, scores);
        return Fixtures.values(scores);
    }

    @Test
    void anotherListersVersion_meansCountingEverything() {
        TrackingLister first = new TrackingLister();
        first.update(Map.of("n1", node("n1", "z1", 2)));
        TrackingLister second = new TrackingLister();
        second.update(Map.of("n1", node("n1", "z2", 1)));
        Constraint zone = new Constraint(1, "zone", BLUE, 1, true, false);
        DomainCounts counts = new DomainCounts();

        assertThat(counts.counts("ns", zone, List.of(zone), first)).isEqualTo(Map.of("z1", 2));
        assertThat(counts.counts("ns", zone, List.of(zone), second)).isEqualTo(Map.of("z2", 1));
    }

    private static Map<String, NodeInfo> randomChanges(Random random, TrackingLister lister) {
        Map<String, NodeInfo> changes = new HashMap<>();
        for (int i = random.nextInt(3); i >= 0; i--) {
            String name = "n" + random.nextInt(12);
            NodeInfo current = lister.get(name);
            int op = random.nextInt(10);
            if (current == null || op == 0) {
                String zone = random.nextInt(5) == 0 ? null : "z" + random.nextInt(3);
                changes.put(name, node(name, zone, random.nextInt(3)));
            } else if (op == 1) {
                changes.put(name, null);
            } else {
                NodeInfo copy = current.copy();
                if (op < 6 || copy.pods().isEmpty()) {
                    String namespace = random.nextBoolean() ? "ns" : "other";
                    copy.addPod(PodInfo.of(pod(namespace, random.nextBoolean() ? "blue" : "red",
                            random.nextInt(6) == 0)));
                } else {
                    copy.removePod(copy.pods().get(random.nextInt(copy.pods().size())).pod());
                }
                changes.put(name, copy);
            }
        }
        return changes;
    }

    private static NodeInfo node(String name, String zone, int bluePods) {
        Map<String, String> labels = new HashMap<>(Map.of("host", name));
        if (zone != null) {
            labels.put("zone", zone);
        }
        Node node = PodTopologySpreadTest.node(name);
        node.getMetadata().setLabels(labels);
        NodeInfo info = new NodeInfo(node);
        for (int i = 0; i < bluePods; i++) {
            info.addPod(PodInfo.of(pod("ns", "blue", false)));
        }
        return info;
    }

    private static Pod pod(String namespace, String color, boolean terminating) {
        PodBuilder b = new PodBuilder(Fixtures.pod("p").build()).editMetadata().withNamespace(namespace)
                .addToLabels("color", color).endMetadata();
        if (terminating) {
            b.editMetadata().withDeletionTimestamp("2026-11-30T00:00:00Z").endMetadata();
        }
        return b.build();
    }

    private static Map<String, Integer> fullCount(NodeLister lister, String namespace, Constraint c,
                                                  List<Constraint> all) {
        Map<String, Integer> counts = new HashMap<>();
        for (NodeInfo node : lister.list()) {
            if (Constraint.hasAllKeys(all, node)) {
                counts.merge(node.labels().get(c.key()), Constraint.countMatching(node, namespace, c.selector()),
                        Integer::sum);
            }
        }
        return counts;
    }
}
