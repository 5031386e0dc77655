package io.keelson.cli;

import io.fabric8.kubernetes.api.model.DeleteOptionsBuilder;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.keelson.kernel.Kernel;
import io.keelson.kernel.Resources;
import io.keelson.kernel.scheduler.Scheduler;
import io.keelson.store.StoreMember;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The demo's scheduler part: kube-scheduler's default profile over three nodes (one tainted for GPUs), pods placed,
 * one that fits nowhere reported as kube-scheduler reports it, then placed when a node with room appears.
 */
final class SchedulerDemo {
    private final StoreMember store;
    private final PrintStream out;

    SchedulerDemo(StoreMember store, PrintStream out) {
        this.store = store;
        this.out = out;
    }

    void run() throws Exception {
        out.println();
        out.println("== the scheduler (kube-scheduler's framework and default plugins) ==");
        try (Kernel kernel = Kernel.builder().store(store).build();
             Scheduler scheduler = Scheduler.builder(kernel).build()) {
            scheduler.start().get(30, TimeUnit.SECONDS);
            Resources<io.fabric8.kubernetes.api.model.Namespace> namespaces =
                    kernel.resources(io.fabric8.kubernetes.api.model.Namespace.class);
            if (namespaces.list("").stream().noneMatch(n -> n.getMetadata().getName().equals("scheduling"))) {
                namespaces.create(new NamespaceBuilder().withNewMetadata().withName("scheduling").endMetadata().build());
            }
            Resources<Node> nodes = kernel.resources(Node.class);
            Resources<Pod> pods = kernel.resources(Pod.class).inNamespace("scheduling");
            cleanUp(nodes, pods); // a previous run's, if the demo runs again on the same data
            nodes.create(node("node-a", "zone-1", "4", false));
            nodes.create(node("node-b", "zone-2", "4", false));
            nodes.create(node("gpu-1", "zone-1", "8", true));
            out.println("nodes: node-a (4 cpu, zone-1), node-b (4 cpu, zone-2), gpu-1 (8 cpu, tainted dedicated=gpu)");
            for (int i = 1; i <= 4; i++) {
                pods.create(pod("web-" + i, "1").build());
            }
            pods.create(pod("trainer", "2").editSpec().addNewToleration().withKey("dedicated").withOperator("Equal")
                    .withValue("gpu").withEffect("NoSchedule").endToleration()
                    .addToNodeSelector("kubernetes.io/hostname", "gpu-1").endSpec().build());
            pods.create(pod("batch", "6").build());
            KernelDemo.await(() -> pods.list("").stream().allMatch(p -> p.getSpec().getNodeName() != null
                    || p.getStatus().getConditions().stream().anyMatch(c -> "Unschedulable".equals(c.getReason()))),
                    "the scheduler to decide every pod");
            for (Pod p : pods.list("")) {
                out.println("  " + p.getMetadata().getName() + " (" + cpu(p) + " cpu) -> "
                        + (p.getSpec().getNodeName() == null ? "pending: " + p.getStatus().getConditions().stream()
                        .filter(c -> "PodScheduled".equals(c.getType())).findFirst().orElseThrow().getMessage()
                        : p.getSpec().getNodeName()));
            }
            nodes.create(node("node-c", "zone-2", "8", false));
            out.println("added node-c (8 cpu): the node event moves batch back to the active queue");
            KernelDemo.await(() -> pods.get("batch").getSpec().getNodeName() != null, "batch to be scheduled");
            out.println("  batch -> " + pods.get("batch").getSpec().getNodeName());
            java.util.Set<String> uids = new java.util.HashSet<>();
            pods.list("").forEach(p -> uids.add(p.getMetadata().getUid()));
            KernelDemo.await(() -> events(kernel, "Scheduled", uids).size() == 6, "the Scheduled events");
            List<Event> failed = events(kernel, "FailedScheduling", uids);
            out.println("events: " + events(kernel, "Scheduled", uids).size() + " Scheduled (\""
                    + events(kernel, "Scheduled", uids).get(0).getMessage() + "\", ...), " + failed.size()
                    + " FailedScheduling from " + failed.get(0).getSource().getComponent());
            cleanUp(nodes, pods);
        }
    }

    /** Deletes the demo's pods (at once: no node agent runs here to finish a graceful deletion) and nodes. */
    private static void cleanUp(Resources<Node> nodes, Resources<Pod> pods) {
        for (Pod p : pods.list("")) {
            pods.delete(p.getMetadata().getName(), new DeleteOptionsBuilder().withGracePeriodSeconds(0L).build());
        }
        for (Node n : nodes.list("")) {
            nodes.delete(n.getMetadata().getName());
        }
    }

    /** This run's events: those about the pods it created (a previous run's stay for their hour). */
    private static List<Event> events(Kernel kernel, String reason, java.util.Set<String> podUids) {
        return kernel.resources(Event.class).inNamespace("scheduling").list("").stream()
                .filter(e -> reason.equals(e.getReason()) && podUids.contains(e.getInvolvedObject().getUid()))
                .toList();
    }

    private static Node node(String name, String zone, String cpu, boolean gpu) {
        NodeBuilder b = new NodeBuilder().withNewMetadata().withName(name)
                .withLabels(Map.of("kubernetes.io/hostname", name, "topology.kubernetes.io/zone", zone)).endMetadata()
                .withNewSpec().endSpec().withNewStatus().withCapacity(Map.of("cpu", new Quantity(cpu),
                        "memory", new Quantity("16Gi"), "pods", new Quantity("110"))).endStatus();
        if (gpu) {
            b.editSpec().addNewTaint().withKey("dedicated").withValue("gpu").withEffect("NoSchedule").endTaint()
                    .endSpec();
        }
        return b.build();
    }

    private static PodBuilder pod(String name, String cpu) {
        return new PodBuilder().withNewMetadata().withName(name).addToLabels("app", name.replaceAll("-\\d+$", ""))
                .endMetadata().withNewSpec().addNewContainer().withName("app").withImage("nginx:1.25")
                .withNewResources().addToRequests("cpu", new Quantity(cpu)).addToRequests("memory",
                        new Quantity("256Mi")).endResources().endContainer().endSpec();
    }

    private static String cpu(Pod p) {
        return p.getSpec().getContainers().get(0).getResources().getRequests().get("cpu").toString();
    }
}
