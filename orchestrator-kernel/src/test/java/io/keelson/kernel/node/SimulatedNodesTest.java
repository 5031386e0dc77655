package io.keelson.kernel.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.DeleteOptionsBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.keelson.kernel.ApiException;
import io.keelson.kernel.ListRequest;
import io.keelson.kernel.Resources;
import io.keelson.kernel.TestObjects;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Simulated kubelets on the fake clock: registration, heartbeats, admission, pod start, graceful deletion. */
class SimulatedNodesTest extends SimulatedNodesTestBase {
    @Test
    void aJoiningNode_isRegisteredAsAKubeletWould_andHoldsItsLease() {
        Instant joined = fixture.clock().instant();
        Node node = add("a", Map.of());

        assertThat(node.getMetadata().getLabels()).containsEntry("kubernetes.io/hostname", prefix + "a")
                .containsEntry("kubernetes.io/os", "linux").containsEntry("topology.kubernetes.io/zone", "z1");
        assertThat(node.getSpec().getPodCIDR()).matches("10\\.64\\.\\d+\\.0/24");
        assertThat(node.getStatus().getAllocatable()).isEqualTo(node.getStatus().getCapacity());
        assertThat(node.getStatus().getCapacity()).containsKeys("cpu", "memory", "pods", "ephemeral-storage");
        NodeCondition ready = node.getStatus().getConditions().stream().filter(c -> c.getType().equals("Ready"))
                .findFirst().orElseThrow();
        assertThat(ready.getStatus()).isEqualTo("True");
        assertThat(ready.getReason()).isEqualTo("KubeletReady");
        assertThat(ready.getMessage()).isEqualTo("kubelet is posting ready status");
        assertThat(node.getStatus().getConditions()).extracting(NodeCondition::getType)
                .containsExactly("MemoryPressure", "DiskPressure", "PIDPressure", "Ready");

        Lease lease = kernel.resources(Lease.class).inNamespace("kube-node-lease").get(prefix + "a");
        assertThat(lease.getSpec().getHolderIdentity()).isEqualTo(prefix + "a");
        assertThat(lease.getSpec().getLeaseDurationSeconds()).isEqualTo(40);
        assertThat(lease.getSpec().getRenewTime().toInstant()).isEqualTo(joined);
        assertThat(lease.getMetadata().getOwnerReferences()).singleElement().satisfies(ref -> {
            assertThat(ref.getKind()).isEqualTo("Node");
            assertThat(ref.getUid()).isEqualTo(node.getMetadata().getUid());
        });
    }

    @Test
    void theLease_isRenewedEveryTenSeconds_andTheStatusReportedEveryFiveMinutes_untilHeartbeatsStop()
            throws Exception {
        add("a", Map.of());
        Resources<Lease> leases = kernel.resources(Lease.class).inNamespace("kube-node-lease");
        String transition = readyCondition(prefix + "a").getLastTransitionTime();

        advance(Duration.ofSeconds(10));
        Instant renewed = fixture.clock().instant();
        assertThat(leases.get(prefix + "a").getSpec().getRenewTime().toInstant()).isEqualTo(renewed);

        advance(Duration.ofMinutes(5));
        NodeCondition ready = readyCondition(prefix + "a");
        assertThat(Instant.parse(ready.getLastHeartbeatTime())).isEqualTo(fixture.clock().instant());
        assertThat(ready.getLastTransitionTime()).as("still Ready: no transition").isEqualTo(transition);

        nodes.stopHeartbeats(prefix + "a");
        ZonedDateTime before = leases.get(prefix + "a").getSpec().getRenewTime();
        advance(Duration.ofSeconds(60));
        assertThat(leases.get(prefix + "a").getSpec().getRenewTime()).isEqualTo(before);

        nodes.resumeHeartbeats(prefix + "a");
        settle();
        assertThat(leases.get(prefix + "a").getSpec().getRenewTime().toInstant()).isEqualTo(fixture.clock().instant());
    }

    private NodeCondition readyCondition(String node) {
        return kernel.resources(Node.class).get(node).getStatus().getConditions().stream()
                .filter(c -> c.getType().equals("Ready")).findFirst().orElseThrow();
    }

