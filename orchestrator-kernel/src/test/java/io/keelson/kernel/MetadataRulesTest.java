package io.keelson.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.DeleteOptionsBuilder;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v1.Scale;
import io.fabric8.kubernetes.api.model.autoscaling.v1.ScaleBuilder;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/**
 * The server-owned metadata rules of kube-apiserver's generic registry: generation, identity fields an update
 * cannot change, resourceVersion preconditions on patches and deletes, propagation-policy finalizers, and the
 * scale subresource. The fake clock stays at 2026-01-01T00:00:00Z throughout.
 */
class MetadataRulesTest extends KernelTestBase {
    private static final String NOW = "2026-01-01T00:00:00Z";
    private static final String MODIFIED = "the object has been modified; please apply your changes to the latest"
            + " version and try again";

    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    // ---------------------------------------------------------------------------------------------- generation

    @Test
    void aDeploymentsGenerationCountsSpecChanges_notLabelChangesNorStatusWrites() {
        Resources<Deployment> deployments = deployments(newNamespace("generation"));
        Deployment d = deployments.create(TestObjects.deployment("web", 1));
        assertThat(d.getMetadata().getGeneration()).isEqualTo(1L);

        d.getMetadata().setLabels(Map.of("tier", "front"));
        Deployment labelled = deployments.update(d);
        assertThat(labelled.getMetadata().getResourceVersion()).isNotEqualTo(d.getMetadata().getResourceVersion());
        assertThat(labelled.getMetadata().getGeneration()).as("after a label change").isEqualTo(1L);

        labelled.getStatus().setReplicas(1);
        labelled.getStatus().setObservedGeneration(1L);
        Deployment observed = deployments.updateStatus(labelled);
        assertThat(observed.getStatus().getReplicas()).isEqualTo(1);
        assertThat(observed.getMetadata().getGeneration()).as("after a status write").isEqualTo(1L);

        observed.getSpec().setReplicas(3);
        Deployment scaled = deployments.update(observed);
        assertThat(scaled.getMetadata().getGeneration()).as("after a spec change").isEqualTo(2L);
        assertThat(deployments.get("web").getMetadata().getGeneration()).isEqualTo(2L);
    }

    @Test
    void anAnnotationChangeBumpsADeploymentsGeneration_becauseAnnotationsAreCopiedToItsReplicaSets() {
        Resources<Deployment> deployments = deployments(newNamespace("annotations"));
        Deployment d = deployments.create(TestObjects.deployment("web", 1));

        d.getMetadata().setAnnotations(Map.of("example.com/note", "x"));
        assertThat(deployments.update(d).getMetadata().getGeneration()).isEqualTo(2L);
    }

    @Test
    void anAnnotationChangeKeepsAReplicaSetsGeneration() {
        Resources<ReplicaSet> sets = kernel.resources(ReplicaSet.class).inNamespace(newNamespace("rs-annotations"));
        ReplicaSet rs = sets.create(new ReplicaSetBuilder().withNewMetadata().withName("rs").endMetadata()
                .withNewSpec().withReplicas(1).withNewSelector().addToMatchLabels("app", "rs").endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", "rs").endMetadata()
                .withNewSpec().addNewContainer().withName("app").withImage("nginx:1.25").endContainer().endSpec()
                .endTemplate().endSpec().build());

        rs.getMetadata().setAnnotations(Map.of("example.com/note", "x"));
        ReplicaSet annotated = sets.update(rs);
        assertThat(annotated.getMetadata().getAnnotations()).containsEntry("example.com/note", "x");
        assertThat(annotated.getMetadata().getGeneration()).isEqualTo(1L);
    }

    // ---------------------------------------------------------------------------------------------- identity

    @Test
    void anUpdateCannotChangeTheCreationTimestamp_andOneWithoutAUidKeepsTheStoredUid() {
        Resources<ConfigMap> configMaps = configMaps(newNamespace("identity"));
        ConfigMap created = configMaps.create(configMap("c", "1"));
        ConfigMap edited = configMaps.get("c");
        edited.getMetadata().setCreationTimestamp("2020-01-01T00:00:00Z");
        edited.getMetadata().setUid(null);
        edited.setData(Map.of("a", "2"));

        ConfigMap updated = configMaps.update(edited);
        assertThat(updated.getData()).containsEntry("a", "2");
        assertThat(updated.getMetadata().getCreationTimestamp()).isEqualTo(created.getMetadata().getCreationTimestamp());
        assertThat(updated.getMetadata().getUid()).isEqualTo(created.getMetadata().getUid());
        ConfigMap stored = configMaps.get("c");
        assertThat(stored.getMetadata().getCreationTimestamp()).isEqualTo(NOW);
        assertThat(stored.getMetadata().getUid()).isEqualTo(created.getMetadata().getUid());
    }

