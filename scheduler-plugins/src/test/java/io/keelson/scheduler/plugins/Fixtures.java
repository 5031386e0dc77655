package io.keelson.scheduler.plugins;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.keelson.kernel.scheduler.framework.CycleState;
import io.keelson.kernel.scheduler.framework.FilterPlugin;
import io.keelson.kernel.scheduler.framework.Handle;
import io.keelson.kernel.scheduler.framework.NodeInfo;
import io.keelson.kernel.scheduler.framework.NodeLister;
import io.keelson.kernel.scheduler.framework.NodeScore;
import io.keelson.kernel.scheduler.framework.PodInfo;
import io.keelson.kernel.scheduler.framework.PreFilterPlugin;
import io.keelson.kernel.scheduler.framework.Status;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/** Building blocks of the plugins' table-driven tests (as kube-scheduler's st.MakeNode / st.MakePod). */
public final class Fixtures {
    private static final AtomicInteger UIDS = new AtomicInteger();

    private Fixtures() {
    }

    /** "cpu", "10m", "memory", "20", ... as a resource list. */
    public static Map<String, Quantity> resources(String... namesAndAmounts) {
        Map<String, Quantity> m = new LinkedHashMap<>();
        for (int i = 0; i < namesAndAmounts.length; i += 2) {
            m.put(namesAndAmounts[i], new Quantity(namesAndAmounts[i + 1]));
        }
        return m;
    }

    public static Node node(String name, Map<String, Quantity> allocatable) {
        return new NodeBuilder().withNewMetadata().withName(name).endMetadata().withNewSpec().endSpec()
                .withNewStatus().withAllocatable(allocatable).withCapacity(allocatable).endStatus().build();
    }

    public static Node node(String name) {
        return node(name, resources("pods", "110"));
    }

    public static Container container(String... requests) {
        return new ContainerBuilder().withName("c" + UIDS.incrementAndGet()).withImage("pause")
                .withNewResources().withRequests(resources(requests)).endResources().build();
    }

    /** A pod with these containers (no containers: a pod without any). */
    public static PodBuilder pod(String name, Container... containers) {
        return new PodBuilder().withNewMetadata().withName(name).withNamespace("default")
                .withUid("uid-" + name + "-" + UIDS.incrementAndGet()).endMetadata()
                .withNewSpec().withContainers(containers).endSpec();
    }

    public static Pod pod(Container... containers) {
        return pod("p", containers).build();
    }

    /** A pod requesting these resources in one container. */
    public static Pod requesting(String... requests) {
        return pod(container(requests));
    }

    public static NodeInfo nodeInfo(Node node, Pod... pods) {
        NodeInfo info = new NodeInfo(node);
        for (Pod p : pods) {
            Pod bound = new PodBuilder(p).editSpec().withNodeName(node.getMetadata().getName()).endSpec().build();
            info.addPod(PodInfo.of(bound));
        }
        return info;
    }

    /**
     * A handle whose snapshot lists {@code nodes} (and that has no kernel or informers); its what-if filtering runs
     * {@code filters} (and the AddPod/RemovePod extensions of those that are PreFilter plugins).
     */
    public static Handle handle(List<NodeInfo> nodes, FilterPlugin... filters) {
        NodeLister lister = new NodeLister() {
            @Override
            public List<NodeInfo> list() {
                return nodes;
            }

            @Override
            public NodeInfo get(String name) {
                return nodes.stream().filter(n -> n.name().equals(name)).findFirst().orElse(null);
            }

            @Override
            public List<NodeInfo> havePodsWithAffinity() {
                return nodes.stream().filter(n -> !n.podsWithAffinity().isEmpty()).toList();
            }

            @Override
            public List<NodeInfo> havePodsWithRequiredAntiAffinity() {
                return nodes.stream().filter(n -> !n.podsWithRequiredAntiAffinity().isEmpty()).toList();
            }

            @Override
            public int nodesWithImage(String image) {
                return (int) nodes.stream().filter(n -> n.images().containsKey(image)).count();
            }
        };
        return handle(lister, filters);
    }

    /** A handle over {@code lister}'s nodes (one that tracks its versions, say), running {@code filters}. */
    public static Handle handle(NodeLister lister, FilterPlugin... filters) {
        return new Handle() {
            @Override
            public io.keelson.kernel.Kernel kernel() {
                return null;
            }

            @Override
            public io.keelson.kernel.informer.InformerFactory informers() {
                return null;
            }

            @Override
            public io.keelson.kernel.events.EventRecorder events() {
                return null;
            }

            @Override
            public java.time.Clock clock() {
                return java.time.Clock.systemUTC();
            }

            @Override
            public NodeLister snapshot() {
                return lister;
            }

            @Override
            public java.util.Optional<io.keelson.kernel.scheduler.framework.WaitingPod> waitingPod(String uid) {
                return java.util.Optional.empty();
            }

            @Override
            public String schedulerName() {
                return "default-scheduler";
            }

            @Override
            public Status runFilters(CycleState state, Pod pod, NodeInfo node) {
                for (FilterPlugin f : filters) {
                    Status s = f.filter(state, pod, node);
                    if (!s.isSuccess()) {
                        return s.withPlugin(f.name());
                    }
                }
                return Status.success();
            }

            @Override
            public Status addPod(CycleState state, Pod podToSchedule, PodInfo added, NodeInfo node) {
                for (FilterPlugin f : filters) {
                    if (f instanceof PreFilterPlugin p && p.extensions() != null) {
                        p.extensions().addPod(state, podToSchedule, added, node);
                    }
                }
                return Status.success();
            }

            @Override
            public Status removePod(CycleState state, Pod podToSchedule, PodInfo removed, NodeInfo node) {
                for (FilterPlugin f : filters) {
                    if (f instanceof PreFilterPlugin p && p.extensions() != null) {
                        p.extensions().removePod(state, podToSchedule, removed, node);
                    }
                }
                return Status.success();
            }
        };
    }

    /** Waits up to 20 s for {@code condition}. */
    public static void await(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(20).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not reached within 20 s");
            }
            Thread.sleep(20);
        }
    }

    public static NodeScore[] scores(long... values) {
        NodeScore[] s = new NodeScore[values.length];
        for (int i = 0; i < values.length; i++) {
            s[i] = new NodeScore("n" + i, values[i]);
        }
        return s;
    }

    public static long[] values(NodeScore[] scores) {
        long[] v = new long[scores.length];
        for (int i = 0; i < scores.length; i++) {
            v[i] = scores[i].score();
        }
        return v;
    }
}
