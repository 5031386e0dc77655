package io.keelson.cli;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.keelson.kernel.ApiException;
import io.keelson.kernel.Kernel;
import io.keelson.kernel.Resources;
import io.keelson.kernel.informer.InformerFactory;
import io.keelson.kernel.manager.ControllerManager;
import io.keelson.kernel.node.SimulatedNodes;
import io.keelson.kernel.scheduler.Scheduler;
import io.keelson.store.KeelsonStore;
import io.keelson.store.StoreConfig;
import io.keelson.store.StoreMember;
import io.keelson.store.server.EtcdServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * Runs the orchestration kernel until stopped: a single-node store (serving etcd's v3 API, so {@code etcdctl get
 * --prefix /registry/} shows the objects), the kernel, the controller manager, the scheduler and simulated nodes;
 * manifests given are applied at start.
 */
@Command(name = "kernel", mixinStandardHelpOptions = true,
        description = "Run store + kernel + controllers + scheduler + simulated nodes until stopped; the etcd client"
                + " port stays open, so etcdctl sees the objects under /registry/.")
final class KernelCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--data-dir", defaultValue = "kernel.keelson", description = "Data directory (default:"
            + " ${DEFAULT-VALUE}); a restart on the same directory takes its objects up again.")
    Path dataDir;

    @Option(names = "--listen-client-urls", defaultValue = "http://127.0.0.1:2379",
            description = "Where etcd clients reach the store (default: ${DEFAULT-VALUE}).")
    URI listenClientUrl;

    @Option(names = "--nodes", defaultValue = "3", description = "Simulated nodes, kw-1..kw-N (default: ${DEFAULT-VALUE}).")
    int nodes;

    @Option(names = "--node-cpu", defaultValue = "4", description = "Each node's cpu (default: ${DEFAULT-VALUE}).")
    String nodeCpu;

    @Option(names = "--node-memory", defaultValue = "16Gi", description = "Each node's memory (default: ${DEFAULT-VALUE}).")
    String nodeMemory;

    @Option(names = "--node-pods", defaultValue = "110", description = "Pods per node (default: ${DEFAULT-VALUE}).")
    String nodePods;

    @Option(names = "--zones", defaultValue = "3", description = "Nodes spread over this many zones, zone-a, zone-b, ..."
            + " (default: ${DEFAULT-VALUE}).")
    int zones;

    @Option(names = "--start-delay", defaultValue = "1s", description = "How long a pod's containers take to start,"
            + " e.g. 500ms or 2s (default: ${DEFAULT-VALUE}).")
    String startDelay;

    @Option(names = "--manifest", description = "A YAML or JSON manifest to apply at start (repeatable); objects that"
            + " already exist are left as they are.")
    List<Path> manifests = new ArrayList<>();

    @Option(names = "--pod-manifest-path", description = "A directory of static pod manifests every simulated node"
            + " runs, shown as mirror pods <pod>-<node> (the kubelet's flag; read every 20 s).")
    Path podManifestPath;

    @Override
    public Integer call() throws Exception {
        check();
        if (podManifestPath != null && !Files.isDirectory(podManifestPath)) {
            throw new ParameterException(spec.commandLine(), "--pod-manifest-path: not a directory: "
                    + podManifestPath);
        }
        Duration delay = duration(startDelay);
        List<String> texts = new ArrayList<>();
        for (Path m : manifests) {
            if (!Files.isReadable(m)) {
                throw new ParameterException(spec.commandLine(), "--manifest: cannot read " + m);
            }
            texts.add(Files.readString(m));
        }
        StoreMember store = KeelsonStore.open(StoreConfig.singleNode(dataDir));
        EtcdServer server;
        try {
            server = EtcdServer.start(store, List.of(new InetSocketAddress(listenClientUrl.getHost(),
                    listenClientUrl.getPort())), List.of(listenClientUrl.toString()));
        } catch (IOException e) {
            store.close();
            System.err.println("keelson: cannot listen on " + listenClientUrl + ": " + e.getMessage());
            return 1;
        }
        Kernel kernel = Kernel.builder().store(store).build();
        InformerFactory informers = InformerFactory.builder(kernel).build();
        Scheduler scheduler = Scheduler.builder(kernel).informers(informers).build();
        SimulatedNodes simulated = SimulatedNodes.builder(kernel, informers).startDelay(delay).build();
        ControllerManager manager = ControllerManager.builder(kernel, "keelson-kernel").build();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            manager.close();
            simulated.close();
            scheduler.close();
            informers.close();
            kernel.close();
            server.close();
            store.close();
        }, "keelson-shutdown"));
        CountDownLatch stopped = new CountDownLatch(1);
        scheduler.start().get(60, TimeUnit.SECONDS);
        for (int i = 1; i <= nodes; i++) {
            simulated.add(new NodeBuilder().withNewMetadata().withName("kw-" + i)
                    .addToLabels("topology.kubernetes.io/zone", "zone-" + (char) ('a' + (i - 1) % zones))
                    .endMetadata().withNewStatus().withCapacity(Map.of("cpu", new Quantity(nodeCpu), "memory",
                            new Quantity(nodeMemory), "pods", new Quantity(nodePods))).endStatus().build(),
                    podManifestPath);
        }
        informers.startAll().get(60, TimeUnit.SECONDS);
        simulated.start();
        manager.start();
        for (int i = 0; i < texts.size(); i++) {
            apply(kernel, manifests.get(i), texts.get(i));
        }
        System.err.println("keelson: kernel running with " + nodes + " simulated nodes; etcd clients on "
                + listenClientUrl + ", data in " + dataDir + " (etcdctl get --prefix /registry/ --keys-only)");
        stopped.await();
        return 0;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static void apply(Kernel kernel, Path file, String manifest) {
        for (HasMetadata object : kernel.load(manifest)) {
            String what = object.getKind() + " " + (object.getMetadata().getNamespace() == null ? ""
                    : object.getMetadata().getNamespace() + "/") + object.getMetadata().getName();
            Resources resources = kernel.resources(object.getClass());
            if (resources.type().namespaced() && object.getMetadata().getNamespace() != null) {
                resources = resources.inNamespace(object.getMetadata().getNamespace());
            }
            try {
                resources.create(object);
                System.err.println("keelson: " + file + ": created " + what);
            } catch (ApiException e) {
                if (!"AlreadyExists".equals(e.reason())) {
                    throw e;
                }
                System.err.println("keelson: " + file + ": " + what + " exists, left as it is");
            }
        }
    }

    private void check() {
        if (nodes < 0 || zones < 1) {
            throw new ParameterException(spec.commandLine(), "--nodes must be 0 or more and --zones 1 or more");
        }
        if (listenClientUrl.getHost() == null || listenClientUrl.getPort() <= 0) {
            throw new ParameterException(spec.commandLine(), "--listen-client-urls: expected http://host:port, got '"
                    + listenClientUrl + "'");
        }
        for (String[] q : new String[][] {{"--node-cpu", nodeCpu}, {"--node-memory", nodeMemory},
                {"--node-pods", nodePods}}) {
            try {
                Quantity.getAmountInBytes(new Quantity(q[1]));
            } catch (RuntimeException e) {
                throw new ParameterException(spec.commandLine(), q[0] + ": not a quantity: '" + q[1] + "'");
            }
        }
    }

    private Duration duration(String text) {
        try {
            if (text.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(text.substring(0, text.length() - 2)));
            }
            if (text.endsWith("s")) {
                return Duration.ofMillis(Math.round(Double.parseDouble(text.substring(0, text.length() - 1)) * 1000));
            }
        } catch (NumberFormatException e) {
            // the message below
        }
        throw new ParameterException(spec.commandLine(), "--start-delay: expected a duration such as 500ms or 2s, got '"
                + text + "'");
    }
}
