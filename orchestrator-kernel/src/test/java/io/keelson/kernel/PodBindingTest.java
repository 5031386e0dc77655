package io.keelson.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Binding;
import io.fabric8.kubernetes.api.model.BindingBuilder;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSchedulingGate;
import org.junit.jupiter.api.Test;

/** The pods/binding subresource, as kube-apiserver's pod storage serves it. */
class PodBindingTest extends KernelTestBase {

    private static Resources<Pod> pods(String ns) {
        kernel.resources(Namespace.class).create(TestObjects.namespace(ns));
        return kernel.resources(Pod.class).inNamespace(ns);
    }

    private static Binding binding(String pod, String node) {
        return new BindingBuilder().withNewMetadata().withName(pod).endMetadata()
                .withNewTarget().withKind("Node").withName(node).endTarget().build();
    }

    @Test
    void bind_setsTheNode_theScheduledCondition_andTheAnnotations() {
        Resources<Pod> pods = pods("bind");
        Pod created = pods.create(TestObjects.pod("p"));
        Binding b = binding("p", "node-1");
        b.getMetadata().setAnnotations(java.util.Map.of("scheduled-by", "test"));

        Pod bound = kernel.bind("bind", b);

        assertThat(bound.getSpec().getNodeName()).isEqualTo("node-1");
        assertThat(bound.getMetadata().getAnnotations()).containsEntry("scheduled-by", "test");
        assertThat(bound.getStatus().getConditions()).anySatisfy(c -> {
            assertThat(c.getType()).isEqualTo("PodScheduled");
            assertThat(c.getStatus()).isEqualTo("True");
            assertThat(c.getLastTransitionTime()).isEqualTo("2026-01-01T00:00:00Z");
        });
        assertThat(Long.parseLong(bound.getMetadata().getResourceVersion()))
                .isGreaterThan(Long.parseLong(created.getMetadata().getResourceVersion()));
        assertThat(pods.get("p")).isEqualTo(bound);
    }

