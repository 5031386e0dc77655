package io.keelson.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedding application's view: manifests, its own admission plugins, watches from old versions. */
class KernelApiTest {
    @TempDir
    static Path dir;
    static TestKernels.Fixture fixture;
    static Kernel kernel;

    /** An application's plugin: labels every ConfigMap, and refuses ones named "forbidden". */
    static final class TeamLabels implements AdmissionPlugin {
        @Override
        public String name() {
            return "TeamLabels";
        }

        @Override
        public void mutate(AdmissionRequest request) {
            if (request.operation() == AdmissionRequest.Operation.CREATE && request.object() instanceof ConfigMap cm) {
                Map<String, String> labels = new HashMap<>(cm.getMetadata().getLabels() == null ? Map.of()
                        : cm.getMetadata().getLabels());
                labels.put("team", "core");
                cm.getMetadata().setLabels(labels);
            }
        }

        @Override
        public void validate(AdmissionRequest request) {
            if ("forbidden".equals(request.name())) {
                throw new ApiException(new StatusBuilder().withStatus("Failure").withCode(403).withReason("Forbidden")
                        .withMessage("configmaps \"forbidden\" is forbidden: not on this team").build());
            }
        }
    }

    @BeforeAll
    static void open() {
        fixture = TestKernels.open(dir, b -> b.admission(new TeamLabels()));
        kernel = fixture.kernel();
    }

    @AfterAll
    static void close() {
        fixture.close();
    }

    @Test
    void aMultiDocumentManifest_loadsIntoFabric8Classes_andApplies() {
        String manifest = """
                apiVersion: v1
                kind: Namespace
                metadata:
                  name: shop
                ---
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: web
                  namespace: shop
                spec:
                  replicas: 3
                  selector:
                    matchLabels: {app: web}
                  template:
                    metadata:
                      labels: {app: web}
                    spec:
                      containers:
                      - name: nginx
                        image: nginx:1.25
                        ports:
                        - containerPort: 80
                ---
                apiVersion: v1
                kind: Service
                metadata:
                  name: web
                spec:
                  selector: {app: web}
                  ports:
                  - port: 80
                """;
        List<HasMetadata> objects = kernel.load(manifest);
        assertThat(objects).extracting(o -> o.getClass().getSimpleName())
                .containsExactly("Namespace", "Deployment", "Service");
        List<HasMetadata> created = kernel.apply(manifest, "shop");
        assertThat(created).allMatch(o -> o.getMetadata().getResourceVersion() != null);
        Deployment d = kernel.resources(Deployment.class).inNamespace("shop").get("web");
        assertThat(d.getSpec().getStrategy().getType()).isEqualTo("RollingUpdate");
        Service s = kernel.resources(Service.class).inNamespace("shop").get("web");
        assertThat(s.getSpec().getPorts().get(0).getTargetPort().getIntVal()).isEqualTo(80);
    }

    @Test
    void aManifestWithAnUnknownKind_isABadRequest() {
        assertThatThrownBy(() -> kernel.load("apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n"))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.code()).isEqualTo(400);
                    assertThat(e.getMessage()).isEqualTo("no matches for kind \"Widget\" in version \"example.com/v1\"");
                });
    }

    @Test
    void anApplicationsAdmissionPlugin_mutatesAndValidates() {
        kernel.resources(Namespace.class).create(TestObjects.namespace("team"));
        Resources<ConfigMap> cms = kernel.resources(ConfigMap.class).inNamespace("team");
        ConfigMap c = cms.create(new ConfigMapBuilder().withNewMetadata().withName("settings").endMetadata().build());
        assertThat(c.getMetadata().getLabels()).containsEntry("team", "core");
        assertThatThrownBy(() -> cms.create(new ConfigMapBuilder().withNewMetadata().withName("forbidden").endMetadata()
                .build())).isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(403));
    }

    @Test
    void aWatchFromAVersionOlderThanTheWindow_getsOne410Event() throws Exception {
        kernel.resources(Namespace.class).create(TestObjects.namespace("old"));
        Resources<ConfigMap> cms = kernel.resources(ConfigMap.class).inNamespace("old");
        cms.list(ListRequest.all()); // the cache exists from here on
        List<WatchEvent<ConfigMap>> events = new CopyOnWriteArrayList<>();
        try (ResourceWatch w = cms.watch(WatchRequest.fromResourceVersion("1"), events::add)) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (events.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
        }
        assertThat(events).hasSize(1);
        assertThat(events.get(0).type()).isEqualTo(WatchEvent.Type.ERROR);
        assertThat(events.get(0).status().getCode()).isEqualTo(410);
        assertThat(events.get(0).status().getReason()).isEqualTo("Expired");
        assertThat(events.get(0).status().getMessage()).matches("too old resource version: 1 \\(\\d+\\)");
    }

    @Test
    void aWatchWithInitialState_sendsAddsThenTheEndBookmark() throws Exception {
        kernel.resources(Namespace.class).create(TestObjects.namespace("initial"));
        Resources<ConfigMap> cms = kernel.resources(ConfigMap.class).inNamespace("initial");
        cms.create(new ConfigMapBuilder().withNewMetadata().withName("a").endMetadata().build());
        cms.create(new ConfigMapBuilder().withNewMetadata().withName("b").endMetadata().build());
        List<WatchEvent<ConfigMap>> events = new CopyOnWriteArrayList<>();
        try (ResourceWatch w = cms.watch(WatchRequest.withInitialState(), events::add)) {
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (events.size() < 3 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
        }
        assertThat(events).extracting(WatchEvent::type).startsWith(WatchEvent.Type.ADDED, WatchEvent.Type.ADDED,
                WatchEvent.Type.BOOKMARK);
        assertThat(events.get(2).initialEventsEnd()).isTrue();
    }
}
