package io.keelson.kernel.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.keelson.kernel.Kernel;
import io.keelson.kernel.ListRequest;
import io.keelson.kernel.ResourceWatch;
import io.keelson.kernel.Resources;
import io.keelson.kernel.WatchEvent;
import io.keelson.kernel.WatchRequest;
import io.keelson.kernel.deployment.DeploymentController;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The control loop closed, on the manual clock: Deployments through the Deployment and ReplicaSet controllers, the
 * scheduler and simulated nodes; rolling updates checked at every revision the pods' watch delivers.
 */
class RolloutLoopTest {
    private static final Duration LIMIT = Duration.ofMinutes(10);

    @RegisterExtension
    static final KernelExtension CLUSTER = KernelExtension.withNodes(3);

    private static Deployment deployment(String name, int replicas, String image) {
        return new DeploymentBuilder().withNewMetadata().withName(name).endMetadata().withNewSpec()
                .withReplicas(replicas).withNewSelector().addToMatchLabels("app", name).endSelector()
                .withNewStrategy().withType("RollingUpdate").withNewRollingUpdate()
                .withMaxSurge(new IntOrString(1)).withMaxUnavailable(new IntOrString(1)).endRollingUpdate()
                .endStrategy().withNewTemplate().withNewMetadata().addToLabels("app", name).endMetadata()
                .withNewSpec().addNewContainer().withName("app").withImage(image).withNewResources()
                .addToRequests("cpu", new Quantity("250m")).endResources().endContainer().endSpec().endTemplate()
                .endSpec().build();
    }

    private static String namespace(Kernel kernel, TestInfo test) {
        String ns = "loop-" + Math.abs(test.getDisplayName().hashCode() % 100000);
        kernel.resources(Namespace.class).create(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata()
                .build());
        return ns;
    }