    @Test
    void bind_anAlreadyBoundPod_isAConflict() {
        Resources<Pod> pods = pods("bound");
        pods.create(TestObjects.pod("p"));
        kernel.bind("bound", binding("p", "node-1"));

        assertThatThrownBy(() -> kernel.bind("bound", binding("p", "node-2")))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.code()).isEqualTo(409);
                    assertThat(e.reason()).isEqualTo("Conflict");
                    assertThat(e.getMessage()).isEqualTo("Operation cannot be fulfilled on pods/binding \"p\": pod p is"
                            + " already assigned to node \"node-1\"");
                });
        assertThat(pods.get("p").getSpec().getNodeName()).isEqualTo("node-1");
    }

    @Test
    void bind_aGatedPod_orAMissingOne_isRefused() {
        Resources<Pod> pods = pods("gated");
        Pod gated = TestObjects.pod("g");
        gated.getSpec().getSchedulingGates().add(new PodSchedulingGate("example.com/wait"));
        pods.create(gated);

        assertThatThrownBy(() -> kernel.bind("gated", binding("g", "node-1"))).isInstanceOfSatisfying(
                ApiException.class, e -> assertThat(e.getMessage()).isEqualTo("Operation cannot be fulfilled on"
                        + " pods/binding \"g\": pod g has non-empty .spec.schedulingGates"));
        assertThatThrownBy(() -> kernel.bind("gated", binding("missing", "node-1"))).isInstanceOfSatisfying(
                ApiException.class, e -> assertThat(e.isNotFound()).isTrue());
    }

    @Test
    void bind_aPodBeingDeleted_isAConflict() {
        Resources<Pod> pods = pods("deleting");
        Pod kept = TestObjects.pod("p");
        kept.getMetadata().setFinalizers(java.util.List.of("example.com/keep")); // an unbound pod goes at once otherwise
        pods.create(kept);
        pods.delete("p");

        assertThatThrownBy(() -> kernel.bind("deleting", binding("p", "node-1"))).isInstanceOfSatisfying(
                ApiException.class, e -> assertThat(e.getMessage()).endsWith(
                        "pod p is being deleted, cannot be assigned to a host"));
    }

    @Test
    void bind_withoutATarget_isInvalid_andAStaleResourceVersionIsAConflict() {
        Resources<Pod> pods = pods("invalid");
        Pod p = pods.create(TestObjects.pod("p"));
        Binding noTarget = new BindingBuilder().withNewMetadata().withName("p").endMetadata()
                .withNewTarget().withKind("Pod").endTarget().build();

        assertThatThrownBy(() -> kernel.bind("invalid", noTarget)).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.code()).isEqualTo(422);
            assertThat(e.getMessage()).isEqualTo("Binding \"p\" is invalid: [target.kind: Unsupported value: \"Pod\":"
                    + " supported values: \"Node\", \"<empty>\", target.name: Required value]");
        });
        Binding stale = binding("p", "node-1");
        stale.getMetadata().setResourceVersion("1");
        assertThatThrownBy(() -> kernel.bind("invalid", stale)).isInstanceOfSatisfying(ApiException.class,
                e -> assertThat(e.code()).isEqualTo(409));
        assertThat(pods.get("p").getMetadata().getResourceVersion()).isEqualTo(p.getMetadata().getResourceVersion());
    }

    @Test
    void bindAsync_bindsAsBindDoes_andFailsItsFutureWithTheSameStatuses() {
        Resources<Pod> pods = pods("async");
        pods.create(TestObjects.pod("p"));
        Binding b = binding("p", "node-1");
        b.getMetadata().setAnnotations(java.util.Map.of("scheduled-by", "test"));

        Pod bound = kernel.bindAsync("async", b).join();

        assertThat(bound.getSpec().getNodeName()).isEqualTo("node-1");
        assertThat(bound.getMetadata().getAnnotations()).containsEntry("scheduled-by", "test");
        assertThat(bound.getStatus().getConditions())
                .anySatisfy(c -> assertThat(c.getType()).isEqualTo("PodScheduled"));
        assertThat(pods.get("p")).isEqualTo(bound);
        assertThat(failure(kernel.bindAsync("async", binding("p", "node-2")))).satisfies(e -> {
            assertThat(e.code()).isEqualTo(409);
            assertThat(e.getMessage()).isEqualTo("Operation cannot be fulfilled on pods/binding \"p\": pod p is"
                    + " already assigned to node \"node-1\"");
        });
        assertThat(failure(kernel.bindAsync("async", binding("missing", "node-1"))).isNotFound()).isTrue();
        Binding noTarget = new BindingBuilder().withNewMetadata().withName("p").endMetadata().build();
        assertThat(failure(kernel.bindAsync("async", noTarget)).code()).isEqualTo(422);
        Binding otherUid = binding("p", "node-1");
        otherUid.getMetadata().setUid("another-uid");
        assertThat(failure(kernel.bindAsync("async", otherUid)).getMessage()).contains("Precondition failed: UID");
    }

    @Test
    void bindAsync_ofOnePodToTwoNodesAtOnce_bindsItOnce() {
        Resources<Pod> pods = pods("race");
        for (int i = 0; i < 20; i++) {
            pods.create(TestObjects.pod("p" + i));
        }
        for (int i = 0; i < 20; i++) {
            var first = kernel.bindAsync("race", binding("p" + i, "node-1"));
            var second = kernel.bindAsync("race", binding("p" + i, "node-2"));
            java.util.List<String> won = new java.util.ArrayList<>();
            for (var f : java.util.List.of(first, second)) {
                try {
                    won.add(f.join().getSpec().getNodeName());
                } catch (java.util.concurrent.CompletionException e) {
                    assertThat(e.getCause()).isInstanceOfSatisfying(ApiException.class,
                            a -> assertThat(a.code()).isEqualTo(409));
                }
            }
            assertThat(won).hasSize(1);
            assertThat(pods.get("p" + i).getSpec().getNodeName()).isEqualTo(won.get(0));
        }
    }

    private static ApiException failure(java.util.concurrent.CompletableFuture<Pod> call) {
        try {
            call.join();
        } catch (java.util.concurrent.CompletionException e) {
            assertThat(e.getCause()).isInstanceOf(ApiException.class);
            return (ApiException) e.getCause();
        }
        throw new AssertionError("the binding was written");
    }
}
