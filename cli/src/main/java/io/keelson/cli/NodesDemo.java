package io.keelson.cli;

import io.fabric8.kubernetes.api.model.DeleteOptionsBuilder;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Taint;
import io.keelson.kernel.Kernel;
import io.keelson.kernel.Resources;
import io.keelson.kernel.informer.InformerFactory;
import io.keelson.kernel.node.SimulatedNodes;
import io.keelson.kernel.nodelifecycle.NodeLifecycleController;
import io.keelson.kernel.replicaset.ReplicaSetController;
import io.keelson.kernel.scheduler.Scheduler;
import io.keelson.store.StoreMember;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The demo's simulated nodes: kubelets without machines run a ReplicaSet's scheduled pods, then a node goes silent;
 * the node lifecycle controller marks it, taints it and evicts its pods, the ReplicaSet replaces them on the other
 * nodes, and when the node is back it finishes the evicted pods' deletion.
 * Periods are shortened (leases renewed every second, 4 s grace, 3 s tolerations) so that it takes seconds, not
 * minutes.
 */
final class NodesDemo {
    private static final String NAMESPACE = "fleet";
    private final StoreMember store;
    private final PrintStream out;

    NodesDemo(StoreMember store, PrintStream out) {
        this.store = store;
        this.out = out;
    }

    void run() throws Exception {
        out.println();
        out.println("== simulated nodes (kubelets without machines) and the node lifecycle controller ==");
        try (Kernel kernel = Kernel.builder().store(store).build();
             InformerFactory informers = InformerFactory.builder(kernel).build();
             Scheduler scheduler = Scheduler.builder(kernel).informers(informers).build();
             SimulatedNodes nodes = SimulatedNodes.builder(kernel, informers)
                     .lease(Duration.ofSeconds(4), Duration.ofSeconds(1)).startDelay(Duration.ofMillis(500)).build();
             NodeLifecycleController lifecycle = NodeLifecycleController.create(kernel, informers,
                     Clock.systemUTC(), Duration.ofSeconds(4), Duration.ofSeconds(1), 1.0);
             ReplicaSetController replicaSets = ReplicaSetController.create(kernel, informers, Clock.systemUTC())) {
            Resources<Namespace> namespaces = kernel.resources(Namespace.class);
            if (namespaces.list("").stream().noneMatch(n -> n.getMetadata().getName().equals(NAMESPACE))) {
                namespaces.create(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build());
            }
            Resources<Pod> pods = kernel.resources(Pod.class).inNamespace(NAMESPACE);
            Resources<Node> nodeApi = kernel.resources(Node.class);
            Resources<ReplicaSet> sets = kernel.resources(ReplicaSet.class).inNamespace(NAMESPACE);
            deleteAll(sets, pods, nodeApi); // a previous run's, if the demo runs again on the same data
            scheduler.start().get(30, TimeUnit.SECONDS);
            for (int i = 1; i <= 3; i++) {
                nodes.add(new NodeBuilder().withNewMetadata().withName("kw-" + i)
                        .addToLabels("topology.kubernetes.io/zone", "zone-" + i).endMetadata().withNewStatus()
                        .withCapacity(Map.of("cpu", new Quantity("4"), "memory", new Quantity("8Gi"),
                                "pods", new Quantity("110"))).endStatus().build());
            }
            informers.startAll().get(30, TimeUnit.SECONDS);
            nodes.start();
            lifecycle.start();
            replicaSets.start();
            out.println("3 simulated nodes joined (kw-1..3, 4 cpu each): Node objects, Leases renewed every second");
            sets.create(replicaSet());
            KernelDemo.await(() -> pods.list("").stream().filter(p -> ready(p)).count() == 6,
                    "six pods Running and Ready");
            out.println("ReplicaSet app (6 replicas): its pods scheduled, admitted by their nodes, Running and Ready:");
            pods.list("").stream().sorted(Comparator.comparing(p -> p.getMetadata().getName())).forEach(p ->
                    out.println("  " + p.getMetadata().getName() + " on " + p.getSpec().getNodeName() + ", IP "
                            + p.getStatus().getPodIP() + ", " + p.getStatus().getPhase()));

            String victim = pods.list("").stream().collect(Collectors.groupingBy(p -> p.getSpec().getNodeName(),
                    Collectors.counting())).entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow()
                    .getKey();
            List<String> onVictim = pods.list("").stream().filter(p -> victim.equals(p.getSpec().getNodeName()))
                    .map(p -> p.getMetadata().getName()).sorted().toList();
            nodes.stopHeartbeats(victim);
            out.println(victim + " stops heartbeating (its pods: " + String.join(", ", onVictim) + ")");
            KernelDemo.await(() -> readyStatus(nodeApi.get(victim)).equals("Unknown") && !untainted(nodeApi.get(victim)),
                    victim + " to be Unknown and tainted");
            out.println("  after the grace period: Ready=" + readyStatus(nodeApi.get(victim)) + ", taints "
                    + nodeApi.get(victim).getSpec().getTaints().stream().map(t -> t.getKey() + ":" + t.getEffect())
                    .collect(Collectors.joining(", ")));
            KernelDemo.await(() -> onVictim.stream().allMatch(n -> pods.get(n).getMetadata().getDeletionTimestamp()
                    != null), "the evictions");
            out.println("  after their 3 s toleration: " + String.join(", ", onVictim) + " evicted (Terminating:"
                    + " their node is not there to finish)");
            KernelDemo.await(() -> pods.list("").stream().filter(p -> ready(p) && p.getMetadata()
                    .getDeletionTimestamp() == null).count() == 6, "the replacements");
            out.println("  the ReplicaSet replaced them: " + pods.list("").stream().filter(p -> p.getMetadata()
                    .getDeletionTimestamp() == null && !onVictim.contains(p.getMetadata().getName()))
                    .filter(p -> !victim.equals(p.getSpec().getNodeName())).count() + " pods Ready on the other"
                    + " nodes");
            nodes.resumeHeartbeats(victim);
            KernelDemo.await(() -> readyStatus(nodeApi.get(victim)).equals("True")
                    && untainted(nodeApi.get(victim)) && onVictim.stream().noneMatch(n -> exists(pods, n)),
                    victim + " to recover");
            out.println(victim + " is back: Ready=True, taints removed, and it finished deleting its evicted pods;"
                    + " ReplicaSet status: " + sets.get("app").getStatus().getReadyReplicas() + "/"
                    + sets.get("app").getSpec().getReplicas() + " ready");
            deleteAll(sets, pods, nodeApi);
        }
    }

