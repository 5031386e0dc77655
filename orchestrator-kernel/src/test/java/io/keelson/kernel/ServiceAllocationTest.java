package io.keelson.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.keelson.store.RangeRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cluster IPs and node ports as kube-apiserver allocates them (its ipallocator and portallocator tests' cases, through
 * Service writes): a small service range (10.0.0.0/29: six addresses) so that the range can be filled.
 */
class ServiceAllocationTest {
    @TempDir
    static Path dir;
    static TestKernels.Fixture fixture;
    static Kernel kernel;
    private Resources<Service> services;

    @BeforeAll
    static void open() {
        fixture = TestKernels.open(dir, b -> b.serviceRanges("10.0.0.0/29", "30000-30009"));
        kernel = fixture.kernel();
    }

    @AfterAll
    static void close() {
        fixture.close();
    }

    @BeforeEach
    void namespace(TestInfo test) {
        String ns = "svc-" + Math.abs(test.getDisplayName().hashCode() % 100000);
        kernel.resources(Namespace.class).create(TestObjects.namespace(ns));
        services = kernel.resources(Service.class).inNamespace(ns);
    }

    private static Service service(String name, String type) {
        return new ServiceBuilder().withNewMetadata().withName(name).endMetadata().withNewSpec().withType(type)
                .addToSelector("app", name).addNewPort().withPort(80).endPort().endSpec().build();
    }

    private void deleteAll() {
        for (Service s : kernel.resources(Service.class).inAnyNamespace().list(ListRequest.all()).items()) {
            kernel.resources(Service.class).inNamespace(s.getMetadata().getNamespace()).delete(s.getMetadata().getName());
        }
    }

    private Set<String> rangeKeys(String prefix) {
        Set<String> keys = new HashSet<>();
        fixture.store().range(RangeRequest.prefix(prefix)).join().kvs().forEach(kv -> keys.add(kv.keyUtf8()));
        return keys;
    }

    @Test
    void everyAddressOfTheRangeIsHandedOutOnce_thenTheRangeIsFull_andADeleteGivesOneBack() {
        deleteAll();
        Set<String> ips = new HashSet<>();
        for (int i = 0; i < 6; i++) {
            Service s = services.create(service("s" + i, "ClusterIP"));
            assertThat(s.getSpec().getClusterIPs()).containsExactly(s.getSpec().getClusterIP());
            assertThat(s.getSpec().getIpFamilies()).containsExactly("IPv4");
            assertThat(s.getSpec().getIpFamilyPolicy()).isEqualTo("SingleStack");
            ips.add(s.getSpec().getClusterIP());
        }
        assertThat(ips).as("neither the network nor the broadcast address").containsExactlyInAnyOrder("10.0.0.1",
                "10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5", "10.0.0.6");
        assertThat(rangeKeys(ServiceRanges.IP_PREFIX)).hasSize(6);
        assertThatThrownBy(() -> services.create(service("s6", "ClusterIP"))).isInstanceOfSatisfying(
                ApiException.class, e -> {
                    assertThat(e.code()).isEqualTo(500);
                    assertThat(e.reason()).isEqualTo("InternalError");
                    assertThat(e.getMessage()).isEqualTo(
                            "Internal error occurred: failed to allocate a serviceIP: range is full");
                });
        String freed = services.get("s3").getSpec().getClusterIP();
        services.delete("s3");
        assertThat(rangeKeys(ServiceRanges.IP_PREFIX)).doesNotContain(ServiceRanges.IP_PREFIX + freed);
        assertThat(services.create(service("s6", "ClusterIP")).getSpec().getClusterIP()).isEqualTo(freed);
        deleteAll();
        assertThat(rangeKeys(ServiceRanges.IP_PREFIX)).isEmpty();
    }

