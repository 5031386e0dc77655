package io.keelson.kernel.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.TaintBuilder;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.keelson.kernel.ApiException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Static pods as the kubelet runs them from its manifest directory: a mirror pod per manifest, kept in line with the
 * files, back when deleted, never refused for the node's NoExecute taints.
 */
class StaticPodsTest extends SimulatedNodesTestBase {
    @TempDir
    Path manifests;

    private String manifest(String name, String image) {
        return """
                apiVersion: v1
                kind: Pod
                metadata:
                  name: %s
                  namespace: %s
                  labels:
                    tier: control-plane
                spec:
                  containers:
                  - name: main
                    image: %s
                """.formatted(name, ns, image);
    }

    private Node node(String name, boolean tainted) {
        NodeBuilder b = new NodeBuilder().withNewMetadata().withName(prefix + name).endMetadata();
        if (tainted) {
            b.withNewSpec().withTaints(new TaintBuilder().withKey("node-role.kubernetes.io/control-plane")
                    .withEffect("NoExecute").build()).endSpec();
        }
        return nodes.add(b.build(), manifests);
    }

    private Pod mirror(String name, String node) {
        try {
            return pods.get(name + "-" + prefix + node);
        } catch (ApiException e) {
            return null;
        }
    }

    @Test
    void eachManifest_runsAsAStaticPod_shownAsAMirrorPodOwnedByTheNode() throws Exception {
        Files.writeString(manifests.resolve("etcd.yaml"), manifest("etcd", "etcd:3.5"));
        Files.writeString(manifests.resolve(".etcd.yaml.swp"), manifest("editor-swap", "vim"));
        Files.writeString(manifests.resolve("broken.yaml"), "kind: [not a pod");
        Node node = node("cp", false);
        settle();

        Pod mirror = mirror("etcd", "cp");
        assertThat(mirror).isNotNull();
        assertThat(mirror.getSpec().getNodeName()).isEqualTo(prefix + "cp");
        assertThat(mirror.getMetadata().getLabels()).containsEntry("tier", "control-plane");
        String hash = mirror.getMetadata().getAnnotations().get("kubernetes.io/config.hash");
        assertThat(hash).matches("[0-9a-f]{32}");
        assertThat(mirror.getMetadata().getAnnotations()).containsEntry("kubernetes.io/config.mirror", hash)
                .containsEntry("kubernetes.io/config.source", "file").containsKey("kubernetes.io/config.seen");
        assertThat(mirror.getMetadata().getOwnerReferences()).singleElement().satisfies(ref -> {
            assertThat(ref.getKind()).isEqualTo("Node");
            assertThat(ref.getName()).isEqualTo(prefix + "cp");
            assertThat(ref.getUid()).isEqualTo(node.getMetadata().getUid());
            assertThat(ref.getController()).isTrue();
        });
        assertThat(mirror.getSpec().getTolerations()).contains(new TolerationBuilder().withOperator("Exists")
                .withEffect("NoExecute").build());
        assertThat(pods.list(io.keelson.kernel.ListRequest.all()).items()).as("dot files and broken manifests run nothing").hasSize(1);

        advance(Duration.ofSeconds(2));
        assertThat(mirror("etcd", "cp").getStatus().getPhase()).isEqualTo("Running");
    }

    @Test
    void aDeletedMirrorPod_comesBack_aChangedManifestReplacesIt_andARemovedOneDeletesIt() throws Exception {
        Path file = manifests.resolve("proxy.yaml");
        Files.writeString(file, manifest("proxy", "proxy:1"));
        node("a", false);
        settle();
        Pod first = mirror("proxy", "a");

        pods.delete(first.getMetadata().getName());
        settle();
        Pod back = mirror("proxy", "a");
        assertThat(back).as("recreated by the node").isNotNull();
        assertThat(back.getMetadata().getUid()).isNotEqualTo(first.getMetadata().getUid());
        assertThat(back.getMetadata().getAnnotations().get("kubernetes.io/config.mirror"))
                .isEqualTo(first.getMetadata().getAnnotations().get("kubernetes.io/config.mirror"));

        Files.writeString(file, manifest("proxy", "proxy:2"));
        advance(Duration.ofSeconds(19));
        assertThat(mirror("proxy", "a").getSpec().getContainers().get(0).getImage()).as("not read yet")
                .isEqualTo("proxy:1");
        advance(Duration.ofSeconds(1));
        Pod changed = mirror("proxy", "a");
        assertThat(changed.getSpec().getContainers().get(0).getImage()).isEqualTo("proxy:2");
        assertThat(changed.getMetadata().getAnnotations().get("kubernetes.io/config.hash"))
                .isNotEqualTo(back.getMetadata().getAnnotations().get("kubernetes.io/config.hash"));

        Files.delete(file);
        advance(Duration.ofSeconds(20));
        assertThat(mirror("proxy", "a")).isNull();
    }

    @Test
    void staticPods_ignoreTheNodesNoExecuteTaints_whileOtherPodsAreRefused() throws Exception {
        Files.writeString(manifests.resolve("apiserver.yaml"), manifest("apiserver", "apiserver:1"));
        node("cp", true);
        settle();
        Pod other = io.keelson.kernel.TestObjects.pod("other");
        other.getSpec().setNodeName(prefix + "cp");
        pods.create(other);
        advance(Duration.ofSeconds(2));

        assertThat(mirror("apiserver", "cp").getStatus().getPhase()).isEqualTo("Running");
        assertThat(pods.get("other").getStatus().getReason()).isEqualTo("TaintToleration");
        assertThat(mirror("apiserver", "cp").getSpec().getTolerations()).extracting(Toleration::getOperator)
                .contains("Exists");
    }

    @Test
    void aManifestPathThatIsNotADirectory_isRefused() throws Exception {
        Path file = Files.writeString(manifests.resolve("pod.yaml"), manifest("x", "x"));
        assertThatThrownBy(() -> nodes.add(new NodeBuilder().withNewMetadata().withName(prefix + "x").endMetadata()
                .build(), file)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a directory");
    }
}
