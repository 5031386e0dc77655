package io.keelson.cli;

import io.fabric8.kubernetes.api.model.DeleteOptionsBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.keelson.kernel.Kernel;
import io.keelson.kernel.ListRequest;
import io.keelson.kernel.ResourceWatch;
import io.keelson.kernel.Resources;
import io.keelson.kernel.WatchEvent;
import io.keelson.kernel.WatchRequest;
import io.keelson.kernel.controller.ManagedController;
import io.keelson.kernel.deployment.DeploymentController;
import io.keelson.kernel.endpoints.EndpointSliceController;
import io.keelson.kernel.endpoints.EndpointsController;
import io.keelson.kernel.endpoints.ServiceResolver;
import io.keelson.kernel.gc.GarbageCollector;
import io.keelson.kernel.informer.InformerFactory;
import io.keelson.kernel.namespace.NamespaceController;
import io.keelson.kernel.node.SimulatedNodes;
import io.keelson.kernel.nodelifecycle.NodeLifecycleController;
import io.keelson.kernel.replicaset.ReplicaSetController;
import io.keelson.kernel.scheduler.Scheduler;
import io.keelson.store.StoreMember;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The demo's last chapter, the control loop closed: simulated nodes join, the web tier of {@code examples/web.yaml}
 * is applied, its pods are scheduled and start, a new image rolls out within maxSurge and maxUnavailable, a node
 * goes silent and its pods are evicted and replaced, the Service resolves and round-robins, the rollout is undone.
 * Node timings are shortened (leases renewed every second, a 4 s grace) so that it takes seconds, not minutes.
 */
final class ClusterDemo {
    private static final String NAMESPACE = "shop";
    private static final Clock CLOCK = Clock.systemUTC();

    private final StoreMember store;
    private final PrintStream out;
    private final long start = System.nanoTime();
    private final List<String[]> summary = new ArrayList<>();
    private long stepStart = System.nanoTime();

    ClusterDemo(StoreMember store, PrintStream out) {
        this.store = store;
        this.out = out;
    }

    void run() throws Exception {
        out.println();
        out.println("== the control loop: nodes, a Deployment rolled out, a node lost, a Service, an undo ==");
        try (Kernel kernel = Kernel.builder().store(store).build();
             InformerFactory informers = InformerFactory.builder(kernel).build();
             Scheduler scheduler = Scheduler.builder(kernel).informers(informers).build();
             SimulatedNodes nodes = SimulatedNodes.builder(kernel, informers)
                     .lease(Duration.ofSeconds(4), Duration.ofSeconds(1)).startDelay(Duration.ofMillis(300)).build();
             NodeLifecycleController lifecycle = NodeLifecycleController.create(kernel, informers, CLOCK,
                     Duration.ofSeconds(4), Duration.ofSeconds(1), 1.0)) {
            List<ManagedController> controllers = List.of(NamespaceController.create(kernel, informers, CLOCK),
                    GarbageCollector.create(kernel, informers), ReplicaSetController.create(kernel, informers, CLOCK),
                    DeploymentController.create(kernel, informers, CLOCK),
                    EndpointSliceController.create(kernel, informers, CLOCK),
                    EndpointsController.create(kernel, informers));
            ServiceResolver resolver = ServiceResolver.create(informers);
            try {
                scheduler.start().get(30, TimeUnit.SECONDS);
                for (int i = 1; i <= 3; i++) {
                    nodes.add(new NodeBuilder().withNewMetadata().withName("kw-" + i)
                            .addToLabels("topology.kubernetes.io/zone", "zone-" + (char) ('a' + i - 1)).endMetadata()
                            .withNewStatus().withCapacity(Map.of("cpu", new Quantity("4"), "memory",
                                    new Quantity("8Gi"), "pods", new Quantity("110"))).endStatus().build());
                }
                informers.startAll().get(30, TimeUnit.SECONDS);
                nodes.start();
                lifecycle.start();
                controllers.forEach(ManagedController::start);
                removeLeftovers(kernel);
                story(kernel, nodes, resolver);
            } finally {
                controllers.forEach(ManagedController::close);
            }
        }
        printSummary();
    }

