package io.keelson.kernel.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Upstream's TestPodTemplateSpecHash and TestEqualIgnoreHash. */
class TemplateHashTest {
    private static PodTemplateSpec template(String image) {
        return new PodTemplateSpecBuilder().withNewMetadata().addToLabels("app", "web").endMetadata().withNewSpec()
                .addNewContainer().withName("c").withImage(image).endContainer().endSpec().build();
    }

    @Test
    void templatesDifferingOnlyInImage_neverCollide_overAThousandVersions() {
        Set<String> hashes = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            hashes.add(TemplateHash.compute(template("v0." + i + ".0"), null));
        }
        assertThat(hashes).hasSize(1000);
        assertThat(hashes).allMatch(h -> h.matches("[456789bcdf]+"));
    }

    @Test
    void theCollisionCount_changesTheHash_andTheHashIsStable() {
        PodTemplateSpec t = template("nginx");
        assertThat(TemplateHash.compute(t, null)).isEqualTo(TemplateHash.compute(template("nginx"), null));
        assertThat(TemplateHash.compute(t, 1)).isNotEqualTo(TemplateHash.compute(t, null))
                .isNotEqualTo(TemplateHash.compute(t, 2));
    }

    @Test
    void equalIgnoringHash_ignoresOnlyThePodTemplateHashLabel() {
        PodTemplateSpec a = template("nginx");
        PodTemplateSpec b = new PodTemplateSpecBuilder(a).editMetadata().addToLabels("pod-template-hash", "abc")
                .endMetadata().build();
        PodTemplateSpec c = new PodTemplateSpecBuilder(a).editMetadata().addToLabels("pod-template-hash", "xyz")
                .endMetadata().build();
        assertThat(TemplateHash.equalIgnoringHash(a, b)).isTrue();
        assertThat(TemplateHash.equalIgnoringHash(b, a)).isTrue();
        assertThat(TemplateHash.equalIgnoringHash(b, c)).isTrue();
        PodTemplateSpec otherLabel = new PodTemplateSpecBuilder(b).editMetadata().addToLabels("tier", "x")
                .endMetadata().build();
        assertThat(TemplateHash.equalIgnoringHash(otherLabel, b)).isFalse();
        PodTemplateSpec otherNode = new PodTemplateSpecBuilder(a).editSpec().withNodeName("n1").endSpec().build();
        assertThat(TemplateHash.equalIgnoringHash(a, otherNode)).isFalse();
        assertThat(b.getMetadata().getLabels()).as("the argument is not changed").containsKey("pod-template-hash");
    }
}
