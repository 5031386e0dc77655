package io.keelson.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.keelson.kernel.controller.Controller;
import io.keelson.kernel.controller.Result;
import io.keelson.kernel.informer.InformerFactory;
import io.keelson.kernel.informer.SharedInformer;
import io.keelson.kernel.node.SimulatedNodes;
import io.keelson.store.KeelsonStore;
import io.keelson.store.StoreMember;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's kernel examples, as written there, so that they keep working when copied. */
class ReadmeExamplesTest {
    @TempDir
    Path dir;

    @Test
    void theResourcesExample() throws Exception {
        Files.writeString(dir.resolve("manifests.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\n");
        try (StoreMember store = KeelsonStore.open(dir.resolve("data"));
             Kernel kernel = Kernel.builder().store(store).build()) {
            Resources<Deployment> deployments = kernel.resources(Deployment.class).inNamespace("default");
            Deployment web = deployments.create(new DeploymentBuilder()
                    .withNewMetadata().withName("web").addToLabels("app", "web").endMetadata()
                    .withNewSpec().withReplicas(3)
                        .withNewSelector().addToMatchLabels("app", "web").endSelector()
                        .withNewTemplate().withNewMetadata().addToLabels("app", "web").endMetadata()
                            .withNewSpec().addNewContainer().withName("nginx").withImage("nginx:1.25").endContainer()
                            .endSpec().endTemplate()
                    .endSpec().build());
            web.getSpec().setReplicas(5);
            deployments.update(web);
            assertThatThrownBy(() -> deployments.update(web)).isInstanceOfSatisfying(ApiException.class,
                    e -> assertThat(e.code()).isEqualTo(409));
            deployments.patch("web", PatchType.MERGE, "{\"spec\":{\"replicas\":2}}");
            List<Deployment> mine = deployments.list("app=web");
            kernel.apply(Files.readString(dir.resolve("manifests.yaml")), "default");
            CompletableFuture<ConfigMap> later = kernel.resources(ConfigMap.class).inNamespace("default")
                    .createAsync(new ConfigMapBuilder().withNewMetadata().withName("flags").endMetadata().build());
            later.join();
            assertThat(kernel.resources(ConfigMap.class).inNamespace("default").get("flags")).isNotNull();
            assertThat(mine).hasSize(1);
            assertThat(mine.get(0).getSpec().getReplicas()).isEqualTo(2);
            assertThat(kernel.resources(ConfigMap.class).inNamespace("default").get("settings")).isNotNull();
        }
    }

    @Test
    void theControllerExample() throws Exception {
        try (StoreMember store = KeelsonStore.open(dir.resolve("data"));
             Kernel kernel = Kernel.builder().store(store).build()) {
            InformerFactory informers = InformerFactory.builder(kernel).build();
            SharedInformer<ConfigMap> configMaps = informers.forType(ConfigMap.class);
            Controller controller = Controller.builder("stamp")
                    .watches(configMaps, Controller::keyOf)
                    .reconciler(key -> {
                        ConfigMap c = configMaps.cache().get(key);            // shared: do not modify
                        if (c == null || "done".equals(c.getMetadata().getAnnotations().get("state"))) {
                            return Result.done();
                        }
                        kernel.resources(ConfigMap.class).update(new ConfigMapBuilder(c)
                                .editMetadata().addToAnnotations("state", "done").endMetadata().build());
                        return Result.done();                                 // a Conflict thrown here is retried
                    })
                    .workers(4).build();
            controller.start();
            informers.startAll().join();

            kernel.resources(ConfigMap.class).inNamespace("default").create(new ConfigMapBuilder()
                    .withNewMetadata().withName("c").endMetadata().build());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!"done".equals(kernel.resources(ConfigMap.class).inNamespace("default").get("c").getMetadata()
                    .getAnnotations().get("state"))) {
                assertThat(System.nanoTime()).isLessThan(deadline);
                Thread.sleep(20);
            }
            controller.close();
            informers.close();
        }
    }

    @Test
    void theSimulatedNodesExample() throws Exception {
        try (StoreMember store = KeelsonStore.open(dir.resolve("data"));
             Kernel kernel = Kernel.builder().store(store).build()) {
            InformerFactory informers = InformerFactory.builder(kernel).build();
            SimulatedNodes nodes = SimulatedNodes.builder(kernel, informers).startDelay(Duration.ofMillis(200)).build();
            nodes.add(new NodeBuilder().withNewMetadata().withName("node-1")
                    .addToLabels("topology.kubernetes.io/zone", "zone-a").endMetadata().build());
            informers.startAll().join();
            nodes.start();

            Pod pod = new PodBuilder().withNewMetadata().withName("p").endMetadata().withNewSpec().withNodeName("node-1")
                    .addNewContainer().withName("c").withImage("nginx").endContainer().endSpec().build();
            kernel.resources(Pod.class).inNamespace("default").create(pod);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!"Running".equals(kernel.resources(Pod.class).inNamespace("default").get("p").getStatus()
                    .getPhase())) {
                assertThat(System.nanoTime()).isLessThan(deadline);
                Thread.sleep(20);
            }
            nodes.stopHeartbeats("node-1");   // no lease renewals, status reports or pod changes
            nodes.resumeHeartbeats("node-1");
            nodes.remove("node-1");           // deletes the Node and its Lease
            assertThat(kernel.resources(Node.class).list("")).isEmpty();
            nodes.close();
            informers.close();
        }
    }
}