    @Test
    void aBoundPod_isAdmitted_createsItsContainers_thenRunsReadyWithAnAddressFromTheNodesCidr() throws Exception {
        Node node = add("a", Map.of());
        bound("web", "a");
        settle();

        Pod creating = pods.get("web");
        assertThat(creating.getStatus().getPhase()).isEqualTo("Pending");
        assertThat(creating.getStatus().getHostIP()).isEqualTo(node.getStatus().getAddresses().get(0).getAddress());
        assertThat(creating.getStatus().getContainerStatuses()).singleElement().satisfies(c -> {
            assertThat(c.getState().getWaiting().getReason()).isEqualTo("ContainerCreating");
            assertThat(c.getReady()).isFalse();
        });
        assertThat(condition(creating, "Ready").getStatus()).isEqualTo("False");
        assertThat(condition(creating, "Ready").getReason()).isEqualTo("ContainersNotReady");
        assertThat(condition(creating, "Ready").getMessage()).isEqualTo("containers with unready status: [app]");

        advance(Duration.ofSeconds(2));
        Pod running = pods.get("web");
        assertThat(running.getStatus().getPhase()).isEqualTo("Running");
        String cidr = node.getSpec().getPodCIDR();
        assertThat(running.getStatus().getPodIP()).startsWith(cidr.substring(0, cidr.lastIndexOf('.') + 1));
        assertThat(running.getStatus().getConditions()).extracting(PodCondition::getType).containsExactly(
                "PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled");
        assertThat(running.getStatus().getConditions()).allSatisfy(c -> assertThat(c.getStatus()).isEqualTo("True"));
        ContainerStatus app = running.getStatus().getContainerStatuses().get(0);
        assertThat(app.getReady()).isTrue();
        assertThat(app.getStarted()).isTrue();
        assertThat(app.getState().getRunning().getStartedAt()).isEqualTo(
                io.keelson.kernel.Timestamps.time(fixture.clock().instant()));
    }

    @Test
    void podsThatDoNotFit_areRejectedWithTheKubeletsReasonAndMessage() throws Exception {
        add("small", Map.of("cpu", "1", "memory", "1Gi", "pods", "2"));
        Pod big = TestObjects.pod("big");
        big.getSpec().getContainers().get(0).getResources().setRequests(Map.of("cpu", new Quantity("1500m")));
        big.getSpec().setNodeName(prefix + "small");
        pods.create(big);
        bound("p1", "small");
        bound("p2", "small");
        settle();
        bound("p3", "small");
        settle();

        Pod rejected = pods.get("big");
        assertThat(rejected.getStatus().getPhase()).isEqualTo("Failed");
        assertThat(rejected.getStatus().getReason()).isEqualTo("OutOfcpu");
        assertThat(rejected.getStatus().getMessage()).isEqualTo(
                "Pod was rejected: Node didn't have enough resource: cpu, requested: 1500, used: 0, capacity: 1000");
        assertThat(pods.get("p3").getStatus().getReason()).isEqualTo("OutOfpods");
        assertThat(pods.get("p3").getStatus().getMessage()).isEqualTo(
                "Pod was rejected: Node didn't have enough resource: pods, requested: 1, used: 2, capacity: 2");
        assertThat(pods.get("p1").getStatus().getPhase()).isEqualTo("Pending");
    }

    @Test
    void aGracefullyDeletedPod_isDeletedForGoodByItsNode_andItsAddressIsFreed() throws Exception {
        add("a", Map.of());
        bound("first", "a");
        advance(Duration.ofSeconds(2));
        String ip = pods.get("first").getStatus().getPodIP();

        pods.delete("first", new DeleteOptionsBuilder().withGracePeriodSeconds(30L).build());
        settle();

        assertThat(pods.list(ListRequest.all()).items()).extracting(p -> p.getMetadata().getName())
                .doesNotContain("first");
        bound("second", "a");
        advance(Duration.ofSeconds(2));
        assertThat(pods.get("second").getStatus().getPodIP()).isEqualTo(ip);
    }

    @Test
    void aSilentNode_leavesItsPodsAsTheyAre_untilItIsBack() throws Exception {
        add("a", Map.of());
        nodes.stopHeartbeats(prefix + "a");
        bound("waiting", "a");
        advance(Duration.ofSeconds(30));
        assertThat(pods.get("waiting").getStatus().getPhase()).as("set by the API at create").isEqualTo("Pending");
        assertThat(pods.get("waiting").getStatus().getHostIP()).isNull();

        nodes.resumeHeartbeats(prefix + "a");
        settle();
        advance(Duration.ofSeconds(2));
        assertThat(pods.get("waiting").getStatus().getPhase()).isEqualTo("Running");
    }

