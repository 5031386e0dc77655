package io.keelson.kernel.node;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddressBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.NodeConditionBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.keelson.kernel.ApiException;
import io.keelson.kernel.Kernel;
import io.keelson.kernel.Resources;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One simulated kubelet's node side: registers the Node (defaults filled in as a kubelet reports them), renews its
 * Lease in {@code kube-node-lease} and reports NodeStatus at registration and every status report interval. Its
 * heartbeats can be stopped and resumed, as a node that loses its network.
 */
final class NodeAgent {
    static final String LEASE_NAMESPACE = "kube-node-lease";
    static final Map<String, Quantity> DEFAULT_CAPACITY = Map.of("cpu", new Quantity("32"),
            "memory", new Quantity("256Gi"), "pods", new Quantity("110"),
            "ephemeral-storage", new Quantity("100Gi"));

    private final String name;
    private final int index;
    private final NodeTiming timing;
    private final Kernel kernel;
    private final Agenda agenda;
    final PodAddresses addresses;
    /** The node's static pods; null when it was given no manifest directory. */
    final StaticPods staticPods;
    private volatile boolean heartbeating = true;
    private volatile boolean removed;
    private String uid;

    NodeAgent(String name, int index, NodeTiming timing, Kernel kernel, Agenda agenda, Path manifests) {
        this.name = name;
        this.staticPods = manifests == null ? null : new StaticPods(name, manifests, kernel);
        this.index = index;
        this.timing = timing;
        this.kernel = kernel;
        this.agenda = agenda;
        this.addresses = new PodAddresses(index);
    }

    String name() {
        return name;
    }

    /** The node's IP: one per node from 172.16.0.0/12, in order of joining. */
    String hostIp() {
        int n = index + 1;
        return "172." + (16 + (n >> 16)) + "." + ((n >> 8) & 0xff) + "." + (n & 0xff);
    }

    /** The Node's uid, once registered. */
    synchronized String uid() {
        return uid;
    }

    boolean heartbeating() {
        return heartbeating && !removed;
    }

    /** Creates (or takes over) the Node and its Lease, then plans the heartbeats. */
    synchronized Node register(Node template) {
        Resources<Node> nodes = kernel.resources(Node.class);
        Node created;
        try {
            created = nodes.create(withDefaults(template));
        } catch (ApiException e) {
            if (e.code() != 409) {
                throw e;
            }
            created = nodes.get(name); // registered before (a restart on the same data): keep it
        }
        uid = created.getMetadata().getUid();
        created = reportStatus(created);
        renewLease();
        return created;
    }

    private Node withDefaults(Node template) {
        NodeBuilder b = new NodeBuilder(template);
        Map<String, String> labels = new LinkedHashMap<>(template.getMetadata().getLabels() == null ? Map.of()
                : template.getMetadata().getLabels());
        labels.putIfAbsent("kubernetes.io/hostname", name);
        labels.putIfAbsent("kubernetes.io/os", "linux");
        labels.putIfAbsent("kubernetes.io/arch", "amd64");
        b.editMetadata().withLabels(labels).endMetadata();
        if (template.getSpec() == null || template.getSpec().getPodCIDR() == null) {
            b.editOrNewSpec().withPodCIDR(addresses.cidr()).withPodCIDRs(addresses.cidr()).endSpec();
        }
        Map<String, Quantity> capacity = template.getStatus() == null || template.getStatus().getCapacity() == null
                || template.getStatus().getCapacity().isEmpty() ? DEFAULT_CAPACITY : template.getStatus().getCapacity();
        Map<String, Quantity> allocatable = template.getStatus() == null
                || template.getStatus().getAllocatable() == null || template.getStatus().getAllocatable().isEmpty()
                ? capacity : template.getStatus().getAllocatable();
        return b.editOrNewStatus().withCapacity(capacity).withAllocatable(allocatable)
                .withAddresses(new NodeAddressBuilder().withType("InternalIP").withAddress(hostIp()).build(),
                        new NodeAddressBuilder().withType("Hostname").withAddress(name).build())
                .withNewDaemonEndpoints().withNewKubeletEndpoint().withPort(10250).endKubeletEndpoint()
                .endDaemonEndpoints()
                .withNewNodeInfo().withArchitecture("amd64").withOperatingSystem("linux")
                .withKubeletVersion(SimulatedNodes.KUBELET_VERSION).withKubeProxyVersion("")
                .withContainerRuntimeVersion("keelson://simulated").withOsImage("Keelson simulated node")
                .withKernelVersion("").withMachineID(name).withSystemUUID(name).withBootID(name).endNodeInfo()
                .endStatus().build();
    }

