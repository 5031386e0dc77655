package io.keelson.cli;

import io.fabric8.kubernetes.api.model.DeleteOptionsBuilder;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Taint;
import io.keelson.kernel.Kernel;
import io.keelson.kernel.Resources;
import io.keelson.kernel.informer.InformerFactory;
import io.keelson.kernel.node.SimulatedNodes;
import io.keelson.kernel.nodelifecycle.NodeLifecycleController;
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
 * The demo's simulated nodes: kubelets without machines run the scheduled pods, then a node goes silent and the
 * node lifecycle controller marks it, taints it and evicts its pods; when it is back it finishes their deletion.
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
                     Clock.systemUTC(), Duration.ofSeconds(4), Duration.ofSeconds(1), 1.0)) {
            Resources<Namespace> namespaces = kernel.resources(Namespace.class);
            if (namespaces.list("").stream().noneMatch(n -> n.getMetadata().getName().equals(NAMESPACE))) {
                namespaces.create(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build());
            }
            Resources<Pod> pods = kernel.resources(Pod.class).inNamespace(NAMESPACE);
            Resources<Node> nodeApi = kernel.resources(Node.class);
            deleteAll(pods, nodeApi); // a previous run's, if the demo runs again on the same data
            scheduler.start().get(30, TimeUnit.SECONDS);
            for (int i = 1; i <= 3; i++) {
                nodes.add(new NodeBuilder().withNewMetadata().withName("kw-" + i)
                        .addToLabels("topology.kubernetes.io/zone", "zone-" + i).endMetadata().withNewStatus()
                        .withCapacity(Map.of("cpu", new Quantity("4"), "memory", new Quantity("8Gi"),
                                "pods", new Quantity("110"))).endStatus().build());
            }
            nodes.start();
            lifecycle.start();
            out.println("3 simulated nodes joined (kw-1..3, 4 cpu each): Node objects, Leases renewed every second");
            for (int i = 1; i <= 6; i++) {
                pods.create(pod("app-" + i));
            }
            KernelDemo.await(() -> pods.list("").stream().filter(p -> ready(p)).count() == 6,
                    "six pods Running and Ready");
            out.println("6 pods scheduled, admitted by their nodes, Running and Ready:");
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
            nodes.resumeHeartbeats(victim);
            KernelDemo.await(() -> readyStatus(nodeApi.get(victim)).equals("True")
                    && untainted(nodeApi.get(victim)) && onVictim.stream().noneMatch(n -> exists(pods, n)),
                    victim + " to recover");
            out.println(victim + " is back: Ready=True, taints removed, and it finished deleting its evicted pods;"
                    + " " + pods.list("").size() + " pods remain (a ReplicaSet would replace the others)");
            deleteAll(pods, nodeApi);
        }
    }

    private static Pod pod(String name) {
        return new PodBuilder().withNewMetadata().withName(name).addToLabels("app", "demo").endMetadata()
                .withNewSpec().addNewContainer().withName("app").withImage("nginx:1.25").withNewResources()
                .addToRequests("cpu", new Quantity("500m")).endResources().endContainer()
                .addNewToleration().withKey(NodeLifecycleController.UNREACHABLE).withOperator("Exists")
                .withEffect("NoExecute").withTolerationSeconds(3L).endToleration().endSpec().build();
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

    private static void deleteAll(Resources<Pod> pods, Resources<Node> nodes) {
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
