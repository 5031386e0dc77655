package io.keelson.kernel.endpoints;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.keelson.kernel.KernelTestBase;
import io.keelson.kernel.ListRequest;
import io.keelson.kernel.Resources;
import io.keelson.kernel.TestObjects;
import io.keelson.kernel.informer.InformerFactory;
import io.keelson.kernel.informer.Informers;
import java.net.InetSocketAddress;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * The EndpointSlice controller's cases (reconciler_test, endpointslice_controller_test) against the kernel, and the
 * resolver on the slices it writes; the test syncs itself after the informers have seen every write.
 */
class EndpointSliceControllerTest extends KernelTestBase {
    private InformerFactory informers;
    private EndpointSliceController controller;
    private ServiceResolver resolver;
    private Resources<Pod> pods;
    private Resources<Service> services;
    private Resources<EndpointSlice> slices;
    private String ns;
    private int ip = 1;

    @BeforeEach
    void open(TestInfo test) throws Exception {
        ns = "es-" + Math.abs(test.getDisplayName().hashCode() % 100000);
        kernel.resources(Namespace.class).create(TestObjects.namespace(ns));
        pods = kernel.resources(Pod.class).inNamespace(ns);
        services = kernel.resources(Service.class).inNamespace(ns);
        slices = kernel.resources(EndpointSlice.class).inNamespace(ns);
        if (kernel.resources(Node.class).list(ListRequest.all()).items().stream()
                .noneMatch(n -> n.getMetadata().getName().equals("es-node-1"))) {
            kernel.resources(Node.class).create(new NodeBuilder().withNewMetadata().withName("es-node-1")
                    .addToLabels("topology.kubernetes.io/zone", "us-central1-a").endMetadata().build());
        }
        informers = InformerFactory.builder(kernel).build();
        controller = EndpointSliceController.create(kernel, informers, fixture.clock());
        resolver = ServiceResolver.create(informers);
        informers.startAll().get(30, TimeUnit.SECONDS);
    }

    @AfterEach
    void close() {
        controller.close();
        informers.close();
    }