    @Test
    void anUpdateCarryingAnotherUidFailsTheStoragesUidPrecondition() {
        // the update handler turns the object's uid into a storage precondition (defaultUpdatedObjectInfo)
        String ns = newNamespace("other-uid");
        Resources<ConfigMap> configMaps = configMaps(ns);
        ConfigMap created = configMaps.create(configMap("c", "1"));
        ConfigMap edited = configMaps.get("c");
        edited.getMetadata().setUid("00000000-0000-0000-0000-000000000000");
        edited.setData(Map.of("a", "2"));

        ApiException e = thrown(() -> configMaps.update(edited));
        assertThat(e.code()).isEqualTo(409);
        assertThat(e.reason()).isEqualTo("Conflict");
        assertThat(e.getMessage()).isEqualTo("Operation cannot be fulfilled on configmaps \"c\": StorageError: invalid"
                + " object, Code: 4, Key: /registry/configmaps/" + ns + "/c, ResourceVersion: 0, AdditionalErrorMsg:"
                + " Precondition failed: UID in precondition: 00000000-0000-0000-0000-000000000000, UID in object"
                + " meta: " + created.getMetadata().getUid());
        assertThat(configMaps.get("c").getData()).containsEntry("a", "1");
    }

    // ---------------------------------------------------------------------------------------------- patches

    @Test
    void aResourceVersionInAMergePatchIsAPrecondition() {
        Resources<ConfigMap> configMaps = configMaps(newNamespace("patch-rv"));
        ConfigMap first = configMaps.create(configMap("c", "1"));
        ConfigMap second = configMaps.patch("c", PatchType.MERGE, "{\"data\":{\"a\":\"2\"}}");

        ApiException e = thrown(() -> configMaps.patch("c", PatchType.MERGE, "{\"metadata\":{\"resourceVersion\":\""
                + first.getMetadata().getResourceVersion() + "\"},\"data\":{\"a\":\"3\"}}"));
        assertThat(e.code()).isEqualTo(409);
        assertThat(e.reason()).isEqualTo("Conflict");
        assertThat(e.getMessage()).isEqualTo("Operation cannot be fulfilled on configmaps \"c\": " + MODIFIED);
        assertThat(configMaps.get("c").getData()).containsEntry("a", "2");

        ConfigMap third = configMaps.patch("c", PatchType.MERGE, "{\"metadata\":{\"resourceVersion\":\""
                + second.getMetadata().getResourceVersion() + "\"},\"data\":{\"a\":\"3\"}}");
        assertThat(third.getData()).containsEntry("a", "3");
        assertThat(third.getMetadata().getResourceVersion()).isNotEqualTo(second.getMetadata().getResourceVersion());
    }

    @Test
    void mergePatchesAndJsonPatchesChangeTheObject() {
        Resources<Deployment> deployments = deployments(newNamespace("patches"));
        Deployment created = deployments.create(TestObjects.deployment("web", 1));

        Deployment merged = deployments.patch("web", PatchType.MERGE,
                "{\"metadata\":{\"labels\":{\"tier\":\"front\"}},\"spec\":{\"replicas\":3}}");
        assertThat(merged.getSpec().getReplicas()).isEqualTo(3);
        assertThat(merged.getMetadata().getLabels()).containsEntry("tier", "front");
        assertThat(merged.getMetadata().getGeneration()).isEqualTo(2L);
        assertThat(merged.getMetadata().getResourceVersion()).isNotEqualTo(created.getMetadata().getResourceVersion());

        Deployment patched = deployments.patch("web", PatchType.JSON,
                "[{\"op\":\"replace\",\"path\":\"/spec/replicas\",\"value\":5},"
                        + "{\"op\":\"add\",\"path\":\"/metadata/labels/zone\",\"value\":\"a\"}]");
        assertThat(patched.getSpec().getReplicas()).isEqualTo(5);
        assertThat(patched.getMetadata().getLabels()).containsEntry("tier", "front").containsEntry("zone", "a");
        assertThat(patched.getMetadata().getGeneration()).isEqualTo(3L);

        Deployment removed = deployments.patch("web", PatchType.MERGE, "{\"metadata\":{\"labels\":{\"tier\":null}}}");
        assertThat(removed.getMetadata().getLabels()).doesNotContainKey("tier").containsEntry("zone", "a");
        assertThat(deployments.get("web")).isEqualTo(removed);
    }