    /** Writes the node's status with fresh heartbeat times, then plans the next report. */
    synchronized Node reportStatus(Node current) {
        if (!heartbeating()) {
            return current;
        }
        // planned first: a failed write must not end the reports
        agenda.after("node/" + name + "/status", timing.statusReportInterval(),
                () -> reportStatus(kernel.resources(Node.class).get(name)));
        Instant now = timing.clock().instant();
        List<NodeCondition> conditions = new ArrayList<>();
        Map<String, NodeCondition> previous = new LinkedHashMap<>();
        if (current.getStatus() != null && current.getStatus().getConditions() != null) {
            current.getStatus().getConditions().forEach(c -> previous.put(c.getType(), c));
        }
        conditions.add(condition(previous, "MemoryPressure", "False", "KubeletHasSufficientMemory",
                "kubelet has sufficient memory available", now));
        conditions.add(condition(previous, "DiskPressure", "False", "KubeletHasNoDiskPressure",
                "kubelet has no disk pressure", now));
        conditions.add(condition(previous, "PIDPressure", "False", "KubeletHasSufficientPID",
                "kubelet has sufficient PID available", now));
        conditions.add(condition(previous, "Ready", "True", "KubeletReady", "kubelet is posting ready status",
                now));
        current.getStatus().setConditions(conditions);
        return kernel.resources(Node.class).updateStatus(current);
    }

    private static NodeCondition condition(Map<String, NodeCondition> previous, String type, String status,
                                           String reason, String message, Instant now) {
        NodeCondition before = previous.get(type);
        String transition = before != null && status.equals(before.getStatus()) && before.getLastTransitionTime() != null
                ? before.getLastTransitionTime() : io.keelson.kernel.Timestamps.time(now);
        return new NodeConditionBuilder().withType(type).withStatus(status).withReason(reason).withMessage(message)
                .withLastHeartbeatTime(io.keelson.kernel.Timestamps.time(now)).withLastTransitionTime(transition).build();
    }

    /** Renews (or creates) the node's Lease, then plans the next renewal. */
    synchronized void renewLease() {
        if (!heartbeating()) {
            return;
        }
        agenda.after("node/" + name + "/lease", timing.renewInterval(), this::renewLease);
        Resources<Lease> leases = kernel.resources(Lease.class).inNamespace(LEASE_NAMESPACE);
        ZonedDateTime now = ZonedDateTime.ofInstant(timing.clock().instant().truncatedTo(ChronoUnit.MICROS),
                ZoneOffset.UTC);
        Lease lease = null;
        try {
            lease = leases.get(name);
        } catch (ApiException e) {
            if (e.code() != 404) {
                throw e;
            }
        }
        if (lease == null) {
            leases.create(new LeaseBuilder().withNewMetadata().withName(name).withNamespace(LEASE_NAMESPACE)
                    .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("v1").withKind("Node")
                            .withName(name).withUid(uid).build())
                    .endMetadata().withNewSpec().withHolderIdentity(name)
                    .withLeaseDurationSeconds((int) timing.leaseDuration().toSeconds()).withRenewTime(now).endSpec()
                    .build());
        } else {
            lease.getSpec().setRenewTime(now);
            leases.update(lease); // a conflict means someone else wrote it: the next renewal reads it again
        }
    }

    /** The node goes silent: no lease renewals, status reports or pod changes until {@link #resume}. */
    void stop() {
        heartbeating = false;
        agenda.cancel("node/" + name + "/lease");
        agenda.cancel("node/" + name + "/status");
        agenda.cancel("node/" + name + "/static-pods");
    }

    /** The node is back: it renews its lease and reports its status at once. */
    void resume() {
        heartbeating = true;
        agenda.after("node/" + name + "/lease", java.time.Duration.ZERO, this::renewLease);
        agenda.after("node/" + name + "/status", java.time.Duration.ZERO,
                () -> reportStatus(kernel.resources(Node.class).get(name)));
    }

    /** The node leaves: its Node and Lease are deleted. */
    void remove() {
        stop();
        removed = true;
        try {
            kernel.resources(Lease.class).inNamespace(LEASE_NAMESPACE).delete(name);
        } catch (ApiException e) {
            if (e.code() != 404) {
                throw e;
            }
        }
        try {
            kernel.resources(Node.class).delete(name);
        } catch (ApiException e) {
            if (e.code() != 404) {
                throw e;
            }
        }
    }
}
