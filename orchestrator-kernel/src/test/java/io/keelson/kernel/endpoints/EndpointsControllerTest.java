package io.keelson.kernel.endpoints;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.EndpointAddress;
import io.fabric8.kubernetes.api.model.EndpointAddressBuilder;
import io.fabric8.kubernetes.api.model.EndpointPort;
import io.fabric8.kubernetes.api.model.EndpointPortBuilder;
import io.fabric8.kubernetes.api.model.EndpointSubset;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.EndpointsBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.keelson.kernel.KernelTestBase;
import io.keelson.kernel.ListRequest;
import io.keelson.kernel.Resources;
import io.keelson.kernel.TestObjects;
import io.keelson.kernel.informer.InformerFactory;
import io.keelson.kernel.informer.Informers;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/** The legacy Endpoints controller's cases (endpoints_controller_test) against the kernel, and its subset packing. */
class EndpointsControllerTest extends KernelTestBase {
    private InformerFactory informers;
    private EndpointsController controller;
    private Resources<Pod> pods;
    private Resources<Service> services;
    private Resources<Endpoints> endpoints;
    private String ns;
    private int ip = 1;

    @BeforeEach
    void open(TestInfo test) throws Exception {
        ns = "ep-" + Math.abs(test.getDisplayName().hashCode() % 100000);
        kernel.resources(Namespace.class).create(TestObjects.namespace(ns));
        pods = kernel.resources(Pod.class).inNamespace(ns);
        services = kernel.resources(Service.class).inNamespace(ns);
        endpoints = kernel.resources(Endpoints.class).inNamespace(ns);
        informers = InformerFactory.builder(kernel).build();
        controller = EndpointsController.create(kernel, informers);
        informers.startAll().get(30, TimeUnit.SECONDS);
    }

    @AfterEach
    void close() {
        controller.close();
        informers.close();
    }

    private void sync(String service) throws InterruptedException {
        Informers.caughtUp(kernel, informers.forType(Pod.class), Pod.class);
        Informers.caughtUp(kernel, informers.forType(Service.class), Service.class);
        Informers.caughtUp(kernel, informers.forType(Endpoints.class), Endpoints.class);
        controller.sync(ns + "/" + service);
        Informers.caughtUp(kernel, informers.forType(Endpoints.class), Endpoints.class);
    }

    private Pod pod(String app, boolean ready, boolean withMetrics) {
        Pod pod = new PodBuilder().withNewMetadata().withGenerateName(app + "-").addToLabels("app", app)
                .endMetadata().withNewSpec().withNodeName("n1").addNewContainer().withName("c").withImage("nginx")
                .addNewPort().withName("web").withContainerPort(8080).endPort().endContainer().endSpec().build();
        if (withMetrics) {
            pod.getSpec().getContainers().get(0).getPorts().add(new io.fabric8.kubernetes.api.model
                    .ContainerPortBuilder().withName("metrics").withContainerPort(9100).build());
        }
        Pod p = pods.create(pod);
        return pods.updateStatus(new PodBuilder(p).withNewStatus().withPhase("Running")
                .withPodIP("10.64.1." + ip++).addNewCondition().withType("Ready").withStatus(ready ? "True" : "False")
                .endCondition().endStatus().build());
    }

    private Service service(String name) {
        return services.create(new ServiceBuilder().withNewMetadata().withName(name).addToLabels("team", "a")
                .endMetadata().withNewSpec().addToSelector("app", name).addNewPort().withName("http").withPort(80)
                .withTargetPort(new IntOrString("web")).endPort().addNewPort().withName("metrics").withPort(9100)
                .withTargetPort(new IntOrString("metrics")).endPort().endSpec().build());
    }