    static boolean ready(Pod p) {
        return p.getStatus() != null && p.getStatus().getConditions() != null && p.getStatus().getConditions()
                .stream().anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    private static boolean live(Pod p) {
        String phase = p.getStatus() == null ? null : p.getStatus().getPhase();
        return p.getMetadata().getDeletionTimestamp() == null && !"Succeeded".equals(phase) && !"Failed".equals(phase);
    }

    /** The Deployment's rollout is complete: every replica updated and available, the generation observed. */
    static boolean complete(Kernel kernel, String ns, String name) {
        Deployment d = kernel.resources(Deployment.class).inNamespace(ns).get(name);
        var s = d.getStatus();
        int replicas = d.getSpec().getReplicas();
        return s != null && Objects.equals(s.getObservedGeneration(), d.getMetadata().getGeneration())
                && Objects.equals(s.getUpdatedReplicas(), replicas) && Objects.equals(s.getReplicas(), replicas)
                && Objects.equals(s.getAvailableReplicas(), replicas);
    }

    private static List<Pod> livePods(Kernel kernel, String ns) {
        return kernel.resources(Pod.class).inNamespace(ns).list(ListRequest.all()).items().stream()
                .filter(RolloutLoopTest::live).toList();
    }

    private static void setImage(Kernel kernel, String ns, String name, String image) {
        Resources<Deployment> deployments = kernel.resources(Deployment.class).inNamespace(ns);
        Deployment d = deployments.get(name);
        d.getSpec().getTemplate().getSpec().getContainers().get(0).setImage(image);
        deployments.update(d);
    }

    private static String image(Pod p) {
        return p.getSpec().getContainers().get(0).getImage();
    }

    @Test
    void aRollingUpdate_staysWithinMaxSurgeAndMaxUnavailable_atEveryObservedRevision_andUndoRestoresTheOldTemplate(
            TestInfo test) throws Exception {
        Kernel kernel = CLUSTER.kernel();
        String ns = namespace(kernel, test);
        kernel.resources(Deployment.class).inNamespace(ns).create(deployment("web", 6, "nginx:1"));
        assertThat(CLUSTER.awaitTrue(() -> complete(kernel, ns, "web"), LIMIT)).isTrue();

        Map<String, Pod> pods = new ConcurrentHashMap<>();
        livePods(kernel, ns).forEach(p -> pods.put(p.getMetadata().getName(), p));
        List<String> violations = new ArrayList<>();
        int[] observed = {0};
        String from = kernel.resources(Pod.class).inNamespace(ns).list(ListRequest.all()).resourceVersion();
        try (ResourceWatch watch = kernel.resources(Pod.class).inNamespace(ns).watch(
                WatchRequest.fromResourceVersion(from), e -> {
                    if (!e.isChange()) {
                        return;
                    }
                    if (e.type() == WatchEvent.Type.DELETED) {
                        pods.remove(e.object().getMetadata().getName());
                    } else {
                        pods.put(e.object().getMetadata().getName(), e.object());
                    }
                    long total = pods.values().stream().filter(RolloutLoopTest::live).count();
                    long available = pods.values().stream().filter(p -> live(p) && ready(p)).count();
                    observed[0]++;
                    if (total > 6 + 1 || available < 6 - 1) {
                        synchronized (violations) {
                            violations.add("at revision " + e.resourceVersion() + ": " + total + " pods, " + available
                                    + " available");
                        }
                    }
                })) {
            setImage(kernel, ns, "web", "nginx:2");
            assertThat(CLUSTER.awaitTrue(() -> complete(kernel, ns, "web"), LIMIT)).isTrue();
            assertThat(CLUSTER.awaitTrue(() -> livePods(kernel, ns).size() == 6, LIMIT)).isTrue();
        }
        assertThat(observed[0]).as("the rollout was watched").isGreaterThan(12);
        assertThat(violations).isEmpty();
        assertThat(livePods(kernel, ns)).hasSize(6).allSatisfy(p -> assertThat(image(p)).isEqualTo("nginx:2"));

        Deployment undone = DeploymentController.undo(kernel, ns, "web", 0);
        assertThat(undone.getSpec().getTemplate().getSpec().getContainers().get(0).getImage()).isEqualTo("nginx:1");
        assertThat(CLUSTER.awaitTrue(() -> complete(kernel, ns, "web")
                && livePods(kernel, ns).stream().allMatch(p -> image(p).equals("nginx:1"))
                && livePods(kernel, ns).size() == 6, LIMIT)).isTrue();
        assertThat(kernel.resources(ReplicaSet.class).inNamespace(ns).list(ListRequest.all()).items())
                .as("the first ReplicaSet came back").hasSize(2);
        assertThat(kernel.resources(Deployment.class).inNamespace(ns).get("web").getMetadata().getAnnotations())
                .containsEntry("deployment.kubernetes.io/revision", "3");
    }

    @Test
    void aNodeFailure_endsWithEveryReplicaRunningOnHealthyNodes(TestInfo test) throws Exception {
        Kernel kernel = CLUSTER.kernel();
        String ns = namespace(kernel, test);
        kernel.resources(Deployment.class).inNamespace(ns).create(deployment("api", 6, "nginx:1"));
        assertThat(CLUSTER.awaitTrue(() -> complete(kernel, ns, "api"), LIMIT)).isTrue();
        String victim = livePods(kernel, ns).stream().collect(Collectors.groupingBy(p -> p.getSpec().getNodeName(),
                Collectors.counting())).entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();

        CLUSTER.cluster().nodes().stopHeartbeats(victim);
        try {
            // 50 s grace, then the 300 s default toleration of the unreachable taint, then replacements
            assertThat(CLUSTER.awaitTrue(() -> {
                List<Pod> live = livePods(kernel, ns);
                return live.size() == 6 && live.stream().allMatch(p -> ready(p) && !victim.equals(p.getSpec()
                        .getNodeName()));
            }, Duration.ofMinutes(15))).isTrue();
        } finally {
            CLUSTER.cluster().nodes().resumeHeartbeats(victim);
        }
        assertThat(CLUSTER.awaitTrue(() -> complete(kernel, ns, "api"), LIMIT)).isTrue();
    }

    @Test
    void aKernelKilledMidRollout_convergesWhenStartedAgainOnTheSameData_withNoExtraPods(@TempDir Path dir)
            throws Exception {
        String ns = "default";
        try (SimulatedCluster first = SimulatedCluster.builder(dir).nodes(3).build()) {
            Kernel kernel = first.kernel();
            kernel.resources(Deployment.class).inNamespace(ns).create(deployment("app", 8, "nginx:1"));
            assertThat(first.awaitTrue(() -> complete(kernel, ns, "app"), LIMIT)).isTrue();
            setImage(kernel, ns, "app", "nginx:2");
            assertThat(first.awaitTrue(() -> livePods(kernel, ns).stream().anyMatch(p -> image(p).equals("nginx:2")
                    && ready(p)), LIMIT)).isTrue();
            assertThat(complete(kernel, ns, "app")).as("stopped mid-rollout").isFalse();
        }
        try (SimulatedCluster second = SimulatedCluster.builder(dir).nodes(3).startingAt(
                java.time.Instant.parse("2026-01-01T01:00:00Z")).seed(7).build()) {
            Kernel kernel = second.kernel();
            assertThat(second.awaitTrue(() -> complete(kernel, ns, "app") && livePods(kernel, ns).size() == 8
                    && livePods(kernel, ns).stream().allMatch(p -> image(p).equals("nginx:2") && ready(p)), LIMIT))
                    .isTrue();
            second.advance(Duration.ofSeconds(30));
            assertThat(livePods(kernel, ns)).as("no extra pods once settled").hasSize(8);
            assertThat(kernel.resources(ReplicaSet.class).inNamespace(ns).list(ListRequest.all()).items())
                    .as("one ReplicaSet per template, none made twice").hasSize(2);
        }
    }
}