    @Test
    void aRequestedAddress_isHonoured_onceOnly_andOnlyInsideTheRange() {
        deleteAll();
        Service asked = service("asked", "ClusterIP");
        asked.getSpec().setClusterIP("10.0.0.5");
        assertThat(services.create(asked).getSpec().getClusterIP()).isEqualTo("10.0.0.5");

        Service again = service("again", "ClusterIP");
        again.getSpec().setClusterIP("10.0.0.5");
        assertThatThrownBy(() -> services.create(again)).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.code()).isEqualTo(422);
            assertThat(e.getMessage()).isEqualTo("Service \"again\" is invalid: spec.clusterIPs: Invalid value: "
                    + "[\"10.0.0.5\"]: failed to allocate IP 10.0.0.5: provided IP is already allocated");
        });
        Service outside = service("outside", "ClusterIP");
        outside.getSpec().setClusterIP("10.0.0.7");
        assertThatThrownBy(() -> services.create(outside)).isInstanceOfSatisfying(ApiException.class, e ->
                assertThat(e.getMessage()).endsWith("failed to allocate IP 10.0.0.7: the provided IP (10.0.0.7) is"
                        + " not in the valid range. The range of valid IPs is 10.0.0.0/29"));
        assertThat(services.list(ListRequest.all()).items()).hasSize(1);
    }

    @Test
    void headlessAndExternalNameServices_getNoAddress() {
        Service headless = service("headless", "ClusterIP");
        headless.getSpec().setClusterIP("None");
        assertThat(services.create(headless).getSpec().getClusterIPs()).containsExactly("None");
        Service external = new ServiceBuilder().withNewMetadata().withName("ext").endMetadata().withNewSpec()
                .withType("ExternalName").withExternalName("db.example.com").endSpec().build();
        assertThat(services.create(external).getSpec().getClusterIP()).isNull();
        Service headlessNodePort = service("hnp", "NodePort");
        headlessNodePort.getSpec().setClusterIP("None");
        assertThatThrownBy(() -> services.create(headlessNodePort)).hasMessageContaining(
                "spec.clusterIPs[0]: Invalid value: \"None\": may not be set to 'None' for NodePort services");
    }

    @Test
    void nodePorts_areAllocatedInRange_sharedByOnePortNumber_andARequestedOneMustBeFree() {
        deleteAll();
        Service np = new ServiceBuilder().withNewMetadata().withName("dns").endMetadata().withNewSpec()
                .withType("NodePort").addToSelector("app", "dns").addNewPort().withName("udp").withPort(53)
                .withProtocol("UDP").endPort().addNewPort().withName("tcp").withPort(53).withProtocol("TCP")
                .endPort().addNewPort().withName("metrics").withPort(9153).endPort().endSpec().build();
        Service created = services.create(np);
        List<Integer> ports = created.getSpec().getPorts().stream().map(p -> p.getNodePort()).toList();
        assertThat(ports).allSatisfy(p -> assertThat(p).isBetween(30000, 30009));
        assertThat(ports.get(0)).as("53/UDP and 53/TCP share one node port").isEqualTo(ports.get(1));
        assertThat(ports.get(2)).isNotEqualTo(ports.get(0));

        Service taken = service("taken", "NodePort");
        taken.getSpec().getPorts().get(0).setNodePort(ports.get(2));
        assertThatThrownBy(() -> services.create(taken)).isInstanceOfSatisfying(ApiException.class, e ->
                assertThat(e.getMessage()).isEqualTo("Service \"taken\" is invalid: spec.ports[0].nodePort: Invalid"
                        + " value: " + ports.get(2) + ": provided port is already allocated"));
        Service outside = service("outside", "NodePort");
        outside.getSpec().getPorts().get(0).setNodePort(80);
        assertThatThrownBy(() -> services.create(outside)).hasMessageEndingWith("spec.ports[0].nodePort: Invalid"
                + " value: 80: provided port is not in the valid range. The range of valid ports is 30000-30009");
        Service clusterIpWithPort = service("cip", "ClusterIP");
        clusterIpWithPort.getSpec().getPorts().get(0).setNodePort(30005);
        assertThatThrownBy(() -> services.create(clusterIpWithPort)).hasMessageContaining(
                "spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'");
    }

    @Test
    void updates_keepTheAddress_refuseToChangeIt_andTypeChangesTakeOrGiveBackNodePorts() {
        deleteAll();
        Service s = services.create(service("web", "ClusterIP"));
        String ip = s.getSpec().getClusterIP();
        Service omitted = services.get("web");
        omitted.getSpec().setClusterIP(null);
        omitted.getSpec().setClusterIPs(null);
        omitted.getMetadata().getLabels().put("edited", "yes");
        assertThat(services.update(omitted).getSpec().getClusterIP()).as("filled from the stored object")
                .isEqualTo(ip);

        Service moved = services.get("web");
        moved.getSpec().setClusterIP(ip.equals("10.0.0.1") ? "10.0.0.2" : "10.0.0.1");
        moved.getSpec().setClusterIPs(List.of(moved.getSpec().getClusterIP()));
        assertThatThrownBy(() -> services.update(moved)).hasMessageContaining("spec.clusterIPs[0]: Invalid value: ")
                .hasMessageContaining("may not change once set");

        Service toNodePort = services.get("web");
        toNodePort.getSpec().setType("NodePort");
        int nodePort = services.update(toNodePort).getSpec().getPorts().get(0).getNodePort();
        assertThat(nodePort).isBetween(30000, 30009);
        assertThat(rangeKeys(ServiceRanges.PORT_PREFIX)).containsExactly(ServiceRanges.PORT_PREFIX + nodePort);

        Service back = services.get("web");
        back.getSpec().setType("ClusterIP");
        assertThat(services.update(back).getSpec().getPorts().get(0).getNodePort()).isNull();
        assertThat(rangeKeys(ServiceRanges.PORT_PREFIX)).isEmpty();
        assertThat(services.get("web").getSpec().getClusterIP()).isEqualTo(ip);
    }

    @Test
    void concurrentCreates_neverShareAnAddress() throws Exception {
        deleteAll();
        List<Thread> threads = new java.util.ArrayList<>();
        Set<String> ips = java.util.concurrent.ConcurrentHashMap.newKeySet();
        for (int t = 0; t < 6; t++) {
            int n = t;
            Thread thread = new Thread(() -> ips.add(services.create(service("c" + n, "ClusterIP")).getSpec()
                    .getClusterIP()));
            thread.start();
            threads.add(thread);
        }
        for (Thread t : threads) {
            t.join();
        }
        assertThat(ips).hasSize(6);
    }

    @Test
    void asyncCreates_inFlightTogether_neverShareAnAddress() {
        deleteAll();
        // six creates in flight at once pick from six addresses: the ones that lose a race retry on the executor
        List<java.util.concurrent.CompletableFuture<Service>> creates = new java.util.ArrayList<>();
        for (int n = 0; n < 6; n++) {
            creates.add(services.createAsync(service("a" + n, "ClusterIP")));
        }
        Set<String> ips = new HashSet<>();
        creates.forEach(c -> ips.add(c.join().getSpec().getClusterIP()));
        assertThat(ips).hasSize(6);
        assertThat(rangeKeys("/registry/ranges/serviceips/")).hasSize(6);

        assertThat(services.createAsync(service("full", "ClusterIP"))).failsWithin(Duration.ofSeconds(10))
                .withThrowableOfType(java.util.concurrent.ExecutionException.class)
                .havingCause().isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.getMessage())
                        .contains("range is full"));
    }
}
