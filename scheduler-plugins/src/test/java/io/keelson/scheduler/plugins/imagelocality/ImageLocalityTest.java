package io.keelson.scheduler.plugins.imagelocality;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerImage;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.keelson.kernel.scheduler.framework.CycleState;
import io.keelson.kernel.scheduler.framework.NodeInfo;
import io.keelson.scheduler.plugins.Fixtures;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** kube-scheduler's TestImageLocalityPriority and TestNormalizedImageName cases. */
class ImageLocalityTest {
    static final long MB = 1024 * 1024;

    static ContainerImage image(long mb, String... names) {
        return new ContainerImage(Arrays.asList(names), mb * MB);
    }

    static NodeInfo node(String name, ContainerImage... images) {
        Node n = new NodeBuilder(Fixtures.node(name)).editStatus().withImages(images).endStatus().build();
        return Fixtures.nodeInfo(n);
    }

    static final ContainerImage[] NA = {image(40, "gcr.io/40:latest", "gcr.io/40:v1"),
        image(300, "gcr.io/300:latest", "gcr.io/300:v1"), image(2000, "gcr.io/2000:latest")};
    static final ContainerImage[] NB = {image(250, "gcr.io/250:latest"), image(10, "gcr.io/10:latest", "gcr.io/10:v1")};
    static final ContainerImage[] NC = {image(600, "gcr.io/600:latest"), image(40, "gcr.io/40:latest"),
        image(900, "gcr.io/900:latest")};
    static final ContainerImage[] ND = {image(300, "gcr.io/300:latest"), image(600, "gcr.io/600:latest"),
        image(900, "gcr.io/900:latest")};
    static final ContainerImage[] NE = {image(4000, "gcr.io/4000:latest"), image(30, "gcr.io/30:latest")};
    static final ContainerImage[] NF = {image(20, "gcr.io/20:latest"), image(30, "gcr.io/30:latest"),
        image(40, "gcr.io/40:latest")};

    static Pod pod(String... images) {
        return Fixtures.pod("p").editSpec().withContainers(Arrays.stream(images)
                .map(i -> new ContainerBuilder().withName(i.replace('/', '-').replace('.', '-')).withImage(i).build())
                .toList()).endSpec().build();
    }

    static long[] scores(Pod pod, NodeInfo... nodes) {
        List<NodeInfo> all = List.of(nodes);
        ImageLocality plugin = new ImageLocality(Fixtures.handle(all));
        CycleState state = new CycleState();
        plugin.preScore(state, pod, all);
        List<Long> s = new ArrayList<>();
        for (NodeInfo n : nodes) {
            s.add(plugin.score(state, pod, n));
        }
        return s.stream().mapToLong(Long::longValue).toArray();
    }

    @Test
    void imagesPresent_scoreBySizeScaledByHowManyNodesHaveThem() {
        assertThat(scores(pod("gcr.io/40", "gcr.io/250"), node("a", NA), node("b", NB)))
                .as("two images spread on two nodes, prefer the larger image one").containsExactly(0, 5);
        assertThat(scores(pod("gcr.io/40", "gcr.io/300"), node("a", NA), node("b", NB)))
                .as("two images on one node, prefer this node").containsExactly(7, 0);
        assertThat(scores(pod("gcr.io/10", "gcr.io/4000"), node("e", NE), node("b", NB)))
                .as("if exceed limit, use limit").containsExactly(100, 0);
        assertThat(scores(pod("gcr.io/10", "gcr.io/4000"), node("e", NE), node("b", NB), node("empty")))
                .as("if exceed limit, use limit (with node which has no images present)").containsExactly(66, 0, 0);
        assertThat(scores(pod("gcr.io/300", "gcr.io/600", "gcr.io/900"), node("c", NC), node("d", ND), node("empty")))
                .as("pod with multiple large images, node2 is preferred").containsExactly(32, 36, 0);
        assertThat(scores(pod("gcr.io/30", "gcr.io/40"), node("f", NF), node("e", NE)))
                .as("pod with multiple small images").containsExactly(1, 0);
        Pod withInit = new PodBuilder(pod("gcr.io/30")).editSpec().addNewInitContainer().withName("init")
                .withImage("gcr.io/300").endInitContainer().endSpec().build();
        assertThat(scores(withInit, node("a", NA), node("f", NF)))
                .as("include InitContainers: two images spread on two nodes, prefer the larger image one")
                .containsExactly(6, 0);
    }

    @Test
    void normalizedImageName_addsLatestWithoutATag() {
        assertThat(ImageLocality.normalizedImageName("root")).isEqualTo("root:latest");
        assertThat(ImageLocality.normalizedImageName("root:tag")).isEqualTo("root:tag");
        assertThat(ImageLocality.normalizedImageName("gcr.io:5000/root")).isEqualTo("gcr.io:5000/root:latest");
        assertThat(ImageLocality.normalizedImageName("root@" + "sha256:abc")).isEqualTo("root@sha256:abc");
    }
}