    private void story(Kernel kernel, SimulatedNodes nodes, ServiceResolver resolver) throws Exception {
        Resources<Pod> pods = kernel.resources(Pod.class).inNamespace(NAMESPACE);
        Resources<Deployment> deployments = kernel.resources(Deployment.class).inNamespace(NAMESPACE);
        KernelDemo.await(() -> kernel.resources(Node.class).list(ListRequest.all()).items().stream()
                .filter(n -> n.getMetadata().getName().startsWith("kw-")).count() == 3, "the nodes");
        say("3 simulated nodes joined: kw-1, kw-2, kw-3 (zones a, b, c; 4 cpu, 8Gi each), Leases renewed every second");
        done("nodes join", "3 Ready");

        List<HasMetadata> applied = kernel.apply(manifest(), null);
        say("applied examples/web.yaml: " + applied.stream().map(o -> o.getKind() + " " + o.getMetadata().getName())
                .collect(Collectors.joining(", ")) + " (6 replicas of nginx:1.25, maxSurge 1, maxUnavailable 1)");
        KernelDemo.await(() -> complete(deployments.get("web")), "the first rollout");
        say("6/6 pods Running and Ready:");
        livePods(pods).forEach(p -> say("  " + p.getMetadata().getName() + " on " + p.getSpec().getNodeName()
                + ", IP " + p.getStatus().getPodIP()));
        done("first rollout", "6/6 Ready, revision " + revision(deployments.get("web")));

        Service svc = kernel.resources(Service.class).inNamespace(NAMESPACE).get("web");
        String dns = "web." + NAMESPACE + ".svc.cluster.local";
        KernelDemo.await(() -> resolver.pick(dns, "http").isPresent(), "the Service's endpoints");
        List<String> picks = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            picks.add(resolver.pick(dns, "http").map(a -> a.getHostString() + ":" + a.getPort()).orElse("none"));
        }
        say("Service web: ClusterIP " + svc.getSpec().getClusterIP() + "; " + dns + " resolves to "
                + resolver.resolve(dns) + "; 6 picks for port http go round-robin: " + String.join(", ", picks));
        done("Service", "ClusterIP " + svc.getSpec().getClusterIP() + ", " + picks.stream().distinct().count()
                + " endpoints");

        rollOut(kernel, pods, deployments);

        String victim = livePods(pods).stream().collect(Collectors.groupingBy(p -> p.getSpec().getNodeName(),
                TreeMap::new, Collectors.counting())).entrySet().stream().max(Map.Entry.comparingByValue())
                .orElseThrow().getKey();
        List<String> lost = livePods(pods).stream().filter(p -> victim.equals(p.getSpec().getNodeName()))
                .map(p -> p.getMetadata().getName()).sorted().toList();
        nodes.stopHeartbeats(victim);
        say(victim + " stops heartbeating (its pods: " + String.join(", ", lost) + ")");
        Resources<Node> nodeApi = kernel.resources(Node.class);
        KernelDemo.await(() -> tainted(nodeApi.get(victim)), victim + " to be tainted");
        say("  " + victim + " Ready=Unknown after the 4 s grace; taints " + nodeApi.get(victim).getSpec().getTaints()
                .stream().map(t -> t.getKey() + ":" + t.getEffect()).collect(Collectors.joining(", ")));
        KernelDemo.await(() -> livePods(pods).size() == 6 && livePods(pods).stream().allMatch(p -> ready(p)
                && !victim.equals(p.getSpec().getNodeName())), "the replacements");
        say("  its pods were evicted when their 5 s toleration ran out; the ReplicaSet replaced them on the others:");
        livePods(pods).forEach(p -> say("    " + p.getMetadata().getName() + " on " + p.getSpec().getNodeName()));
        KernelDemo.await(() -> resolver.pick(dns, "http").isPresent() && endpointsAllOff(resolver, dns, pods, victim),
                "the endpoints to follow");
        say("  the Service's endpoints followed: " + readyEndpoints(resolver, dns) + " ready endpoints, none on "
                + victim);
        done("node lost", lost.size() + " pods evicted and replaced");
        nodes.resumeHeartbeats(victim);
        KernelDemo.await(() -> !tainted(nodeApi.get(victim)), victim + " to recover");
        say(victim + " is back: Ready, taints removed");
        done("node back", "untainted");