    @Test
    void aPatchThatChangesNothingKeepsTheResourceVersion() {
        Resources<Deployment> deployments = deployments(newNamespace("noop-patch"));
        Deployment created = deployments.create(TestObjects.deployment("web", 2));
        String rv = created.getMetadata().getResourceVersion();

        Deployment merged = deployments.patch("web", PatchType.MERGE, "{\"spec\":{\"replicas\":2}}");
        Deployment patched = deployments.patch("web", PatchType.JSON,
                "[{\"op\":\"replace\",\"path\":\"/spec/replicas\",\"value\":2}]");

        assertThat(merged.getMetadata().getResourceVersion()).isEqualTo(rv);
        assertThat(patched.getMetadata().getResourceVersion()).isEqualTo(rv);
        assertThat(deployments.get("web").getMetadata().getResourceVersion()).isEqualTo(rv);
        assertThat(deployments.get("web").getMetadata().getGeneration()).isEqualTo(1L);
    }

    // ---------------------------------------------------------------------------------------------- deletes

    @Test
    void aDeleteWhoseUidPreconditionDoesNotMatchIsAConflictNamingTheKind() {
        Resources<Pod> pods = kernel.resources(Pod.class).inNamespace(newNamespace("delete-uid"));
        Pod p = pods.create(TestObjects.pod("p"));

        ApiException e = thrown(() -> pods.delete("p", new DeleteOptionsBuilder().withNewPreconditions().withUid("x")
                .endPreconditions().build()));
        assertThat(e.code()).isEqualTo(409);
        assertThat(e.reason()).isEqualTo("Conflict");
        assertThat(e.getMessage()).isEqualTo("Operation cannot be fulfilled on Pod \"p\": the UID in the precondition"
                + " (x) does not match the UID in record (" + p.getMetadata().getUid() + "). The object might have"
                + " been deleted and then recreated");
        assertThat(e.status().getDetails().getKind()).isEqualTo("Pod");
        assertThat(e.status().getDetails().getName()).isEqualTo("p");
        assertThat(pods.get("p").getMetadata().getUid()).isEqualTo(p.getMetadata().getUid());

        DeleteResult<Pod> deleted = pods.delete("p", new DeleteOptionsBuilder().withNewPreconditions()
                .withUid(p.getMetadata().getUid()).endPreconditions().build());
        assertThat(deleted.finished()).as("an unscheduled pod goes at once").isTrue();
    }

    @Test
    void aDeleteWhoseResourceVersionPreconditionDoesNotMatchIsAConflictNamingTheKind() {
        Resources<Pod> pods = kernel.resources(Pod.class).inNamespace(newNamespace("delete-rv"));
        Pod p = pods.create(TestObjects.pod("p"));

        ApiException e = thrown(() -> pods.delete("p", new DeleteOptionsBuilder().withNewPreconditions()
                .withResourceVersion("1").endPreconditions().build()));
        assertThat(e.code()).isEqualTo(409);
        assertThat(e.reason()).isEqualTo("Conflict");
        assertThat(e.getMessage()).isEqualTo("Operation cannot be fulfilled on Pod \"p\": the ResourceVersion in the"
                + " precondition (1) does not match the ResourceVersion in record (" + p.getMetadata()
                .getResourceVersion() + "). The object might have been modified");
        assertThat(e.status().getDetails().getKind()).isEqualTo("Pod");
    }

    @Test
    void orphanPropagationKeepsTheObjectWithTheOrphanFinalizer() {
        Resources<Deployment> deployments = deployments(newNamespace("orphan"));
        deployments.create(TestObjects.deployment("web", 1));

        DeleteResult<Deployment> result = deployments.delete("web", new DeleteOptionsBuilder()
                .withPropagationPolicy("Orphan").build());
        assertThat(result.finished()).isFalse();
        Deployment kept = deployments.get("web");
        assertThat(kept.getMetadata().getFinalizers()).containsExactly("orphan");
        assertThat(kept.getMetadata().getDeletionTimestamp()).isEqualTo(NOW);
        assertThat(kept.getMetadata().getDeletionGracePeriodSeconds()).isZero();
        assertThat(kept.getMetadata().getGeneration()).as("marking an object deleted bumps its generation")
                .isEqualTo(2L);
        assertThat(result.object()).isEqualTo(kept);
    }

    @Test
    void foregroundPropagationKeepsTheObjectWithTheForegroundDeletionFinalizer() {
        Resources<Deployment> deployments = deployments(newNamespace("foreground"));
        deployments.create(TestObjects.deployment("web", 1));

        DeleteResult<Deployment> result = deployments.delete("web", new DeleteOptionsBuilder()
                .withPropagationPolicy("Foreground").build());
        assertThat(result.finished()).isFalse();
        Deployment kept = deployments.get("web");
        assertThat(kept.getMetadata().getFinalizers()).containsExactly("foregroundDeletion");
        assertThat(kept.getMetadata().getDeletionTimestamp()).isEqualTo(NOW);
    }

