package io.keelson.scheduler.plugins.nodeports;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.keelson.kernel.scheduler.framework.CycleState;
import io.keelson.kernel.scheduler.framework.HostPorts;
import io.keelson.kernel.scheduler.framework.PodInfo;
import io.keelson.kernel.scheduler.framework.PreFilterResult;
import io.keelson.kernel.scheduler.framework.Status;
import io.keelson.scheduler.plugins.Fixtures;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** kube-scheduler's TestNodePorts cases; ports are written PROTOCOL/hostIP/hostPort. */
class NodePortsTest {
    private final NodePorts plugin = new NodePorts();

    /** A pod asking for these host ports. */
    static Pod withPorts(String... ports) {
        ContainerBuilder c = new ContainerBuilder().withName("c").withImage("pause");
        for (String p : ports) {
            String[] parts = p.split("/");
            c.addNewPort().withProtocol(parts[0]).withHostIP(parts[1]).withHostPort(Integer.parseInt(parts[2]))
                    .withContainerPort(Integer.parseInt(parts[2])).endPort();
        }
        return Fixtures.pod("p" + String.join("-", ports).hashCode(), c.build()).build();
    }

    static Stream<Arguments> cases() {
        String reason = "node(s) didn't have free ports for the requested pod ports";
        return Stream.of(
                Arguments.of("other port", List.of("UDP/127.0.0.1/8080"), List.of("UDP/127.0.0.1/9090"), null),
                Arguments.of("same udp port", List.of("UDP/127.0.0.1/8080"), List.of("UDP/127.0.0.1/8080"), reason),
                Arguments.of("same tcp port", List.of("TCP/127.0.0.1/8080"), List.of("TCP/127.0.0.1/8080"), reason),
                Arguments.of("different host ip", List.of("TCP/127.0.0.1/8080"), List.of("TCP/127.0.0.2/8080"), null),
                Arguments.of("different protocol", List.of("UDP/127.0.0.1/8080"), List.of("TCP/127.0.0.1/8080"), null),
                Arguments.of("second udp port conflict", List.of("UDP/127.0.0.1/8000", "UDP/127.0.0.1/8080"),
                        List.of("UDP/127.0.0.1/8080"), reason),
                Arguments.of("first tcp port conflict", List.of("TCP/127.0.0.1/8001", "UDP/127.0.0.1/8080"),
                        List.of("TCP/127.0.0.1/8001", "UDP/127.0.0.1/8081"), reason),
                Arguments.of("first tcp port conflict due to 0.0.0.0 hostIP", List.of("TCP/0.0.0.0/8001"),
                        List.of("TCP/127.0.0.1/8001"), reason),
                Arguments.of("TCP hostPort conflict due to 0.0.0.0 hostIP",
                        List.of("TCP/10.0.10.10/8001", "TCP/0.0.0.0/8001"), List.of("TCP/127.0.0.1/8001"), reason),
                Arguments.of("second tcp port conflict to 0.0.0.0 hostIP", List.of("TCP/127.0.0.1/8001"),
                        List.of("TCP/0.0.0.0/8001"), reason),
                Arguments.of("second different protocol", List.of("UDP/127.0.0.1/8001"), List.of("TCP/0.0.0.0/8001"),
                        null),
                Arguments.of("UDP hostPort conflict due to 0.0.0.0 hostIP", List.of("UDP/127.0.0.1/8001"),
                        List.of("TCP/0.0.0.0/8001", "UDP/0.0.0.0/8001"), reason));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void filter(String name, List<String> wanted, List<String> used, String reason) {
        Pod pod = withPorts(wanted.toArray(String[]::new));
        CycleState state = new CycleState();
        assertThat(plugin.preFilter(state, pod, List.of()).status().isSuccess()).isTrue();
        Status s = plugin.filter(state, pod, Fixtures.nodeInfo(Fixtures.node("n"), withPorts(used.toArray(String[]::new))));
        assertThat(s).isEqualTo(reason == null ? Status.success() : Status.unschedulable(reason));
    }

    @Test
    void aPodWithoutHostPorts_skipsTheFilter() {
        PreFilterResult r = plugin.preFilter(new CycleState(), Fixtures.pod(), List.of());
        assertThat(r.status().isSkip()).isTrue();
    }

    @Test
    void filterWithoutPreFilter_isAnError() {
        Status s = plugin.filter(new CycleState(), withPorts("TCP/0.0.0.0/80"), Fixtures.nodeInfo(Fixtures.node("n")));
        assertThat(s.code()).isEqualTo(Status.Code.ERROR);
    }

    @Test
    void hostPorts_comeFromContainersAndSidecars_notFromPortsWithoutAHostPort() {
        Container sidecar = new ContainerBuilder().withName("proxy").withImage("envoy").withRestartPolicy("Always")
                .addNewPort().withHostPort(15001).withContainerPort(15001).endPort().build();
        Container init = new ContainerBuilder().withName("init").withImage("busybox")
                .addNewPort().withHostPort(9999).withContainerPort(9999).endPort().build();
        Container app = new ContainerBuilder().withName("app").withImage("nginx")
                .addNewPort().withHostPort(8001).withContainerPort(80).endPort()
                .addNewPort().withContainerPort(8005).endPort().build();
        Pod pod = new PodBuilder(Fixtures.pod(app)).editSpec().withInitContainers(init, sidecar).endSpec().build();

        assertThat(PodInfo.of(pod).hostPorts()).containsExactly(new HostPorts.Port("", "TCP", 8001),
                new HostPorts.Port(null, null, 15001));
    }
}