        Deployment undone = DeploymentController.undo(kernel, NAMESPACE, "web", 0);
        say("rollout undo: the template of revision 1 (image " + undone.getSpec().getTemplate().getSpec()
                .getContainers().get(0).getImage() + ") goes back into the Deployment");
        KernelDemo.await(() -> complete(deployments.get("web")) && livePods(pods).size() == 6 && livePods(pods)
                .stream().allMatch(p -> image(p).equals("nginx:1.25")), "the undo");
        say("  rolled back: 6/6 Ready on nginx:1.25, revision " + revision(deployments.get("web")) + "; ReplicaSets: "
                + replicaSets(kernel));
        done("undo", "6/6 on nginx:1.25, revision " + revision(deployments.get("web")));

        kernel.resources(Namespace.class).delete(NAMESPACE);
        KernelDemo.await(() -> kernel.resources(Namespace.class).list(ListRequest.all()).items().stream()
                .noneMatch(n -> n.getMetadata().getName().equals(NAMESPACE)), "the namespace to go");
        say("namespace shop deleted: its Deployment, ReplicaSets, pods, Service and EndpointSlices went with it");
        done("clean-up", "namespace gone");
        for (String n : List.copyOf(nodes.nodes())) {
            nodes.remove(n);
        }
    }

    /** The new image rolls out; the pods' watch checks the bounds at every revision it delivers. */
    private void rollOut(Kernel kernel, Resources<Pod> pods, Resources<Deployment> deployments) throws Exception {
        Map<String, Pod> seen = new ConcurrentHashMap<>();
        livePods(pods).forEach(p -> seen.put(p.getMetadata().getName(), p));
        int[] bounds = {Integer.MAX_VALUE, 0, 0}; // min available, max pods, revisions observed
        String from = pods.list(ListRequest.all()).resourceVersion();
        try (ResourceWatch watch = pods.watch(WatchRequest.fromResourceVersion(from), e -> {
            if (!e.isChange()) {
                return;
            }
            if (e.type() == WatchEvent.Type.DELETED) {
                seen.remove(e.object().getMetadata().getName());
            } else {
                seen.put(e.object().getMetadata().getName(), e.object());
            }
            synchronized (bounds) {
                bounds[0] = Math.min(bounds[0], (int) seen.values().stream().filter(p -> live(p) && ready(p)).count());
                bounds[1] = Math.max(bounds[1], (int) seen.values().stream().filter(ClusterDemo::live).count());
                bounds[2]++;
            }
        })) {
            Deployment d = deployments.get("web");
            d.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("nginx:1.26");
            deployments.update(d);
            say("image changed to nginx:1.26: the rollout starts");
            Map<String, Integer> last = Map.of();
            while (!(complete(deployments.get("web")) && livePods(pods).size() == 6)) {
                Map<String, Integer> sizes = new TreeMap<>();
                for (ReplicaSet rs : kernel.resources(ReplicaSet.class).inNamespace(NAMESPACE).list(ListRequest.all())
                        .items()) {
                    sizes.put(rs.getSpec().getTemplate().getSpec().getContainers().get(0).getImage(),
                            rs.getSpec().getReplicas());
                }
                if (!sizes.equals(last)) {
                    say("  ReplicaSets: " + sizes.entrySet().stream().map(e -> e.getKey() + " x" + e.getValue())
                            .collect(Collectors.joining(", ")));
                    last = sizes;
                }
                Thread.sleep(20);
            }
        }
        synchronized (bounds) {
            say("rollout complete: revision " + revision(deployments.get("web")) + ", 6/6 on nginx:1.26; over "
                    + bounds[2] + " pod revisions watched: at most " + bounds[1] + " pods (bound 6 + 1), at least "
                    + bounds[0] + " available (bound 6 - 1)");
            done("rolling update", "max " + bounds[1] + " pods, min " + bounds[0] + " available");
        }
    }

    private void removeLeftovers(Kernel kernel) throws InterruptedException {
        Resources<Namespace> namespaces = kernel.resources(Namespace.class);
        if (namespaces.list(ListRequest.all()).items().stream().noneMatch(n -> n.getMetadata().getName()
                .equals(NAMESPACE))) {
            return;
        }
        // a run that stopped half-way: its nodes are gone, so nobody would finish its pods' graceful deletion
        Resources<Pod> pods = kernel.resources(Pod.class).inNamespace(NAMESPACE);
        for (Pod p : pods.list(ListRequest.all()).items()) {
            pods.delete(p.getMetadata().getName(), new DeleteOptionsBuilder().withGracePeriodSeconds(0L).build());
        }
        namespaces.delete(NAMESPACE);
        KernelDemo.await(() -> namespaces.list(ListRequest.all()).items().stream().noneMatch(n -> n.getMetadata()
                .getName().equals(NAMESPACE)), "a previous run's namespace to go");
    }

    private static String manifest() throws IOException {
        try (InputStream in = ClusterDemo.class.getResourceAsStream("/examples/web.yaml")) {
            if (in == null) {
                throw new IOException("examples/web.yaml is not on the class path");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static boolean complete(Deployment d) {
        var s = d.getStatus();
        int replicas = d.getSpec().getReplicas();
        return s != null && d.getMetadata().getGeneration().equals(s.getObservedGeneration())
                && Integer.valueOf(replicas).equals(s.getUpdatedReplicas())
                && Integer.valueOf(replicas).equals(s.getReplicas())
                && Integer.valueOf(replicas).equals(s.getAvailableReplicas());
    }

    private static String revision(Deployment d) {
        return d.getMetadata().getAnnotations().get("deployment.kubernetes.io/revision");
    }

    private static String replicaSets(Kernel kernel) {
        return kernel.resources(ReplicaSet.class).inNamespace(NAMESPACE).list(ListRequest.all()).items().stream()
                .map(rs -> rs.getMetadata().getName() + " (" + rs.getSpec().getTemplate().getSpec().getContainers()
                        .get(0).getImage() + ", revision " + rs.getMetadata().getAnnotations()
                        .get("deployment.kubernetes.io/revision") + ") x" + rs.getSpec().getReplicas())
                .sorted().collect(Collectors.joining(", "));
    }

    private static List<Pod> livePods(Resources<Pod> pods) {
        return pods.list(ListRequest.all()).items().stream().filter(ClusterDemo::live)
                .sorted(java.util.Comparator.comparing(p -> p.getMetadata().getName())).toList();
    }

    private static boolean live(Pod p) {
        String phase = p.getStatus() == null ? null : p.getStatus().getPhase();
        return p.getMetadata().getDeletionTimestamp() == null && !"Succeeded".equals(phase) && !"Failed".equals(phase);
    }

    private static boolean ready(Pod p) {
        return p.getStatus() != null && p.getStatus().getConditions() != null && p.getStatus().getConditions()
                .stream().anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    private static String image(Pod p) {
        return p.getSpec().getContainers().get(0).getImage();
    }

    private static boolean tainted(Node n) {
        return n.getSpec().getTaints() != null && !n.getSpec().getTaints().isEmpty();
    }

    private static int readyEndpoints(ServiceResolver resolver, String dns) {
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (int i = 0; i < 12; i++) {
            resolver.pick(dns, "http").ifPresent(a -> seen.add(a.getHostString()));
        }
        return seen.size();
    }

    private static boolean endpointsAllOff(ServiceResolver resolver, String dns, Resources<Pod> pods, String node) {
        java.util.Set<String> onNode = pods.list(ListRequest.all()).items().stream()
                .filter(p -> node.equals(p.getSpec().getNodeName()) && p.getStatus() != null)
                .map(p -> p.getStatus().getPodIP()).collect(Collectors.toSet());
        for (int i = 0; i < 12; i++) {
            if (resolver.pick(dns, "http").map(a -> onNode.contains(a.getHostString())).orElse(true)) {
                return false;
            }
        }
        return readyEndpoints(resolver, dns) == 6;
    }

    private void say(String line) {
        out.println(line);
    }

    private void done(String step, String result) {
        long now = System.nanoTime();
        summary.add(new String[] {step, String.format("%.1f s", (now - stepStart) / 1e9), result});
        stepStart = now;
    }

    private void printSummary() {
        out.println();
        out.printf("%-16s %8s  %s%n", "step", "took", "result");
        for (String[] row : summary) {
            out.printf("%-16s %8s  %s%n", row[0], row[1], row[2]);
        }
        out.printf("%-16s %8s%n", "total", String.format("%.1f s", (System.nanoTime() - start) / 1e9));
    }
}