    private void sync(String service) throws InterruptedException {
        for (Class<?> t : List.of(Pod.class, Service.class, EndpointSlice.class, Node.class)) {
            caughtUp(t);
        }
        controller.sync(ns + "/" + service);
        caughtUp(EndpointSlice.class);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private void caughtUp(Class type) throws InterruptedException {
        Informers.caughtUp(kernel, informers.forType(type), type);
    }

    private Service service(String name) {
        return services.create(new ServiceBuilder().withNewMetadata().withName(name).addToLabels("team", "a")
                .endMetadata().withNewSpec().addToSelector("app", name).addNewPort().withName("http").withPort(80)
                .withTargetPort(new IntOrString("web")).endPort().endSpec().build());
    }

    /** A pod of {@code app}, running on es-node-1 with an address, ready or not, its "web" port at {@code port}. */
    private Pod pod(String app, boolean ready, int port) {
        Pod p = pods.create(new PodBuilder().withNewMetadata().withGenerateName(app + "-").addToLabels("app", app)
                .endMetadata().withNewSpec().withNodeName("es-node-1").addNewContainer().withName("c")
                .withImage("nginx").addNewPort().withName("web").withContainerPort(port).endPort().endContainer()
                .endSpec().build());
        return pods.updateStatus(new PodBuilder(p).withNewStatus().withPhase("Running")
                .withPodIP("10.64.0." + ip++).addNewCondition().withType("Ready").withStatus(ready ? "True" : "False")
                .endCondition().endStatus().build());
    }

    private List<EndpointSlice> slicesOf(String service) {
        return slices.list(ListRequest.all().withLabels("kubernetes.io/service-name=" + service)).items().stream()
                .sorted(Comparator.comparingInt(s -> -s.getEndpoints().size())).toList();
    }

    @Test
    void aServiceWithoutPods_hasOneEmptyPlaceholderSlice_labelledAndOwned() throws Exception {
        Service svc = service("empty");
        sync("empty");
        assertThat(slicesOf("empty")).singleElement().satisfies(s -> {
            assertThat(s.getMetadata().getName()).startsWith("empty-");
            assertThat(s.getEndpoints()).isEmpty();
            assertThat(s.getPorts()).isEmpty();
            assertThat(s.getAddressType()).isEqualTo("IPv4");
            assertThat(s.getMetadata().getLabels()).containsEntry("kubernetes.io/service-name", "empty")
                    .containsEntry("endpointslice.kubernetes.io/managed-by", "endpointslice-controller.k8s.io")
                    .containsEntry("team", "a").doesNotContainKey("service.kubernetes.io/headless");
            assertThat(s.getMetadata().getOwnerReferences()).singleElement().satisfies(r -> {
                assertThat(r.getUid()).isEqualTo(svc.getMetadata().getUid());
                assertThat(r.getController()).isTrue();
            });
        });
        String rv = slicesOf("empty").get(0).getMetadata().getResourceVersion();
        sync("empty");
        assertThat(slicesOf("empty")).singleElement().satisfies(s -> assertThat(s.getMetadata().getResourceVersion())
                .as("an identical placeholder is left alone").isEqualTo(rv));
    }

    @Test
    void readyNotReadyAndTerminatingPods_areEndpointsWithTheirConditions_nodeZoneAndTarget() throws Exception {
        service("web");
        Pod ready = pod("web", true, 8080);
        Pod starting = pod("web", false, 8080);
        Pod leaving = pod("web", true, 8080);
        pods.delete(leaving.getMetadata().getName()); // graceful: it stays, terminating
        sync("web");

        EndpointSlice s = slicesOf("web").get(0);
        assertThat(s.getPorts()).singleElement().satisfies(p -> {
            assertThat(p.getName()).isEqualTo("http");
            assertThat(p.getPort()).as("the pod's port named by targetPort").isEqualTo(8080);
            assertThat(p.getProtocol()).isEqualTo("TCP");
        });
        assertThat(s.getEndpoints()).hasSize(3);
        assertThat(endpointOf(s, ready)).satisfies(e -> {
            assertThat(e.getAddresses()).containsExactly(ready.getStatus().getPodIP());
            assertThat(e.getConditions().getReady()).isTrue();
            assertThat(e.getConditions().getServing()).isTrue();
            assertThat(e.getConditions().getTerminating()).isFalse();
            assertThat(e.getNodeName()).isEqualTo("es-node-1");
            assertThat(e.getZone()).isEqualTo("us-central1-a");
            assertThat(e.getTargetRef().getKind()).isEqualTo("Pod");
            assertThat(e.getTargetRef().getUid()).isEqualTo(ready.getMetadata().getUid());
        });
        assertThat(endpointOf(s, starting).getConditions().getReady()).isFalse();
        assertThat(endpointOf(s, starting).getConditions().getServing()).isFalse();
        assertThat(endpointOf(s, leaving).getConditions().getReady()).as("terminating is never ready").isFalse();
        assertThat(endpointOf(s, leaving).getConditions().getServing()).isTrue();
        assertThat(endpointOf(s, leaving).getConditions().getTerminating()).isTrue();

        assertThat(resolver.pick("web." + ns + ".svc.cluster.local", "http")).as("only the ready pod")
                .contains(InetSocketAddress.createUnresolved(ready.getStatus().getPodIP(), 8080));
    }

    private static Endpoint endpointOf(EndpointSlice s, Pod p) {
        return s.getEndpoints().stream().filter(e -> e.getTargetRef().getUid().equals(p.getMetadata().getUid()))
                .findFirst().orElseThrow();
    }

    @Test
    void aHundredEndpointsPerSlice_andPodsWhoseNamedPortDiffers_inSlicesOfTheirOwn() throws Exception {
        service("big");
        for (int i = 0; i < 230; i++) {
            pod("big", true, 8080);
        }
        for (int i = 0; i < 3; i++) {
            pod("big", true, 9090);
        }
        sync("big");
        List<EndpointSlice> all = slicesOf("big");
        assertThat(all.stream().map(s -> s.getEndpoints().size()).toList()).containsExactly(100, 100, 30, 3);
        assertThat(all.get(3).getPorts().get(0).getPort()).isEqualTo(9090);
        assertThat(all.get(0).getPorts().get(0).getPort()).isEqualTo(8080);

        List<Pod> some = pods.list(ListRequest.all()).items().stream().limit(10).toList();
        for (Pod p : some) {
            pods.delete(p.getMetadata().getName(), new io.fabric8.kubernetes.api.model.DeleteOptionsBuilder()
                    .withGracePeriodSeconds(0L).build());
        }
        sync("big");
        assertThat(slicesOf("big").stream().mapToInt(s -> s.getEndpoints().size()).sum()).isEqualTo(223);
        assertThat(slicesOf("big")).hasSize(4);
    }

    @Test
    void whenTheLastPodGoes_theSliceBecomesThePlaceholder_andASelectorlessServiceGetsNone() throws Exception {
        service("one");
        Pod p = pod("one", true, 8080);
        sync("one");
        String name = slicesOf("one").get(0).getMetadata().getName();
        pods.delete(p.getMetadata().getName(), new io.fabric8.kubernetes.api.model.DeleteOptionsBuilder()
                .withGracePeriodSeconds(0L).build());
        sync("one");
        assertThat(slicesOf("one")).singleElement().satisfies(s -> {
            assertThat(s.getMetadata().getName()).as("the slice is reused for the placeholder").isEqualTo(name);
            assertThat(s.getEndpoints()).isEmpty();
        });

        services.create(new ServiceBuilder().withNewMetadata().withName("manual").endMetadata().withNewSpec()
                .addNewPort().withPort(80).endPort().endSpec().build());
        sync("manual");
        assertThat(slicesOf("manual")).isEmpty();
    }

    @Test
    void theResolver_namesClusterIpsAndHeadlessPods_andRoundRobinsOverReadyEndpoints() throws Exception {
        Service svc = service("rr");
        Pod a = pod("rr", true, 8080);
        Pod b = pod("rr", true, 8080);
        pod("rr", false, 8080);
        sync("rr");
        for (String name : List.of("rr." + ns + ".svc.cluster.local", "rr." + ns + ".svc.cluster.local.",
                "rr." + ns + ".svc", "rr." + ns)) {
            assertThat(resolver.resolve(name)).as(name).containsExactly(svc.getSpec().getClusterIP());
        }
        assertThat(resolver.resolve("nope." + ns + ".svc.cluster.local")).isEmpty();
        List<String> picks = new java.util.ArrayList<>();
        for (int i = 0; i < 4; i++) {
            picks.add(resolver.pick("rr." + ns, 80).map(InetSocketAddress::getHostString).orElseThrow());
        }
        String ipA = a.getStatus().getPodIP();
        String ipB = b.getStatus().getPodIP();
        assertThat(picks).containsOnly(ipA, ipB);
        assertThat(picks.get(0)).isNotEqualTo(picks.get(1));
        assertThat(picks.get(0)).isEqualTo(picks.get(2));
        assertThat(resolver.pick("rr." + ns, 81)).as("no such port").isEqualTo(Optional.empty());

        services.create(new ServiceBuilder().withNewMetadata().withName("db").endMetadata().withNewSpec()
                .withClusterIP("None").addToSelector("app", "rr").endSpec().build());
        sync("db");
        assertThat(resolver.resolve("db." + ns + ".svc.cluster.local")).containsExactlyInAnyOrder(ipA, ipB);
    }
}
