package io.keelson.kernel.gc;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.DeleteOptionsBuilder;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.keelson.kernel.ApiException;
import io.keelson.kernel.KernelTestBase;
import io.keelson.kernel.Resources;
import io.keelson.kernel.TestObjects;
import io.keelson.kernel.informer.InformerFactory;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The collector's graph can lag the store: here its Secret informer has not started, as when a dependent's type
 * is slower to deliver than its owner's. An owner is never let go on what the graph does not know yet.
 */
class GarbageCollectorGraphLagTest extends KernelTestBase {
    private InformerFactory informers;
    private GarbageCollector gc;

    @BeforeEach
    void startWithoutSecrets() throws Exception {
        informers = InformerFactory.builder(kernel).build();
        gc = GarbageCollector.create(kernel, informers);
        gc.start();
        informers.forType(ConfigMap.class).start().get(30, TimeUnit.SECONDS);
    }

    @AfterEach
    void close() {
        gc.close();
        informers.close();
    }

    @Test
    void foregroundOwner_waitsForABlockingDependentTheGraphDoesNotKnow() throws Exception {
        String ns = namespace("lag-fg");
        Resources<ConfigMap> cms = kernel.resources(ConfigMap.class).inNamespace(ns);
        Resources<Secret> secrets = kernel.resources(Secret.class).inNamespace(ns);
        ConfigMap owner = cms.create(new ConfigMapBuilder().withNewMetadata().withName("owner").endMetadata().build());
        secrets.create(dependentOf(owner, "child"));

        cms.delete("owner", new DeleteOptionsBuilder().withPropagationPolicy("Foreground").build());
        Thread.sleep(500);
        assertThat(cms.get("owner").getMetadata().getFinalizers()).containsExactly(GarbageCollector.FOREGROUND);

        informers.forType(Secret.class).start().get(30, TimeUnit.SECONDS);
        await(() -> gone(secrets, "child") && gone(cms, "owner"));
    }

    @Test
    void orphaningOwner_releasesADependentTheGraphDoesNotKnow() throws Exception {
        String ns = namespace("lag-orphan");
        Resources<ConfigMap> cms = kernel.resources(ConfigMap.class).inNamespace(ns);
        Resources<Secret> secrets = kernel.resources(Secret.class).inNamespace(ns);
        ConfigMap owner = cms.create(new ConfigMapBuilder().withNewMetadata().withName("owner").endMetadata().build());
        secrets.create(dependentOf(owner, "child"));

        cms.delete("owner", new DeleteOptionsBuilder().withPropagationPolicy("Orphan").build());
        await(() -> gone(cms, "owner"));
        assertThat(secrets.get("child").getMetadata().getOwnerReferences()).isEmpty();
    }

    private static Secret dependentOf(ConfigMap owner, String name) {
        return new SecretBuilder().withNewMetadata().withName(name).withOwnerReferences(new OwnerReferenceBuilder()
                .withApiVersion("v1").withKind("ConfigMap").withName(owner.getMetadata().getName())
                .withUid(owner.getMetadata().getUid()).withBlockOwnerDeletion(true).build()).endMetadata().build();
    }

    private static String namespace(String name) {
        kernel.resources(Namespace.class).create(TestObjects.namespace(name));
        return name;
    }

    private static boolean gone(Resources<?> resources, String name) {
        try {
            resources.get(name);
            return false;
        } catch (ApiException e) {
            if (e.isNotFound()) {
                return true;
            }
            throw e;
        }
    }

    private static void await(Callable<Boolean> condition) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.call()) {
            assertThat(System.nanoTime()).as("condition not met in 20 s").isLessThan(deadline);
            Thread.sleep(20);
        }
    }
}
