package io.keelson.kernel.manager;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.keelson.kernel.ApiException;
import io.keelson.kernel.Kernel;
import io.keelson.kernel.Resources;
import io.keelson.kernel.TestObjects;
import io.keelson.store.KeelsonStore;
import io.keelson.store.StoreConfig;
import io.keelson.store.StoreMember;
import io.keelson.store.TestStores;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three kernels on one three-member store, each with a controller manager: exactly one runs the controllers;
 * stopping that kernel hands them to another, which goes on collecting garbage.
 */
class ControllerManagerIT {
    @TempDir
    Path dir;
    final List<StoreMember> members = new ArrayList<>();
    final List<Kernel> kernels = new ArrayList<>();
    final List<ControllerManager> managers = new ArrayList<>();

    @AfterEach
    void close() {
        managers.forEach(ControllerManager::close);
        kernels.forEach(Kernel::close);
        members.forEach(StoreMember::close);
    }

    @Test
    void oneManagerLeads_andStoppingItsKernelHandsTheControllersOver() throws Exception {
        List<CompletableFuture<StoreMember>> starting = new ArrayList<>();
        for (StoreConfig c : TestStores.threeMembers(dir)) {
            starting.add(CompletableFuture.supplyAsync(() -> KeelsonStore.open(c)));
        }
        for (CompletableFuture<StoreMember> f : starting) {
            members.add(f.get(60, TimeUnit.SECONDS));
        }
        for (int i = 0; i < 3; i++) {
            Kernel kernel = Kernel.builder().store(members.get(i)).build();
            kernels.add(kernel);
            ControllerManager m = ControllerManager.builder(kernel, "kernel-" + i)
                    .leaderElection(Duration.ofSeconds(3), Duration.ofSeconds(2), Duration.ofMillis(300)).build();
            managers.add(m);
            m.start();
        }
        await(() -> managers.stream().filter(ControllerManager::isLeader).count() == 1);
        Thread.sleep(1500);
        assertThat(managers.stream().filter(ControllerManager::isLeader).count()).isEqualTo(1);
        int leader = indexOfLeader();
        assertThat(managers.get(leader).runningControllers()).containsExactly("namespace", "garbage-collector",
                "node-lifecycle", "replicaset", "deployment", "endpointslice", "endpoints", "pod-garbage-collector");
        collectsGarbage(kernels.get((leader + 1) % 3), "before");

        managers.get(leader).close();
        kernels.get(leader).close();
        managers.remove(leader);
        kernels.remove(leader);
        await(() -> managers.stream().filter(ControllerManager::isLeader).count() == 1);
        collectsGarbage(kernels.get(0), "after");
    }

    private int indexOfLeader() {
        for (int i = 0; i < managers.size(); i++) {
            if (managers.get(i).isLeader()) {
                return i;
            }
        }
        throw new AssertionError("no leader");
    }

    /** An owner deleted through one kernel has its dependent collected by whichever kernel leads. */
    private static void collectsGarbage(Kernel kernel, String ns) throws Exception {
        kernel.resources(Namespace.class).create(TestObjects.namespace(ns));
        Resources<ConfigMap> cms = kernel.resources(ConfigMap.class).inNamespace(ns);
        ConfigMap owner = cms.create(new ConfigMapBuilder().withNewMetadata().withName("owner").endMetadata().build());
        cms.create(new ConfigMapBuilder().withNewMetadata().withName("dependent").withOwnerReferences(
                new OwnerReferenceBuilder().withApiVersion("v1").withKind("ConfigMap").withName("owner")
                        .withUid(owner.getMetadata().getUid()).build()).endMetadata().build());
        cms.delete("owner");
        await(() -> {
            try {
                cms.get("dependent");
                return false;
            } catch (ApiException e) {
                return e.isNotFound();
            }
        });
    }

    private static void await(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met in 30 s");
            }
            Thread.sleep(50);
        }
    }
}
