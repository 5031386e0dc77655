package io.keelson.kernel.scheduler.framework;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import org.junit.jupiter.api.Test;

class CycleStateTest {
    private static Pod pod(String cpu) {
        return new PodBuilder().withNewMetadata().withName("p").withNamespace("ns").endMetadata().withNewSpec()
                .addNewContainer().withName("c").withNewResources().addToRequests("cpu", new Quantity(cpu))
                .endResources().addNewPort().withContainerPort(80).withHostPort(8080).endPort().endContainer()
                .endSpec().build();
    }

    @Test
    void podInfo_isComputedOncePerAttempt_forThePodBeingScheduled() {
        CycleState state = new CycleState();
        Pod pod = pod("250m");
        PodInfo info = state.podInfo(pod);
        assertThat(info.pod()).isSameAs(pod);
        assertThat(info.requests().milliCpu()).isEqualTo(250);
        assertThat(info.hostPorts()).hasSize(1);
        assertThat(state.podInfo(pod)).isSameAs(info);
    }

    @Test
    void podInfo_ofAnotherPodObject_isThatPodsOwn() {
        CycleState state = new CycleState();
        state.podInfo(pod("250m"));
        Pod other = pod("1");
        assertThat(state.podInfo(other).pod()).isSameAs(other);
        assertThat(state.podInfo(other).requests().milliCpu()).isEqualTo(1000);
    }

    @Test
    void aCopy_sharesThePodInfo_andKeepsItsOwnWrites() {
        CycleState state = new CycleState();
        Pod pod = pod("250m");
        PodInfo info = state.podInfo(pod);
        state.write("k", "v");
        CycleState copy = state.copy();
        copy.write("k", "changed");
        assertThat(copy.podInfo(pod)).isSameAs(info);
        assertThat(state.read("k", String.class)).isEqualTo("v");
    }
}