    private static ReplicaSet replicaSet() {
        return new ReplicaSetBuilder().withNewMetadata().withName("app").endMetadata().withNewSpec().withReplicas(6)
                .withNewSelector().addToMatchLabels("app", "demo").endSelector().withNewTemplate().withNewMetadata()
                .addToLabels("app", "demo").endMetadata().withNewSpec().addNewContainer().withName("app")
                .withImage("nginx:1.25").withNewResources().addToRequests("cpu", new Quantity("500m")).endResources()
                .endContainer().addNewToleration().withKey(NodeLifecycleController.UNREACHABLE).withOperator("Exists")
                .withEffect("NoExecute").withTolerationSeconds(3L).endToleration().endSpec().endTemplate().endSpec()
                .build();
    }

    private static boolean ready(Pod p) {
        return p.getStatus() != null && p.getStatus().getConditions() != null && p.getStatus().getConditions()
                .stream().anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    private static String readyStatus(Node n) {
        return n.getStatus().getConditions().stream().filter(c -> "Ready".equals(c.getType())).findFirst()
                .map(c -> c.getStatus()).orElse("Unknown");
    }

    private static boolean untainted(Node n) {
        List<Taint> taints = n.getSpec().getTaints();
        return taints == null || taints.isEmpty();
    }

    private static boolean exists(Resources<Pod> pods, String name) {
        return pods.list("").stream().anyMatch(p -> p.getMetadata().getName().equals(name));
    }

    private static void deleteAll(Resources<ReplicaSet> sets, Resources<Pod> pods, Resources<Node> nodes) {
        for (ReplicaSet rs : sets.list("")) {
            sets.delete(rs.getMetadata().getName());
        }
        for (Pod p : pods.list("")) {
            pods.delete(p.getMetadata().getName(), new DeleteOptionsBuilder().withGracePeriodSeconds(0L).build());
        }
        for (Node n : nodes.list("")) {
            if (n.getMetadata().getName().startsWith("kw-")) {
                nodes.delete(n.getMetadata().getName());
            }
        }
    }
}