    @Test
    void backgroundPropagationDeletesAnObjectWithoutFinalizersAtOnce() {
        Resources<Deployment> deployments = deployments(newNamespace("background"));
        deployments.create(TestObjects.deployment("web", 1));

        DeleteResult<Deployment> result = deployments.delete("web", new DeleteOptionsBuilder()
                .withPropagationPolicy("Background").build());
        assertThat(result.finished()).isTrue();
        assertThat(thrown(() -> deployments.get("web")).isNotFound()).isTrue();
    }

    // ---------------------------------------------------------------------------------------------- scale

    @Test
    void aDeploymentsScaleSubresourceReadsAndWritesItsReplicas() {
        String ns = newNamespace("scale");
        Resources<Deployment> deployments = deployments(ns);
        Deployment created = deployments.create(TestObjects.deployment("web", 2));

        Scale scale = deployments.getScale("web");
        assertThat(scale.getKind()).isEqualTo("Scale");
        assertThat(scale.getApiVersion()).isEqualTo("autoscaling/v1");
        assertThat(scale.getMetadata().getName()).isEqualTo("web");
        assertThat(scale.getMetadata().getNamespace()).isEqualTo(ns);
        assertThat(scale.getMetadata().getUid()).isEqualTo(created.getMetadata().getUid());
        assertThat(scale.getMetadata().getResourceVersion()).isEqualTo(created.getMetadata().getResourceVersion());
        assertThat(scale.getSpec().getReplicas()).isEqualTo(2);
        assertThat(scale.getStatus().getReplicas()).isZero();
        assertThat(scale.getStatus().getSelector()).isEqualTo("app=web");

        Scale updated = deployments.updateScale("web", scale(ns, 4, scale.getMetadata().getResourceVersion()));
        assertThat(updated.getSpec().getReplicas()).isEqualTo(4);
        Deployment d = deployments.get("web");
        assertThat(d.getSpec().getReplicas()).isEqualTo(4);
        assertThat(d.getMetadata().getGeneration()).isEqualTo(2L);
        assertThat(d.getMetadata().getResourceVersion()).isEqualTo(updated.getMetadata().getResourceVersion());

        ApiException stale = thrown(() -> deployments.updateScale("web",
                scale(ns, 6, scale.getMetadata().getResourceVersion())));
        assertThat(stale.code()).isEqualTo(409);
        assertThat(stale.getMessage()).isEqualTo("Operation cannot be fulfilled on deployments.apps \"web\": "
                + MODIFIED);
        assertThat(deployments.get("web").getSpec().getReplicas()).isEqualTo(4);
    }

    @Test
    void aNegativeScaleIsAnInvalidScaleObject() {
        String ns = newNamespace("scale-negative");
        Resources<Deployment> deployments = deployments(ns);
        deployments.create(TestObjects.deployment("web", 2));

        ApiException e = thrown(() -> deployments.updateScale("web", scale(ns, -1, null)));
        assertThat(e.code()).isEqualTo(422);
        assertThat(e.reason()).isEqualTo("Invalid");
        assertThat(e.getMessage()).isEqualTo("Scale.autoscaling \"web\" is invalid: spec.replicas: Invalid value: -1:"
                + " must be greater than or equal to 0");
        assertThat(e.status().getDetails().getKind()).isEqualTo("Scale");
        assertThat(e.status().getDetails().getGroup()).isEqualTo("autoscaling");
        assertThat(deployments.get("web").getSpec().getReplicas()).isEqualTo(2);
    }

    // ---------------------------------------------------------------------------------------------- helpers

    /** Creates a namespace of its own for one test and returns its name. */
    private static String newNamespace(String prefix) {
        String name = prefix + "-" + SEQUENCE.incrementAndGet();
        kernel.resources(Namespace.class).create(TestObjects.namespace(name));
        return name;
    }

    private static Resources<Deployment> deployments(String namespace) {
        return kernel.resources(Deployment.class).inNamespace(namespace);
    }

    private static Resources<ConfigMap> configMaps(String namespace) {
        return kernel.resources(ConfigMap.class).inNamespace(namespace);
    }

    private static ConfigMap configMap(String name, String a) {
        return new ConfigMapBuilder().withNewMetadata().withName(name).endMetadata().addToData("a", a).build();
    }

    private static Scale scale(String namespace, int replicas, String resourceVersion) {
        return new ScaleBuilder().withNewMetadata().withName("web").withNamespace(namespace)
                .withResourceVersion(resourceVersion).endMetadata().withNewSpec().withReplicas(replicas).endSpec()
                .build();
    }

    private static ApiException thrown(ThrowingCallable call) {
        Throwable t = catchThrowable(call);
        assertThat(t).isInstanceOf(ApiException.class);
        return (ApiException) t;
    }
}
