package io.keelson.kernel.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Pod;
import io.keelson.kernel.Kernel;
import io.keelson.kernel.ListRequest;
import io.keelson.kernel.endpoints.ServiceResolver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The README's kernel-testing example, as written there (the manifest one directory up: the repository's). */
class ReadmeExampleTest {
    @RegisterExtension
    static final KernelExtension cluster = KernelExtension.withNodes(3);

    @Test
    void rollsOutAndServes(Kernel kernel, SimulatedCluster sim) throws Exception {
        kernel.apply(Files.readString(Path.of("../examples/web.yaml")), null);
        assertTrue(sim.awaitTrue(() -> kernel.resources(Pod.class).inNamespace("shop")
                .list(ListRequest.all()).items().size() == 6, Duration.ofMinutes(1)));   // simulated time
        ServiceResolver dns = ServiceResolver.create(sim.informers());
        assertTrue(sim.awaitTrue(() -> dns.pick("web.shop.svc.cluster.local", "http").isPresent(),
                Duration.ofSeconds(30)));
        sim.nodes().stopHeartbeats("node-1");                 // faults: stop, resume, remove
        sim.advance(Duration.ofMinutes(6));                   // grace, taint, 5 s toleration, replacements

        assertTrue(kernel.resources(Pod.class).inNamespace("shop").list(ListRequest.all()).items().stream()
                .filter(p -> p.getMetadata().getDeletionTimestamp() == null).allMatch(p ->
                        !"node-1".equals(p.getSpec().getNodeName()) && RolloutLoopTest.ready(p)));
        sim.nodes().resumeHeartbeats("node-1");
    }
}
