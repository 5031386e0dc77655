package io.keelson.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.tuple;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.StatusCause;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Objects kube-apiserver refuses, and the exact Status it refuses them with (message, code, reason, causes), as
 * kube-apiserver 1.34+ words them: bad values printed as quoted strings, plain numbers and booleans, JSON otherwise.
 * Texts from /work/notes/k8s-errors.md.
 */
class ValidationTest extends KernelTestBase {
    static final String SUBDOMAIN = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric"
            + " characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com',"
            + " regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
    static final String DNS1035_LABEL = "a DNS-1035 label must consist of lower case alphanumeric characters or"
            + " '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name', "
            + " or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
    static final String NAME_PART = "name part must consist of alphanumeric characters, '-', '_' or '.', and must"
            + " start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used"
            + " for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
    static final String LABEL_VALUE = "a valid label must be an empty string or consist of alphanumeric characters,"
            + " '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or"
            + " 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
    static final String SELECTOR_MISMATCH = "`selector` does not match template `labels`";

    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    /** One expected Status cause: the field and the cause type (the JSON key {@code reason}). */
    record Cause(String field, String reason) {
    }

    record Case(String name, HasMetadata object, String message, List<Cause> causes) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> invalidObjects() {
        return Stream.of(
                // names, per kind
                new Case("a pod name with capitals and an underscore is not a DNS subdomain",
                        pod("Bad_Name"),
                        "Pod \"Bad_Name\" is invalid: metadata.name: Invalid value: \"Bad_Name\": " + SUBDOMAIN,
                        List.of(new Cause("metadata.name", "FieldValueInvalid"))),
                new Case("a namespace name with a dot is not a DNS label",
                        new NamespaceBuilder().withNewMetadata().withName("dotted.name").endMetadata().build(),
                        "Namespace \"dotted.name\" is invalid: metadata.name: Invalid value: \"dotted.name\": must not"
                                + " contain dots",
                        List.of(new Cause("metadata.name", "FieldValueInvalid"))),
                new Case("a service name starting with a digit is not a DNS-1035 label",
                        new ServiceBuilder().withNewMetadata().withName("1web").endMetadata().withNewSpec()
                                .addToSelector("app", "web").addNewPort().withPort(80).endPort().endSpec().build(),
                        "Service \"1web\" is invalid: metadata.name: Invalid value: \"1web\": " + DNS1035_LABEL,
                        List.of(new Cause("metadata.name", "FieldValueInvalid"))),
                new Case("a statefulset name with a dot is not a DNS label",
                        new StatefulSetBuilder().withNewMetadata().withName("db.v1").endMetadata()
                                .withNewSpec().withServiceName("db").withNewSelector().addToMatchLabels("app", "db")
                                .endSelector().withNewTemplate().withNewMetadata().addToLabels("app", "db")
                                .endMetadata().withNewSpec().addNewContainer().withName("db").withImage("postgres:16")
                                .endContainer().endSpec().endTemplate().endSpec().build(),
                        "StatefulSet.apps \"db.v1\" is invalid: metadata.name: Invalid value: \"db.v1\": must not"
                                + " contain dots",
                        List.of(new Cause("metadata.name", "FieldValueInvalid"))),
                new Case("an object without a name or generateName is refused",
                        pod(null),
                        "Pod \"\" is invalid: metadata.name: Required value: name or generateName is required",
                        List.of(new Cause("metadata.name", "FieldValueRequired"))),

                // labels, annotations, owners, finalizers
                new Case("a label key starting with a dash is invalid",
                        withLabels(pod("p"), Map.of("-app", "web")),
                        "Pod \"p\" is invalid: metadata.labels: Invalid value: \"-app\": " + NAME_PART,
                        List.of(new Cause("metadata.labels", "FieldValueInvalid"))),
                new Case("a label value with a space is invalid",
                        withLabels(pod("p"), Map.of("app", "bad value")),
                        "Pod \"p\" is invalid: metadata.labels: Invalid value: \"bad value\": " + LABEL_VALUE,
                        List.of(new Cause("metadata.labels", "FieldValueInvalid"))),
                new Case("an annotation key starting with a dash is invalid",
                        withAnnotations(pod("p"), Map.of("-note", "x")),
                        "Pod \"p\" is invalid: metadata.annotations: Invalid value: \"-note\": " + NAME_PART,
                        List.of(new Cause("metadata.annotations", "FieldValueInvalid"))),
                new Case("two controller owner references are refused",
                        withOwners(pod("p"), owner("a", true), owner("b", true)),
                        "Pod \"p\" is invalid: metadata.ownerReferences: Invalid value: [" + ownerJson("a") + ","
                                + ownerJson("b") + "]: Only one reference can have Controller set to true. Found"
                                + " \"true\" in references for ReplicaSet/a and ReplicaSet/b",
                        List.of(new Cause("metadata.ownerReferences", "FieldValueInvalid"))),
                new Case("three controller owner references give one error per extra controller",
                        withOwners(pod("p"), owner("a", true), owner("b", true), owner("c", true)),
                        "Pod \"p\" is invalid: [" + threeControllers("b") + ", " + threeControllers("c") + "]",
                        List.of(new Cause("metadata.ownerReferences", "FieldValueInvalid"),
                                new Cause("metadata.ownerReferences", "FieldValueInvalid"))),
                new Case("the orphan and foregroundDeletion finalizers cannot be both set",
                        configMap("c", "orphan", "foregroundDeletion"),
                        "ConfigMap \"c\" is invalid: metadata.finalizers: Invalid value: [\"orphan\","
                                + "\"foregroundDeletion\"]: finalizer orphan and foregroundDeletion cannot be both set",
                        List.of(new Cause("metadata.finalizers", "FieldValueInvalid"))),
                new Case("a finalizer name without a domain must be a standard one",
                        configMap("c", "keep"),
                        "ConfigMap \"c\" is invalid: metadata.finalizers[0]: Invalid value: \"keep\": name is neither"
                                + " a standard finalizer name nor is it fully qualified",
                        List.of(new Cause("metadata.finalizers[0]", "FieldValueInvalid"))),

                // aggregation
                new Case("two errors are aggregated in brackets, metadata first",
                        new PodBuilder().withNewMetadata().endMetadata().withNewSpec().endSpec().build(),
                        "Pod \"\" is invalid: [metadata.name: Required value: name or generateName is required,"
                                + " spec.containers: Required value]",
                        List.of(new Cause("metadata.name", "FieldValueRequired"),
                                new Cause("spec.containers", "FieldValueRequired"))),

                // pod spec
                new Case("a pod without containers is refused",
                        new PodBuilder().withNewMetadata().withName("p").endMetadata().withNewSpec().endSpec().build(),
                        "Pod \"p\" is invalid: spec.containers: Required value",
                        List.of(new Cause("spec.containers", "FieldValueRequired"))),
                new Case("a container without an image is refused",
                        new PodBuilder().withNewMetadata().withName("p").endMetadata().withNewSpec().addNewContainer()
                                .withName("app").endContainer().endSpec().build(),
                        "Pod \"p\" is invalid: spec.containers[0].image: Required value",
                        List.of(new Cause("spec.containers[0].image", "FieldValueRequired"))),
                new Case("two containers with the same name are refused",
                        new PodBuilder().withNewMetadata().withName("p").endMetadata().withNewSpec()
                                .addNewContainer().withName("app").withImage("nginx:1.25").endContainer()
                                .addNewContainer().withName("app").withImage("redis:7").endContainer()
                                .endSpec().build(),
                        "Pod \"p\" is invalid: spec.containers[1].name: Duplicate value: \"app\"",
                        List.of(new Cause("spec.containers[1].name", "FieldValueDuplicate"))),
                new Case("an unknown restart policy lists the supported ones",
                        withRestartPolicy(pod("p"), "Sometimes"),
                        "Pod \"p\" is invalid: spec.restartPolicy: Unsupported value: \"Sometimes\": supported values:"
                                + " \"Always\", \"OnFailure\", \"Never\"",
                        List.of(new Cause("spec.restartPolicy", "FieldValueNotSupported"))),

                // deployments
                new Case("a deployment without a selector is refused, and then matches no template labels",
                        deployment(null, Map.of("app", "web"), 1),
                        "Deployment.apps \"web\" is invalid: [spec.selector: Required value,"
                                + " spec.template.metadata.labels: Invalid value: {\"app\":\"web\"}: "
                                + SELECTOR_MISMATCH + "]",
                        List.of(new Cause("spec.selector", "FieldValueRequired"),
                                new Cause("spec.template.metadata.labels", "FieldValueInvalid"))),
                new Case("a deployment whose selector does not match its template labels is refused",
                        deployment(Map.of("app", "web"), Map.of("app", "other"), 1),
                        "Deployment.apps \"web\" is invalid: spec.template.metadata.labels: Invalid value:"
                                + " {\"app\":\"other\"}: " + SELECTOR_MISMATCH,
                        List.of(new Cause("spec.template.metadata.labels", "FieldValueInvalid"))),
                new Case("template labels print as JSON with their keys sorted, as Go marshals maps",
                        deployment(Map.of("app", "web"), ordered("tier", "front", "app", "other"), 1),
                        "Deployment.apps \"web\" is invalid: spec.template.metadata.labels: Invalid value:"
                                + " {\"app\":\"other\",\"tier\":\"front\"}: " + SELECTOR_MISMATCH,
                        List.of(new Cause("spec.template.metadata.labels", "FieldValueInvalid"))),
                new Case("a deployment with negative replicas is refused",
                        deployment(Map.of("app", "web"), Map.of("app", "web"), -1),
                        "Deployment.apps \"web\" is invalid: spec.replicas: Invalid value: -1: must be greater than or"
                                + " equal to 0",
                        List.of(new Cause("spec.replicas", "FieldValueInvalid"))),

                // jobs
                new Case("a job whose pods restart Always is refused, naming the valid policies",
                        job("j", "Always"),
                        "Job.batch \"j\" is invalid: spec.template.spec.restartPolicy: Required value: valid values:"
                                + " \"OnFailure\", \"Never\"",
                        List.of(new Cause("spec.template.spec.restartPolicy", "FieldValueRequired"))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidObjects")
    void anInvalidObjectIsRefusedWithTheApiserversStatus(Case c) {
        String ns = newNamespace("invalid");
        ApiException e = thrown(() -> create(ns, c.object()));

        assertThat(e.code()).isEqualTo(422);
        assertThat(e.reason()).isEqualTo("Invalid");
        assertThat(e.getMessage()).isEqualTo(c.message());
        assertThat(e.status().getStatus()).isEqualTo("Failure");
        assertThat(e.status().getDetails().getKind()).isEqualTo(kernel.type(c.object().getClass()).kind());
        assertCauses(e, c.causes());
    }

    // ---------------------------------------------------------------------------------------------- updates

    @Test
    void changingADeploymentsSelectorIsRefusedAsImmutable() {
        Resources<Deployment> deployments = kernel.resources(Deployment.class)
                .inNamespace(newNamespace("selector-update"));
        deployments.create(TestObjects.deployment("web", 1));
        Deployment d = deployments.get("web");
        d.getSpec().getSelector().setMatchLabels(Map.of("app", "web2"));
        d.getSpec().getTemplate().getMetadata().setLabels(Map.of("app", "web2"));

        ApiException e = thrown(() -> deployments.update(d));
        assertThat(e.code()).isEqualTo(422);
        assertThat(e.reason()).isEqualTo("Invalid");
        assertThat(e.getMessage()).isEqualTo("Deployment.apps \"web\" is invalid: spec.selector: Invalid value:"
                + " {\"matchLabels\":{\"app\":\"web2\"}}: field is immutable");
        assertCauses(e, List.of(new Cause("spec.selector", "FieldValueInvalid")));
        assertThat(deployments.get("web").getSpec().getSelector().getMatchLabels()).containsEntry("app", "web");
    }

    @Test
    void changingAPodSpecFieldOtherThanAnImageIsForbidden() {
        Resources<Pod> pods = kernel.resources(Pod.class).inNamespace(newNamespace("pod-update"));
        pods.create(TestObjects.pod("p"));
        Pod p = pods.get("p");
        p.getSpec().setRestartPolicy("Never");

        ApiException e = thrown(() -> pods.update(p));
        assertThat(e.code()).isEqualTo(422);
        assertThat(e.reason()).isEqualTo("Invalid");
        assertThat(e.getMessage())
                .startsWith("Pod \"p\" is invalid: spec: Forbidden: pod updates may not change fields other than");
        assertCauses(e, List.of(new Cause("spec", "FieldValueForbidden")));
        assertThat(pods.get("p").getSpec().getRestartPolicy()).isEqualTo("Always");
    }

    @Test
    void changingAPodsImageIsAllowed() {
        Resources<Pod> pods = kernel.resources(Pod.class).inNamespace(newNamespace("image-update"));
        pods.create(TestObjects.pod("p"));
        Pod p = pods.get("p");
        p.getSpec().getContainers().get(0).setImage("nginx:1.26");

        pods.update(p);
        assertThat(pods.get("p").getSpec().getContainers().get(0).getImage()).isEqualTo("nginx:1.26");
    }

    @Test
    void changingAJobsPodTemplateIsRefusedAsImmutable() {
        Resources<Job> jobs = kernel.resources(Job.class).inNamespace(newNamespace("job-update"));
        jobs.create(job("j", "Never"));
        Job j = jobs.get("j");
        j.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("busybox:1.37");

        ApiException e = thrown(() -> jobs.update(j));
        assertThat(e.code()).isEqualTo(422);
        assertThat(e.reason()).isEqualTo("Invalid");
        // the bad value is the whole pod template, rendered as JSON: only its ends are predictable
        assertThat(e.getMessage()).startsWith("Job.batch \"j\" is invalid: spec.template: Invalid value: {")
                .endsWith("}: field is immutable");
        assertCauses(e, List.of(new Cause("spec.template", "FieldValueInvalid")));
    }

    @Test
    void addingAFinalizerToAnObjectBeingDeletedIsForbidden() {
        Resources<ConfigMap> configMaps = kernel.resources(ConfigMap.class).inNamespace(newNamespace("finalizing"));
        configMaps.create(configMap("c", "example.com/keep"));
        assertThat(configMaps.delete("c").finished()).isFalse();
        ConfigMap c = configMaps.get("c");
        c.getMetadata().setFinalizers(List.of("example.com/keep", "example.com/more"));

        ApiException e = thrown(() -> configMaps.update(c));
        assertThat(e.code()).isEqualTo(422);
        assertThat(e.reason()).isEqualTo("Invalid");
        assertThat(e.getMessage()).isEqualTo("ConfigMap \"c\" is invalid: metadata.finalizers: Forbidden: no new"
                + " finalizers can be added if the object is being deleted, found new finalizers"
                + " []string{\"example.com/more\"}");
        assertCauses(e, List.of(new Cause("metadata.finalizers", "FieldValueForbidden")));
    }

    // ---------------------------------------------------------------------------------------------- admission

    @Test
    void creatingIntoANamespaceThatDoesNotExistIsNotFound() {
        ApiException e = thrown(() -> kernel.resources(Pod.class).inNamespace("no-such-namespace")
                .create(TestObjects.pod("p")));

        assertThat(e.code()).isEqualTo(404);
        assertThat(e.reason()).isEqualTo("NotFound");
        assertThat(e.getMessage()).isEqualTo("namespaces \"no-such-namespace\" not found");
        assertThat(e.status().getDetails().getKind()).isEqualTo("namespaces");
        assertThat(e.status().getDetails().getName()).isEqualTo("no-such-namespace");
    }

    @Test
    void theImmortalNamespacesCannotBeDeleted() {
        Resources<Namespace> namespaces = kernel.resources(Namespace.class);
        for (String name : List.of("default", "kube-system", "kube-public")) {
            ApiException e = thrown(() -> namespaces.delete(name));

            assertThat(e.code()).as(name).isEqualTo(403);
            assertThat(e.reason()).as(name).isEqualTo("Forbidden");
            assertThat(e.getMessage()).isEqualTo("namespaces \"" + name + "\" is forbidden: this namespace may not be"
                    + " deleted");
            assertThat(e.status().getDetails().getKind()).as(name).isEqualTo("namespaces");
            assertThat(e.status().getDetails().getName()).as(name).isEqualTo(name);
            assertThat(namespaces.get(name).getMetadata().getDeletionTimestamp()).as(name).isNull();
        }
    }

    @Test
    void aPodNamingAnUnknownPriorityClassIsForbidden() {
        Resources<Pod> pods = kernel.resources(Pod.class).inNamespace(newNamespace("unknown-class"));
        Pod p = TestObjects.pod("p");
        p.getSpec().setPriorityClassName("nope");

        ApiException e = thrown(() -> pods.create(p));
        assertThat(e.code()).isEqualTo(403);
        assertThat(e.reason()).isEqualTo("Forbidden");
        assertThat(e.getMessage()).isEqualTo("pods \"p\" is forbidden: no PriorityClass with name nope was found");
        assertThat(e.status().getDetails().getKind()).isEqualTo("pods");
        assertThat(e.status().getDetails().getName()).isEqualTo("p");
    }

    @Test
    void aPodGivingAPriorityOtherThanItsClassesIsForbidden() {
        Resources<Pod> pods = kernel.resources(Pod.class).inNamespace(newNamespace("given-priority"));
        Pod p = TestObjects.pod("p");
        p.getSpec().setPriority(5);

        ApiException e = thrown(() -> pods.create(p));
        assertThat(e.code()).isEqualTo(403);
        assertThat(e.reason()).isEqualTo("Forbidden");
        assertThat(e.getMessage()).isEqualTo("pods \"p\" is forbidden: the integer value of priority (5) must not be"
                + " provided in pod spec; priority admission controller computed 0 from the given PriorityClass name");
    }

    // ---------------------------------------------------------------------------------------------- helpers

    /** Creates a namespace of its own for one test (or one case of a table) and returns its name. */
    private static String newNamespace(String prefix) {
        String name = prefix + "-" + SEQUENCE.incrementAndGet();
        kernel.resources(Namespace.class).create(TestObjects.namespace(name));
        return name;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static void create(String namespace, HasMetadata object) {
        Resources resources = kernel.resources((Class) object.getClass());
        resources.inNamespace(namespace).create(object);
    }

    private static ApiException thrown(ThrowingCallable call) {
        Throwable t = catchThrowable(call);
        assertThat(t).isInstanceOf(ApiException.class);
        return (ApiException) t;
    }

    /** The causes, in order, and each one's message as the aggregate message carries it after its field. */
    private static void assertCauses(ApiException e, List<Cause> expected) {
        List<StatusCause> causes = e.status().getDetails().getCauses();
        assertThat(causes).extracting(StatusCause::getField, StatusCause::getReason)
                .containsExactlyElementsOf(expected.stream().map(c -> tuple(c.field(), c.reason())).toList());
        for (StatusCause cause : causes) {
            assertThat(e.getMessage()).contains(cause.getField() + ": " + cause.getMessage());
        }
    }

    /** A valid pod (one container, labelled app=web) named {@code name} (none when null). */
    private static Pod pod(String name) {
        return new PodBuilder().withNewMetadata().withName(name).addToLabels("app", "web").endMetadata()
                .withNewSpec().addNewContainer().withName("app").withImage("nginx:1.25").endContainer().endSpec()
                .build();
    }

    private static Pod withLabels(Pod pod, Map<String, String> labels) {
        pod.getMetadata().setLabels(labels);
        return pod;
    }

    private static Pod withAnnotations(Pod pod, Map<String, String> annotations) {
        pod.getMetadata().setAnnotations(annotations);
        return pod;
    }

    private static Pod withRestartPolicy(Pod pod, String restartPolicy) {
        pod.getSpec().setRestartPolicy(restartPolicy);
        return pod;
    }

    private static Pod withOwners(Pod pod, OwnerReference... owners) {
        pod.getMetadata().setOwnerReferences(new ArrayList<>(List.of(owners)));
        return pod;
    }

    private static OwnerReference owner(String name, boolean controller) {
        return new OwnerReferenceBuilder().withApiVersion("apps/v1").withKind("ReplicaSet").withName(name)
                .withUid("uid-" + name).withController(controller).build();
    }

    /** An owner reference as Go's encoding/json writes it: the struct's field order. */
    private static String ownerJson(String name) {
        return "{\"apiVersion\":\"apps/v1\",\"kind\":\"ReplicaSet\",\"name\":\"" + name + "\",\"uid\":\"uid-" + name
                + "\",\"controller\":true}";
    }

    /** The error for the second or third of three controllers a, b and c (each is paired with the first). */
    private static String threeControllers(String other) {
        return "metadata.ownerReferences: Invalid value: [" + ownerJson("a") + "," + ownerJson("b") + ","
                + ownerJson("c") + "]: Only one reference can have Controller set to true. Found \"true\" in"
                + " references for ReplicaSet/a and ReplicaSet/" + other;
    }

    private static ConfigMap configMap(String name, String... finalizers) {
        return new ConfigMapBuilder().withNewMetadata().withName(name).withFinalizers(finalizers).endMetadata()
                .addToData("k", "v").build();
    }

    /** A deployment named web; {@code selector} null means no selector at all. */
    private static Deployment deployment(Map<String, String> selector, Map<String, String> templateLabels,
                                         int replicas) {
        Deployment d = new DeploymentBuilder().withNewMetadata().withName("web").endMetadata()
                .withNewSpec().withReplicas(replicas)
                .withNewTemplate().withNewMetadata().withLabels(templateLabels).endMetadata()
                .withNewSpec().addNewContainer().withName("app").withImage("nginx:1.25").endContainer().endSpec()
                .endTemplate().endSpec().build();
        if (selector != null) {
            d.getSpec().setSelector(new io.fabric8.kubernetes.api.model.LabelSelectorBuilder()
                    .withMatchLabels(selector).build());
        }
        return d;
    }

    private static Job job(String name, String restartPolicy) {
        return new JobBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewSpec().withNewTemplate().withNewMetadata().addToLabels("app", "batch").endMetadata()
                .withNewSpec().withRestartPolicy(restartPolicy).addNewContainer().withName("work")
                .withImage("busybox:1.36").endContainer().endSpec().endTemplate().endSpec().build();
    }

    private static Map<String, String> ordered(String k1, String v1, String k2, String v2) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(k1, v1);
        m.put(k2, v2);
        return m;
    }
}