    @Test
    void readyAndNotReadyPods_areAddressesAndNotReadyAddresses_portsRepackedByWhoServesThem() throws Exception {
        service("web");
        Pod both = pod("web", true, true);
        Pod httpOnly = pod("web", true, false);
        Pod notReady = pod("web", false, false);
        sync("web");

        Endpoints e = endpoints.get("web");
        assertThat(e.getMetadata().getLabels()).containsEntry("team", "a")
                .containsEntry("endpoints.kubernetes.io/managed-by", "endpoint-controller");
        assertThat(e.getSubsets()).hasSize(2);
        EndpointSubset http = e.getSubsets().stream().filter(s -> s.getPorts().get(0).getName().equals("http"))
                .findFirst().orElseThrow();
        assertThat(http.getPorts()).singleElement().satisfies(p -> assertThat(p.getPort()).isEqualTo(8080));
        assertThat(http.getAddresses()).extracting(EndpointAddress::getIp).containsExactlyInAnyOrder(
                both.getStatus().getPodIP(), httpOnly.getStatus().getPodIP());
        assertThat(http.getNotReadyAddresses()).extracting(EndpointAddress::getIp)
                .containsExactly(notReady.getStatus().getPodIP());
        EndpointSubset metrics = e.getSubsets().stream().filter(s -> s.getPorts().get(0).getName().equals("metrics"))
                .findFirst().orElseThrow();
        assertThat(metrics.getAddresses()).extracting(EndpointAddress::getIp)
                .containsExactly(both.getStatus().getPodIP());
        assertThat(http.getAddresses().get(0).getTargetRef().getKind()).isEqualTo("Pod");

        String rv = e.getMetadata().getResourceVersion();
        sync("web");
        assertThat(endpoints.get("web").getMetadata().getResourceVersion()).as("nothing new: no write").isEqualTo(rv);
    }

    @Test
    void terminatingPodsAreLeftOut_unlessNotReadyAddressesArePublished() throws Exception {
        service("t");
        Pod leaving = pod("t", true, false);
        pods.delete(leaving.getMetadata().getName());
        sync("t");
        assertThat(endpoints.get("t").getSubsets()).isEmpty();
        Service publish = services.get("t");
        publish.getSpec().setPublishNotReadyAddresses(true);
        services.update(publish);
        sync("t");
        assertThat(endpoints.get("t").getSubsets()).singleElement().satisfies(s ->
                assertThat(s.getAddresses()).hasSize(1));
    }

    @Test
    void theEndpointsGoWithTheirService_andASelectorlessServicesAreLeftAlone() throws Exception {
        service("gone");
        pod("gone", true, false);
        sync("gone");
        assertThat(endpoints.list(ListRequest.all()).items()).extracting(x -> x.getMetadata().getName())
                .contains("gone");
        services.delete("gone");
        sync("gone");
        assertThat(endpoints.list(ListRequest.all()).items()).extracting(x -> x.getMetadata().getName())
                .doesNotContain("gone");

        services.create(new ServiceBuilder().withNewMetadata().withName("manual").endMetadata().withNewSpec()
                .addNewPort().withPort(5432).endPort().endSpec().build());
        Endpoints mine = endpoints.create(new EndpointsBuilder().withNewMetadata().withName("manual").endMetadata()
                .addNewSubset().addNewAddress().withIp("192.168.0.9").endAddress().addNewPort().withPort(5432)
                .endPort().endSubset().build());
        sync("manual");
        assertThat(endpoints.get("manual").getMetadata().getResourceVersion())
                .isEqualTo(mine.getMetadata().getResourceVersion());
    }

    @Test
    void overAThousandAddresses_areTruncated_readyFirst() {
        List<EndpointsController.Member> members = new ArrayList<>();
        for (int i = 0; i < 1200; i++) {
            EndpointAddress a = new EndpointAddressBuilder().withIp("10.64." + i / 250 + "." + i % 250)
                    .withNewTargetRef().withUid("u" + i).endTargetRef().build();
            EndpointPort port = new EndpointPortBuilder().withName("http").withPort(8080).withProtocol("TCP").build();
            members.add(new EndpointsController.Member(a, i < 900, List.of(port)));
        }
        List<EndpointSubset> subsets = Subsets.repack(members, false);
        assertThat(Subsets.truncate(subsets, 1000)).isTrue();
        assertThat(subsets).singleElement().satisfies(s -> {
            assertThat(s.getAddresses()).hasSize(900);
            assertThat(s.getNotReadyAddresses()).hasSize(100);
        });
        assertThat(Subsets.truncate(subsets, 1000)).as("at capacity: nothing cut").isFalse();
    }
}
