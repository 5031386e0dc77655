package io.keelson.kernel.endpoints;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPortBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The reconciler's packing cases (reconciler_test.go): objects only, nothing stored. */
class SliceReconcilerTest {
    private static final Service SVC = new ServiceBuilder().withNewMetadata().withName("foo").withNamespace("ns")
            .withUid("svc-uid").endMetadata().withNewSpec().withClusterIP("10.96.0.10").addToSelector("app", "foo")
            .addNewPort().withName("http").withPort(80).endPort().endSpec().build();
    private static final List<EndpointPort> PORTS = List.of(new EndpointPortBuilder().withName("http").withPort(80)
            .withProtocol("TCP").build());

    private static Endpoint endpoint(int i) {
        return new EndpointBuilder().withAddresses("10.64." + i / 250 + "." + i % 250).withNewConditions()
                .withReady(true).withServing(true).withTerminating(false).endConditions().withNewTargetRef()
                .withKind("Pod").withNamespace("ns").withName("pod-" + i).withUid("uid-" + i).endTargetRef().build();
    }

    private static List<Endpoint> endpoints(int from, int to) {
        List<Endpoint> list = new ArrayList<>();
        for (int i = from; i < to; i++) {
            list.add(endpoint(i));
        }
        return list;
    }

    private static EndpointSlice slice(String name, List<Endpoint> endpoints) {
        return new EndpointSliceBuilder().withNewMetadata().withName(name).withNamespace("ns")
                .withLabels(SliceReconciler.labels(SVC)).endMetadata().withAddressType("IPv4")
                .withPorts(SliceReconciler.portKey(PORTS)).withEndpoints(endpoints).build();
    }

    @Test
    void leftoversFillNewSlicesByHundreds_andTheRestGoesToTheUnchangedSliceClosestToFull() {
        List<EndpointSlice> existing = List.of(slice("a", endpoints(0, 62)), slice("b", endpoints(62, 123)));
        SliceReconciler.Plan plan = SliceReconciler.reconcile(SVC, Map.of(PORTS, endpoints(0, 250)), existing, 100);
        assertThat(plan.create()).singleElement().satisfies(s -> assertThat(s.getEndpoints()).hasSize(100));
        assertThat(plan.update()).singleElement().satisfies(s -> {
            assertThat(s.getMetadata().getName()).isEqualTo("a");
            assertThat(s.getEndpoints()).hasSize(89);
        });
        assertThat(plan.delete()).isEmpty();
    }

    @Test
    void nothingChanged_planNothing_andAnEndpointThatChanged_updatesItsSliceOnly() {
        List<EndpointSlice> existing = List.of(slice("a", endpoints(0, 50)), slice("b", endpoints(50, 100)));
        assertThat(SliceReconciler.reconcile(SVC, Map.of(PORTS, endpoints(0, 100)), existing, 100).isEmpty())
                .isTrue();
        List<Endpoint> wanted = endpoints(0, 100);
        wanted.get(70).getConditions().setReady(false);
        SliceReconciler.Plan plan = SliceReconciler.reconcile(SVC, Map.of(PORTS, wanted), existing, 100);
        assertThat(plan.update()).singleElement().satisfies(s -> assertThat(s.getMetadata().getName())
                .isEqualTo("b"));
        assertThat(plan.create()).isEmpty();
    }

    @Test
    void aSliceLeftEmpty_isDeleted_orRecycledForWhatMustBeCreated() {
        List<EndpointSlice> existing = List.of(slice("a", endpoints(0, 10)));
        List<EndpointPort> other = List.of(new EndpointPortBuilder().withName("http").withPort(8080)
                .withProtocol("TCP").build());
        SliceReconciler.Plan plan = SliceReconciler.reconcile(SVC, Map.of(other, endpoints(0, 10)), existing, 100);
        assertThat(plan.create()).isEmpty();
        assertThat(plan.delete()).isEmpty();
        assertThat(plan.update()).singleElement().satisfies(s -> {
            assertThat(s.getMetadata().getName()).as("recycled").isEqualTo("a");
            assertThat(s.getPorts().get(0).getPort()).isEqualTo(8080);
        });
    }

    @Test
    void serviceLabelsAreCopied_exceptTheReservedOnes_andHeadlessIsMarked() {
        Service labelled = new ServiceBuilder(SVC).editMetadata().addToLabels("team", "a")
                .addToLabels("kubernetes.io/service-name", "spoof").endMetadata().editSpec().withClusterIP("None")
                .endSpec().build();
        assertThat(SliceReconciler.labels(labelled)).containsEntry("team", "a")
                .containsEntry("kubernetes.io/service-name", "foo").containsEntry("service.kubernetes.io/headless", "");
    }
}
