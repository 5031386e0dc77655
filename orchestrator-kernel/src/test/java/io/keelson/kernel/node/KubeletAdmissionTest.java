package io.keelson.kernel.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirementBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodOSBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.TaintBuilder;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.keelson.kernel.TestObjects;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The kubelet's admission beyond resources, as its predicate admit handler: a pod bound around the scheduler is
 * refused when its node affinity or nodeSelector does not match, when it does not tolerate a NoExecute taint, or
 * when it asks for another operating system; the refusal is the pod's status and a Warning event.
 */
class KubeletAdmissionTest extends SimulatedNodesTestBase {

    private void node(String name, Map<String, String> labels, Taint... taints) {
        nodes.add(new NodeBuilder().withNewMetadata().withName(prefix + name).withLabels(labels).endMetadata()
                .withNewSpec().withTaints(taints).endSpec().build());
    }

    private void pod(String name, String node, Consumer<Pod> shape) {
        Pod pod = TestObjects.pod(name);
        pod.getSpec().setNodeName(prefix + node);
        shape.accept(pod);
        pods.create(pod);
    }

    private void assertAdmitted(String name) {
        Pod pod = pods.get(name);
        assertThat(pod.getStatus().getPhase()).as(name).isEqualTo("Pending");
        assertThat(pod.getStatus().getContainerStatuses()).as(name).singleElement()
                .satisfies(c -> assertThat(c.getState().getWaiting().getReason()).isEqualTo("ContainerCreating"));
    }

    private void assertRejected(String name, String reason, String message) throws Exception {
        Pod pod = pods.get(name);
        assertThat(pod.getStatus().getPhase()).as(name).isEqualTo("Failed");
        assertThat(pod.getStatus().getReason()).as(name).isEqualTo(reason);
        assertThat(pod.getStatus().getMessage()).as(name).isEqualTo("Pod was rejected: " + message);
        Event event = awaitEvent(name, reason);
        assertThat(event.getType()).isEqualTo("Warning");
        assertThat(event.getMessage()).isEqualTo(message);
        assertThat(event.getSource().getComponent()).isEqualTo("kubelet");
    }

    @Test
    void aPodWhoseNodeSelectorOrRequiredAffinityDoesNotMatch_isRejectedWithNodeAffinity() throws Exception {
        node("a", Map.of("disk", "ssd", "gen", "5"));
        pod("selected", "a", p -> p.getSpec().setNodeSelector(Map.of("disk", "ssd")));
        pod("elsewhere", "a", p -> p.getSpec().setNodeSelector(Map.of("disk", "hdd")));
        pod("newer", "a", p -> p.getSpec().setAffinity(affinity("gen", "Gt", "4")));
        pod("older", "a", p -> p.getSpec().setAffinity(affinity("gen", "Lt", "4")));
        settle();

        assertAdmitted("selected");
        assertAdmitted("newer");
        String message = "Predicate NodeAffinity failed: node(s) didn't match Pod's node affinity/selector";
        assertRejected("elsewhere", "NodeAffinity", message);
        assertRejected("older", "NodeAffinity", message);
    }

    @Test
    void anUntoleratedNoExecuteTaint_rejectsThePod_whileNoScheduleTaintsAreTheSchedulersBusiness() throws Exception {
        node("tainted", Map.of(), new TaintBuilder().withKey("dedicated").withValue("db").withEffect("NoExecute")
                .build());
        node("cordoned", Map.of(), new TaintBuilder().withKey("dedicated").withValue("db").withEffect("NoSchedule")
                .build());
        pod("intruder", "tainted", p -> { });
        pod("guest", "tainted", p -> p.getSpec().setTolerations(List.of(new TolerationBuilder()
                .withKey("dedicated").withOperator("Equal").withValue("db").withEffect("NoExecute").build())));
        pod("bypass", "cordoned", p -> { });
        settle();

        assertRejected("intruder", "TaintToleration",
                "Predicate TaintToleration failed: node(s) had taints that the pod didn't tolerate");
        assertAdmitted("guest");
        assertAdmitted("bypass");
    }

    @Test
    void aPodForAnotherOperatingSystem_isRejectedBeforeAnythingElse() throws Exception {
        node("a", Map.of());
        pod("windows-label", "a", p -> p.getMetadata().setLabels(Map.of("kubernetes.io/os", "windows")));
        pod("windows-os", "a", p -> {
            p.getSpec().setOs(new PodOSBuilder().withName("windows").build());
            p.getSpec().getContainers().get(0).getResources().setRequests(Map.of("cpu", new Quantity("1000")));
        });
        pod("linux", "a", p -> p.getMetadata().setLabels(Map.of("kubernetes.io/os", "linux")));
        settle();

        assertRejected("windows-label", "PodOSSelectorNodeLabelDoesNotMatch",
                "Failed to admit pod as the `kubernetes.io/os` label doesn't match node label");
        assertRejected("windows-os", "PodOSNotSupported", "Failed to admit pod as the OS field doesn't match node OS");
        assertAdmitted("linux");
    }

    @Test
    void resources_areCheckedBeforeAffinity_andTheFirstFailureIsTheReason() throws Exception {
        node("a", Map.of("disk", "ssd"));
        pod("both", "a", p -> {
            p.getSpec().setNodeSelector(Map.of("disk", "hdd"));
            p.getSpec().getContainers().get(0).getResources().setRequests(Map.of("cpu", new Quantity("1000")));
        });
        settle();

        assertRejected("both", "OutOfcpu",
                "Node didn't have enough resource: cpu, requested: 1000000, used: 0, capacity: 32000");
    }

    private static io.fabric8.kubernetes.api.model.Affinity affinity(String key, String op, String value) {
        return new io.fabric8.kubernetes.api.model.AffinityBuilder().withNewNodeAffinity()
                .withNewRequiredDuringSchedulingIgnoredDuringExecution().addNewNodeSelectorTerm()
                .withMatchExpressions(new NodeSelectorRequirementBuilder().withKey(key).withOperator(op)
                        .withValues(value).build())
                .endNodeSelectorTerm().endRequiredDuringSchedulingIgnoredDuringExecution().endNodeAffinity().build();
    }
}