    @Test
    void aRemovedNode_takesItsNodeAndLeaseAway() {
        add("gone", Map.of());
        nodes.remove(prefix + "gone");
        assertThat(kernel.resources(Node.class).list(ListRequest.all()).items())
                .extracting(n -> n.getMetadata().getName()).doesNotContain(prefix + "gone");
        assertThat(nodes.nodes()).doesNotContain(prefix + "gone");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> kernel.resources(Lease.class)
                .inNamespace("kube-node-lease").get(prefix + "gone"))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(404));
    }

    @Test
    void addingTheSameNodeTwice_isRefused() {
        add("twice", Map.of());
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> add("twice", Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("simulated already");
        assertThat(List.copyOf(nodes.nodes())).contains(prefix + "twice");
    }

    private Pod behaving(String name, String restartPolicy, Map<String, String> annotations) {
        Pod pod = TestObjects.pod(name);
        pod.getSpec().setNodeName(prefix + "a");
        pod.getSpec().setRestartPolicy(restartPolicy);
        pod.getMetadata().setAnnotations(annotations);
        Pod created = pods.create(pod);
        try {
            settle(); // admitted now: its start is due after the start delay from here
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return created;
    }

    @Test
    void containersThatExit_finishThePod_asTheRestartPolicySays() throws Exception {
        add("a", Map.of());
        behaving("fails", "Never", Map.of(ContainerBehaviour.EXIT_AFTER, "30s", ContainerBehaviour.EXIT_CODE, "3"));
        behaving("succeeds", "OnFailure", Map.of(ContainerBehaviour.EXIT_AFTER, "1m"));
        advance(Duration.ofSeconds(2));
        assertThat(pods.get("fails").getStatus().getPhase()).isEqualTo("Running");

        advance(Duration.ofSeconds(30));
        Pod failed = pods.get("fails");
        assertThat(failed.getStatus().getPhase()).isEqualTo("Failed");
        assertThat(failed.getStatus().getContainerStatuses().get(0).getState().getTerminated()).satisfies(t -> {
            assertThat(t.getExitCode()).isEqualTo(3);
            assertThat(t.getReason()).isEqualTo("Error");
        });
        assertThat(condition(failed, "Ready").getReason()).isEqualTo("PodCompleted");

        advance(Duration.ofSeconds(30));
        Pod succeeded = pods.get("succeeds");
        assertThat(succeeded.getStatus().getPhase()).isEqualTo("Succeeded");
        assertThat(succeeded.getStatus().getContainerStatuses().get(0).getState().getTerminated().getReason())
                .isEqualTo("Completed");
    }

    @Test
    void containersThatKeepExiting_crashLoop_withTheKubeletsDoublingBackOff() throws Exception {
        add("a", Map.of());
        Pod crashy = behaving("crashy", "Always", Map.of(ContainerBehaviour.EXIT_AFTER, "5s"));
        advance(Duration.ofSeconds(2));
        advance(Duration.ofSeconds(5));

        ContainerStatus waiting = pods.get("crashy").getStatus().getContainerStatuses().get(0);
        assertThat(pods.get("crashy").getStatus().getPhase()).isEqualTo("Running");
        assertThat(waiting.getRestartCount()).isEqualTo(1);
        assertThat(waiting.getState().getWaiting().getReason()).isEqualTo("CrashLoopBackOff");
        assertThat(waiting.getState().getWaiting().getMessage()).isEqualTo("back-off 10s restarting failed container=app"
                + " pod=crashy_" + ns + "(" + crashy.getMetadata().getUid() + ")");
        assertThat(waiting.getLastState().getTerminated().getReason()).isEqualTo("Completed");
        assertThat(condition(pods.get("crashy"), "Ready").getStatus()).isEqualTo("False");

        advance(Duration.ofSeconds(10));
        ContainerStatus restarted = pods.get("crashy").getStatus().getContainerStatuses().get(0);
        assertThat(restarted.getState().getRunning()).isNotNull();
        assertThat(restarted.getRestartCount()).isEqualTo(1);
        assertThat(restarted.getLastState().getTerminated()).isNotNull();

        advance(Duration.ofSeconds(5));
        ContainerStatus second = pods.get("crashy").getStatus().getContainerStatuses().get(0);
        assertThat(second.getRestartCount()).isEqualTo(2);
        assertThat(second.getState().getWaiting().getMessage()).startsWith("back-off 20s restarting");
        io.fabric8.kubernetes.api.model.Event backOff = awaitEvent("crashy", "BackOff");
        assertThat(backOff.getType()).isEqualTo("Warning");
        assertThat(backOff.getMessage()).isEqualTo("Back-off restarting failed container app in pod crashy_" + ns
                + "(" + crashy.getMetadata().getUid() + ")");
        assertThat(backOff.getSource().getComponent()).isEqualTo("kubelet");
        assertThat(backOff.getSource().getHost()).isEqualTo(prefix + "a");
    }

    @Test
    void containersFailingReadiness_runButAreNotReady() throws Exception {
        add("a", Map.of());
        behaving("unready", "Always", Map.of(ContainerBehaviour.READY, "false"));
        advance(Duration.ofSeconds(2));
        Pod pod = pods.get("unready");
        assertThat(pod.getStatus().getPhase()).isEqualTo("Running");
        assertThat(pod.getStatus().getContainerStatuses().get(0).getReady()).isFalse();
        assertThat(pod.getStatus().getContainerStatuses().get(0).getStarted()).isTrue();
        assertThat(condition(pod, "Ready").getStatus()).isEqualTo("False");
        assertThat(condition(pod, "Ready").getMessage()).isEqualTo("containers with unready status: [app]");
    }

    @Test
    void aPodWhoseConfigMapIsMissing_waitsWithCreateContainerConfigError_untilItExists() throws Exception {
        add("a", Map.of());
        Pod pod = TestObjects.pod("configured");
        pod.getSpec().setNodeName(prefix + "a");
        pod.getSpec().getContainers().get(0).setEnv(List.of(new io.fabric8.kubernetes.api.model.EnvVarBuilder()
                .withName("MODE").withNewValueFrom().withNewConfigMapKeyRef().withName("settings").withKey("mode")
                .endConfigMapKeyRef().endValueFrom().build()));
        pods.create(pod);
        settle();
        advance(Duration.ofSeconds(2));

        Pod waiting = pods.get("configured");
        assertThat(waiting.getStatus().getPhase()).isEqualTo("Pending");
        assertThat(waiting.getStatus().getContainerStatuses().get(0).getState().getWaiting()).satisfies(w -> {
            assertThat(w.getReason()).isEqualTo("CreateContainerConfigError");
            assertThat(w.getMessage()).isEqualTo("configmap \"settings\" not found");
        });
        assertThat(awaitEvent("configured", "Failed").getMessage())
                .isEqualTo("Error: configmap \"settings\" not found");

        var configMaps = kernel.resources(io.fabric8.kubernetes.api.model.ConfigMap.class).inNamespace(ns);
        configMaps.create(new io.fabric8.kubernetes.api.model.ConfigMapBuilder().withNewMetadata()
                .withName("settings").endMetadata().addToData("other", "x").build());
        advance(Duration.ofSeconds(10));
        assertThat(pods.get("configured").getStatus().getContainerStatuses().get(0).getState().getWaiting()
                .getMessage()).isEqualTo("couldn't find key mode in ConfigMap " + ns + "/settings");

        var settings = configMaps.get("settings");
        settings.setData(Map.of("mode", "fast"));
        configMaps.update(settings);
        advance(Duration.ofSeconds(10));
        assertThat(pods.get("configured").getStatus().getPhase()).isEqualTo("Running");
    }

    @Test
    void initContainers_runOneByOneToCompletion_beforeTheContainers() throws Exception {
        add("a", Map.of());
        Pod pod = TestObjects.pod("initialized");
        pod.getSpec().setNodeName(prefix + "a");
        pod.getSpec().setInitContainers(List.of(
                new io.fabric8.kubernetes.api.model.ContainerBuilder().withName("init-a").withImage("busybox").build(),
                new io.fabric8.kubernetes.api.model.ContainerBuilder().withName("init-b").withImage("busybox").build()));
        pods.create(pod);
        settle();
        assertThat(condition(pods.get("initialized"), "Initialized").getMessage())
                .isEqualTo("containers with incomplete status: [init-a init-b]");
        assertThat(pods.get("initialized").getStatus().getContainerStatuses().get(0).getState().getWaiting()
                .getReason()).isEqualTo("PodInitializing");

        advance(Duration.ofSeconds(2));
        Pod first = pods.get("initialized");
        assertThat(first.getStatus().getPhase()).isEqualTo("Pending");
        assertThat(first.getStatus().getInitContainerStatuses().get(0).getState().getRunning()).isNotNull();
        assertThat(first.getStatus().getInitContainerStatuses().get(1).getState().getWaiting().getReason())
                .isEqualTo("PodInitializing");

        advance(Duration.ofSeconds(2));
        Pod second = pods.get("initialized");
        assertThat(second.getStatus().getInitContainerStatuses().get(0).getState().getTerminated().getReason())
                .isEqualTo("Completed");
        assertThat(second.getStatus().getInitContainerStatuses().get(1).getState().getRunning()).isNotNull();
        assertThat(condition(second, "Initialized").getMessage()).isEqualTo("containers with incomplete status: [init-b]");

        advance(Duration.ofSeconds(2));
        Pod running = pods.get("initialized");
        assertThat(running.getStatus().getPhase()).isEqualTo("Running");
        assertThat(condition(running, "Initialized").getStatus()).isEqualTo("True");
        assertThat(running.getStatus().getInitContainerStatuses()).allSatisfy(c ->
                assertThat(c.getState().getTerminated().getReason()).isEqualTo("Completed"));
    }

    @Test
    void aPodWhoseHostPortIsTaken_isRejectedWithNodePorts() throws Exception {
        add("a", Map.of());
        for (String name : List.of("first", "second")) {
            Pod pod = TestObjects.pod(name);
            pod.getSpec().setNodeName(prefix + "a");
            pod.getSpec().getContainers().get(0).setPorts(List.of(new io.fabric8.kubernetes.api.model
                    .ContainerPortBuilder().withContainerPort(80).withHostPort(8080).build()));
            pods.create(pod);
            settle();
        }
        assertThat(pods.get("first").getStatus().getHostIP()).isNotNull();
        Pod second = pods.get("second");
        assertThat(second.getStatus().getPhase()).isEqualTo("Failed");
        assertThat(second.getStatus().getReason()).isEqualTo("NodePorts");
        assertThat(second.getStatus().getMessage()).isEqualTo("Pod was rejected: Predicate NodePorts failed: node(s)"
                + " didn't have free ports for the requested pod ports");
    }

    private Pod probing(String name, String restartPolicy, Map<String, String> annotations,
                        java.util.function.Consumer<io.fabric8.kubernetes.api.model.Container> probes) throws Exception {
        Pod pod = TestObjects.pod(name);
        pod.getSpec().setNodeName(prefix + "a");
        pod.getSpec().setRestartPolicy(restartPolicy);
        pod.getMetadata().setAnnotations(annotations);
        probes.accept(pod.getSpec().getContainers().get(0));
        Pod created = pods.create(pod);
        settle();
        advance(Duration.ofSeconds(2)); // the start delay: the containers start now
        return created;
    }

    private static io.fabric8.kubernetes.api.model.Probe probe(int initialDelay, int period, int failures) {
        return new io.fabric8.kubernetes.api.model.ProbeBuilder().withNewHttpGet().withPath("/healthz")
                .withPort(new io.fabric8.kubernetes.api.model.IntOrString(8080)).endHttpGet()
                .withInitialDelaySeconds(initialDelay).withPeriodSeconds(period).withFailureThreshold(failures)
                .build();
    }

    private ContainerStatus container(String pod) {
        return pods.get(pod).getStatus().getContainerStatuses().get(0);
    }

    @Test
    void aReadinessProbe_keepsThePodNotReady_untilItsFirstProbe_andAFailingOneTakesReadinessBack() throws Exception {
        add("a", Map.of());
        probing("web", "Always", Map.of(ContainerBehaviour.READINESS_FAILS_AFTER, "30s"),
                c -> c.setReadinessProbe(probe(5, 10, 3)));
        assertThat(container("web").getStarted()).isTrue();
        assertThat(container("web").getReady()).as("before initialDelaySeconds").isFalse();
        advance(Duration.ofSeconds(5));
        assertThat(container("web").getReady()).isTrue();
        assertThat(condition(pods.get("web"), "Ready").getStatus()).isEqualTo("True");
        // fails from the probe at 35 s (5 + 3 * 10), the third failure at 55 s
        advance(Duration.ofSeconds(49));
        assertThat(container("web").getReady()).isTrue();
        advance(Duration.ofSeconds(1));
        assertThat(container("web").getReady()).isFalse();
        assertThat(pods.get("web").getStatus().getPhase()).isEqualTo("Running");
        assertThat(container("web").getRestartCount()).as("readiness never restarts").isZero();
        io.fabric8.kubernetes.api.model.Event unhealthy = awaitEvent("web", "Unhealthy");
        assertThat(unhealthy.getType()).isEqualTo("Warning");
        assertThat(unhealthy.getMessage()).isEqualTo("Readiness probe failed: HTTP probe failed with statuscode: 500");
    }

    @Test
    void aStartupProbe_holdsStartedAndReady_untilItPasses_orGetsTheContainersKilled() throws Exception {
        add("a", Map.of());
        probing("slow", "Always", Map.of(ContainerBehaviour.STARTUP_AFTER, "25s"),
                c -> c.setStartupProbe(probe(0, 10, 5)));
        assertThat(container("slow").getStarted()).isFalse();
        assertThat(container("slow").getReady()).isFalse();
        advance(Duration.ofSeconds(29));
        assertThat(container("slow").getStarted()).as("the probe at 20 s still failed").isFalse();
        advance(Duration.ofSeconds(1));
        assertThat(container("slow").getStarted()).as("passes at the probe at 30 s").isTrue();
        assertThat(container("slow").getReady()).isTrue();

        probing("stuck", "Always", Map.of(ContainerBehaviour.STARTUP_AFTER, "25s"),
                c -> c.setStartupProbe(probe(0, 10, 3)));
        advance(Duration.ofSeconds(20)); // failures at 0, 10 and 20 s
        ContainerStatus killed = container("stuck");
        assertThat(killed.getRestartCount()).isEqualTo(1);
        assertThat(killed.getLastState().getTerminated().getExitCode()).isEqualTo(137);
        assertThat(killed.getState().getWaiting().getReason()).isEqualTo("CrashLoopBackOff");
        assertThat(awaitEvent("stuck", "Killing").getMessage())
                .isEqualTo("Container app failed startup probe, will be restarted");
        assertThat(awaitEvent("stuck", "Unhealthy").getMessage()).startsWith("Startup probe failed: ");
    }

    @Test
    void aFailingLivenessProbe_getsTheContainersKilledAndRestarted_orThePodFailedWithRestartPolicyNever()
            throws Exception {
        add("a", Map.of());
        probing("sick", "Always", Map.of(ContainerBehaviour.LIVENESS_FAILS_AFTER, "1m"),
                c -> c.setLivenessProbe(probe(0, 10, 3)));
        probing("once", "Never", Map.of(ContainerBehaviour.LIVENESS_FAILS_AFTER, "1m"),
                c -> c.setLivenessProbe(probe(0, 10, 3)));
        probing("unprobed", "Always", Map.of(ContainerBehaviour.LIVENESS_FAILS_AFTER, "1m"), c -> { });
        advance(Duration.ofSeconds(75)); // "sick" started 2 s before "once", 4 s before "unprobed"
        assertThat(container("sick").getState().getRunning()).as("failures at 60 and 70 s of running").isNotNull();
        advance(Duration.ofSeconds(1));
        ContainerStatus sick = container("sick");
        assertThat(sick.getRestartCount()).isEqualTo(1);
        assertThat(sick.getLastState().getTerminated().getExitCode()).isEqualTo(137);
        assertThat(sick.getLastState().getTerminated().getReason()).isEqualTo("Error");
        io.fabric8.kubernetes.api.model.Event killing = awaitEvent("sick", "Killing");
        assertThat(killing.getType()).isEqualTo("Normal");
        assertThat(killing.getMessage()).isEqualTo("Container app failed liveness probe, will be restarted");
        assertThat(awaitEvent("sick", "Unhealthy").getMessage())
                .isEqualTo("Liveness probe failed: HTTP probe failed with statuscode: 500");
        advance(Duration.ofSeconds(2));
        assertThat(pods.get("once").getStatus().getPhase()).isEqualTo("Failed");
        assertThat(container("unprobed").getState().getRunning()).as("no probe, nothing to fail").isNotNull();
    }

}
