package io.keelson.kernel.namespace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.DeleteOptionsBuilder;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.keelson.kernel.ApiException;
import io.keelson.kernel.KernelTestBase;
import io.keelson.kernel.Resources;
import io.keelson.kernel.TestObjects;
import io.keelson.kernel.informer.InformerFactory;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class NamespaceControllerTest extends KernelTestBase {
    static InformerFactory informers;
    static NamespaceController controller;

    @BeforeAll
    static void open() throws Exception {
        informers = InformerFactory.builder(kernel).build();
        controller = NamespaceController.create(kernel, informers, fixture.clock());
        controller.start();
        informers.startAll().get(30, TimeUnit.SECONDS);
    }

    @AfterAll
    static void close() {
        controller.close();
        informers.close();
    }

    @Test
    void deletedNamespace_isTerminating_refusesNewContent_deletesPodsFirst_andGoesOnceTheyFinish() throws Exception {
        Resources<Namespace> namespaces = kernel.resources(Namespace.class);
        namespaces.create(TestObjects.namespace("doomed"));
        Resources<ConfigMap> cms = kernel.resources(ConfigMap.class).inNamespace("doomed");
        Resources<Pod> pods = kernel.resources(Pod.class).inNamespace("doomed");
        cms.create(new ConfigMapBuilder().withNewMetadata().withName("c").endMetadata().build());
        Pod running = TestObjects.pod("running");
        running.getSpec().setNodeName("node-1");
        pods.create(running);

        namespaces.delete("doomed");
        assertThat(namespaces.get("doomed").getStatus().getPhase()).isEqualTo("Terminating");
        assertThatThrownBy(() -> cms.create(new ConfigMapBuilder().withNewMetadata().withName("late").endMetadata()
                .build())).isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.code()).isEqualTo(403);
                    assertThat(e.getMessage()).isEqualTo("configmaps \"late\" is forbidden: unable to create new content"
                            + " in namespace doomed because it is being terminated");
                    assertThat(e.status().getDetails().getCauses().get(0).getReason()).isEqualTo("NamespaceTerminating");
                });

        await(() -> pods.get("running").getMetadata().getDeletionTimestamp() != null);
        await(() -> namespaces.get("doomed").getStatus().getConditions().stream()
                .anyMatch(c -> c.getType().equals("NamespaceContentRemaining")
                        && c.getMessage().equals("Some resources are remaining: pods. has 1 resource instances")));
        assertThat(namespaces.get("doomed").getSpec().getFinalizers()).contains("kubernetes");
        assertThat(cms.list("")).hasSize(1); // pods go first: nothing else is touched while one remains

        // the node finishes the pod's graceful deletion
        pods.delete("running", new DeleteOptionsBuilder().withGracePeriodSeconds(0L).build());
        controller.recheck("doomed");
        await(() -> {
            try {
                namespaces.get("doomed");
                return false;
            } catch (ApiException e) {
                return e.isNotFound();
            }
        });
    }

    @Test
    void systemNamespaces_cannotBeDeleted() {
        assertThatThrownBy(() -> kernel.resources(Namespace.class).delete("kube-system"))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.code()).isEqualTo(403);
                    assertThat(e.getMessage()).isEqualTo("namespaces \"kube-system\" is forbidden: this namespace may"
                            + " not be deleted");
                });
    }

    private static void await(Callable<Boolean> condition) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.call()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met in 20 s");
            }
            Thread.sleep(20);
        }
    }
}
