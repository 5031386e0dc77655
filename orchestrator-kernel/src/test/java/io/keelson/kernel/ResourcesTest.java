package io.keelson.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.DeleteOptionsBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.keelson.store.RangeRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ResourcesTest extends KernelTestBase {

    private static Resources<Pod> pods(String ns) {
        kernel.resources(io.fabric8.kubernetes.api.model.Namespace.class).create(TestObjects.namespace(ns));
        return kernel.resources(Pod.class).inNamespace(ns);
    }

    @Test
    void create_storesJsonUnderTheApiserverKey_withServerFields() throws Exception {
        Resources<Pod> pods = pods("create");
        Pod created = pods.create(TestObjects.pod("web-1"));

        assertThat(created.getMetadata().getUid()).hasSize(36);
        assertThat(created.getMetadata().getCreationTimestamp()).isEqualTo("2026-01-01T00:00:00Z");
        assertThat(created.getMetadata().getGeneration()).isEqualTo(1L);
        assertThat(created.getStatus().getPhase()).isEqualTo("Pending");
        assertThat(created.getStatus().getQosClass()).isEqualTo("Burstable");
        var kvs = fixture.store().range(RangeRequest.key("/registry/pods/create/web-1")).get(5, TimeUnit.SECONDS).kvs();
        assertThat(kvs).hasSize(1);
        assertThat(created.getMetadata().getResourceVersion()).isEqualTo(Long.toString(kvs.get(0).modRevision()));
        assertThat(kvs.get(0).valueUtf8()).startsWith("{\"apiVersion\":\"v1\",\"kind\":\"Pod\"")
                .doesNotContain("resourceVersion");
        assertThat(pods.get("web-1")).isEqualTo(created);
    }

    @Test
    void create_twice_isAlreadyExists() {
        Resources<Pod> pods = pods("twice");
        pods.create(TestObjects.pod("p"));
        assertThatThrownBy(() -> pods.create(TestObjects.pod("p"))).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.code()).isEqualTo(409);
            assertThat(e.reason()).isEqualTo("AlreadyExists");
            assertThat(e.getMessage()).isEqualTo("pods \"p\" already exists");
        });
    }

    @Test
    void create_withGenerateName_appendsFiveCharacters() {
        Resources<Pod> pods = pods("generate");
        Pod p = TestObjects.pod(null);
        p.getMetadata().setGenerateName("web-");
        Pod created = pods.create(p);
        assertThat(created.getMetadata().getName()).matches("web-[bcdfghjklmnpqrstvwxz2456789]{5}");
    }

    @Test
    void get_missing_isNotFound() {
        assertThatThrownBy(() -> kernel.resources(Deployment.class).inNamespace("default").get("nope"))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.code()).isEqualTo(404);
                    assertThat(e.getMessage()).isEqualTo("deployments.apps \"nope\" not found");
                    assertThat(e.status().getDetails().getGroup()).isEqualTo("apps");
                    assertThat(e.status().getDetails().getKind()).isEqualTo("deployments");
                });
    }

    @Test
    void update_withStaleResourceVersion_isConflict_andNoOpKeepsTheResourceVersion() {
        kernel.resources(io.fabric8.kubernetes.api.model.Namespace.class).create(TestObjects.namespace("upd"));
        Resources<Deployment> deployments = kernel.resources(Deployment.class).inNamespace("upd");
        Deployment d = deployments.create(TestObjects.deployment("web", 2));

        Deployment same = deployments.update(d);
        assertThat(same.getMetadata().getResourceVersion()).isEqualTo(d.getMetadata().getResourceVersion());

        d.getSpec().setReplicas(3);
        Deployment scaled = deployments.update(d);
        assertThat(scaled.getMetadata().getGeneration()).isEqualTo(2L);

        d.getSpec().setReplicas(4);
        assertThatThrownBy(() -> deployments.update(d)).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.code()).isEqualTo(409);
            assertThat(e.getMessage()).isEqualTo("Operation cannot be fulfilled on deployments.apps \"web\": the object"
                    + " has been modified; please apply your changes to the latest version and try again");
        });
    }

    @Test
    void statusSubresource_separatesSpecAndStatusWrites() {
        kernel.resources(io.fabric8.kubernetes.api.model.Namespace.class).create(TestObjects.namespace("status"));
        Resources<Deployment> deployments = kernel.resources(Deployment.class).inNamespace("status");
        Deployment d = deployments.create(TestObjects.deployment("web", 2));

        d.getStatus().setReplicas(7);
        d.getSpec().setReplicas(5);
        Deployment afterStatus = deployments.updateStatus(d);
        assertThat(afterStatus.getStatus().getReplicas()).isEqualTo(7);
        assertThat(afterStatus.getSpec().getReplicas()).isEqualTo(2);
        assertThat(afterStatus.getMetadata().getGeneration()).isEqualTo(1L);

        afterStatus.getStatus().setReplicas(0);
        afterStatus.getSpec().setReplicas(5);
        Deployment afterMain = deployments.update(afterStatus);
        assertThat(afterMain.getStatus().getReplicas()).isEqualTo(7);
        assertThat(afterMain.getSpec().getReplicas()).isEqualTo(5);
        assertThat(afterMain.getMetadata().getGeneration()).isEqualTo(2L);
    }

    @Test
    void list_withLabelAndFieldSelectors_andPages() {
        Resources<Pod> pods = pods("list");
        for (int i = 0; i < 5; i++) {
            pods.create(TestObjects.pod("p" + i, Map.of("app", i % 2 == 0 ? "web" : "db", "i", "" + i)));
        }
        assertThat(names(pods.list("app=web"))).containsExactly("p0", "p2", "p4");
        assertThat(names(pods.list("app!=web,i notin (1)"))).containsExactly("p3");
        assertThat(names(pods.list(ListRequest.all().withFields("metadata.name=p1")).items())).containsExactly("p1");

        ObjectList<Pod> first = pods.list(ListRequest.all().limit(2));
        assertThat(names(first.items())).containsExactly("p0", "p1");
        ObjectList<Pod> second = pods.list(ListRequest.all().limit(2).continueFrom(first.continueToken()));
        assertThat(names(second.items())).containsExactly("p2", "p3");
        assertThat(second.resourceVersion()).isEqualTo(first.resourceVersion());

        assertThatThrownBy(() -> pods.list(ListRequest.all().withFields("spec.bogus=x")))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.code()).isEqualTo(400);
                    assertThat(e.getMessage()).isEqualTo("field label not supported: spec.bogus");
                });
    }

    @Test
    void delete_withFinalizer_keepsTheObjectUntilTheFinalizerIsRemoved() {
        kernel.resources(io.fabric8.kubernetes.api.model.Namespace.class).create(TestObjects.namespace("fin"));
        Resources<ConfigMap> cms = kernel.resources(ConfigMap.class).inNamespace("fin");
        ConfigMap cm = cms.create(new ConfigMapBuilder().withNewMetadata().withName("c")
                .withFinalizers("example.com/keep").endMetadata().build());

        DeleteResult<ConfigMap> result = cms.delete("c");
        assertThat(result.finished()).isFalse();
        assertThat(result.object().getMetadata().getDeletionTimestamp()).isEqualTo("2026-01-01T00:00:00Z");
        ConfigMap kept = cms.get("c");
        assertThat(kept.getMetadata().getDeletionTimestamp()).isNotNull();

        kept.getMetadata().setFinalizers(List.of());
        cms.update(kept);
        assertThatThrownBy(() -> cms.get("c")).isInstanceOfSatisfying(ApiException.class,
                e -> assertThat(e.isNotFound()).isTrue());
        assertThat(cm.getMetadata().getUid()).isNotNull();
    }

    @Test
    void delete_scheduledPod_isGraceful_andASecondDeleteWithZeroFinishesIt() {
        Resources<Pod> pods = pods("grace");
        Pod p = TestObjects.pod("p");
        p.getSpec().setNodeName("node-1");
        pods.create(p);

        DeleteResult<Pod> first = pods.delete("p");
        assertThat(first.finished()).isFalse();
        assertThat(first.object().getMetadata().getDeletionGracePeriodSeconds()).isEqualTo(30L);
        assertThat(first.object().getMetadata().getDeletionTimestamp()).isEqualTo("2026-01-01T00:00:30Z");

        DeleteResult<Pod> second = pods.delete("p", new DeleteOptionsBuilder().withGracePeriodSeconds(0L).build());
        assertThat(second.finished()).isTrue();
    }

    @Test
    void watch_fromAResourceVersion_deliversChanges_andAnObjectThatStopsMatchingAsDeleted() throws Exception {
        Resources<Pod> pods = pods("watch");
        Pod p = pods.create(TestObjects.pod("p", Map.of("app", "web")));
        List<WatchEvent<Pod>> events = new CopyOnWriteArrayList<>();
        try (ResourceWatch w = pods.watch(WatchRequest.fromResourceVersion(p.getMetadata().getResourceVersion())
                .withLabels("app=web"), events::add)) {
            p.getMetadata().setLabels(Map.of("app", "web", "v", "2"));
            p = pods.update(p);
            p.getMetadata().setLabels(Map.of("app", "db"));
            pods.update(p);
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (events.size() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
        }
        assertThat(events.get(0).type()).isEqualTo(WatchEvent.Type.MODIFIED);
        assertThat(events.get(1).type()).isEqualTo(WatchEvent.Type.DELETED);
        assertThat(events.get(1).object().getMetadata().getLabels()).containsEntry("v", "2");
    }

    private static List<String> names(List<Pod> pods) {
        List<String> names = new ArrayList<>();
        pods.forEach(p -> names.add(p.getMetadata().getName()));
        return names;
    }
}
