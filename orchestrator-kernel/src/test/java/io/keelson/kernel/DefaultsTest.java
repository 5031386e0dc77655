package io.keelson.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.CronJobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobSpec;
import io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClass;
import io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClassBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What a client reads back after creating an object through the kernel: kube-apiserver's defaults
 * ({@code pkg/apis/<group>/v1/defaults.go}), its create strategies and its mutating admission
 * (DefaultTolerationSeconds, Priority). Values from /work/notes/k8s-defaults.md.
 */
class DefaultsTest extends KernelTestBase {
    private static final String DIGEST = "sha256:" + "0123456789abcdef".repeat(4);
    private static final String NOT_READY = "node.kubernetes.io/not-ready";
    private static final String UNREACHABLE = "node.kubernetes.io/unreachable";

    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    // ---------------------------------------------------------------------------------------------- Pod

    @Test
    void aPodReadsBackWithThePodSpecContainerPortAndProbeDefaults() {
        Resources<Pod> pods = pods(newNamespace("pod-defaults"));
        pods.create(new PodBuilder().withNewMetadata().withName("p").endMetadata()
                .withNewSpec().addNewContainer().withName("app").withImage("nginx:1.25")
                .addNewPort().withContainerPort(8080).endPort()
                .withNewLivenessProbe().withNewHttpGet().withPort(new IntOrString(8080)).endHttpGet().endLivenessProbe()
                .withNewReadinessProbe().withNewTcpSocket().withPort(new IntOrString(8080)).endTcpSocket()
                .endReadinessProbe()
                .endContainer().endSpec().build());

        Pod p = pods.get("p");
        PodSpec spec = p.getSpec();
        assertPodSpecDefaults(spec, "Always");
        assertThat(spec.getEnableServiceLinks()).isTrue();
        Container c = spec.getContainers().get(0);
        assertThat(c.getImagePullPolicy()).isEqualTo("IfNotPresent");
        assertThat(c.getPorts().get(0).getProtocol()).isEqualTo("TCP");
        assertThat(c.getPorts().get(0).getHostPort()).as("hostPort is copied only with hostNetwork").isNull();
        assertProbeDefaults(c.getLivenessProbe());
        assertThat(c.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/");
        assertThat(c.getLivenessProbe().getHttpGet().getScheme()).isEqualTo("HTTP");
        assertProbeDefaults(c.getReadinessProbe());
        assertThat(p.getMetadata().getGeneration()).isEqualTo(1L);
    }

    record PullPolicyCase(String name, String image, String policy) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<PullPolicyCase> pullPolicies() {
        return Stream.of(
                new PullPolicyCase("an image without a tag is pulled Always", "nginx", "Always"),
                new PullPolicyCase("an image tagged latest is pulled Always", "nginx:latest", "Always"),
                new PullPolicyCase("an image with another tag is pulled IfNotPresent", "nginx:1.25", "IfNotPresent"),
                new PullPolicyCase("an image by digest is pulled IfNotPresent", "nginx@" + DIGEST, "IfNotPresent"),
                new PullPolicyCase("a registry port is not a tag, so the image is pulled Always",
                        "registry:5000/nginx", "Always"),
                new PullPolicyCase("a registry port with a real tag is pulled IfNotPresent",
                        "registry:5000/nginx:1.25", "IfNotPresent"),
                new PullPolicyCase("an image tagged latest and pinned by digest is still pulled Always",
                        "nginx:latest@" + DIGEST, "Always"),
                new PullPolicyCase("an image name the reference parser rejects (upper case) is pulled IfNotPresent",
                        "NGINX", "IfNotPresent"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("pullPolicies")
    void theImagePullPolicyFollowsTheImageTag(PullPolicyCase c) {
        Resources<Pod> pods = pods(newNamespace("pull"));
        pods.create(pod("p", c.image()));
        assertThat(pods.get("p").getSpec().getContainers().get(0).getImagePullPolicy()).isEqualTo(c.policy());
    }

    @Test
    void aContainersRequestsDefaultToItsLimits_andAGivenRequestIsKept() {
        Resources<Pod> pods = pods(newNamespace("requests"));
        Pod p = pod("p", "nginx:1.25");
        p.getSpec().getContainers().get(0).setResources(new ResourceRequirementsBuilder()
                .addToLimits("cpu", new Quantity("500m")).addToLimits("memory", new Quantity("128Mi"))
                .addToRequests("cpu", new Quantity("250m")).build());
        pods.create(p);

        Map<String, Quantity> requests = pods.get("p").getSpec().getContainers().get(0).getResources().getRequests();
        assertThat(requests).containsOnlyKeys("cpu", "memory");
        assertThat(requests.get("cpu").getNumericalAmount()).isEqualByComparingTo("0.25");
        assertThat(requests.get("memory").getNumericalAmount()).isEqualByComparingTo("134217728");
    }

    record QosCase(String name, ResourceRequirements resources, String qosClass) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<QosCase> qosClasses() {
        return Stream.of(
                new QosCase("a pod without requests or limits is BestEffort", null, "BestEffort"),
                new QosCase("a pod with requests only is Burstable", new ResourceRequirementsBuilder()
                        .addToRequests("cpu", new Quantity("100m")).build(), "Burstable"),
                new QosCase("a pod with only a cpu limit is Burstable", new ResourceRequirementsBuilder()
                        .addToLimits("cpu", new Quantity("100m")).build(), "Burstable"),
                new QosCase("a pod with cpu and memory limits only is Guaranteed, its requests defaulting to them",
                        new ResourceRequirementsBuilder().addToLimits("cpu", new Quantity("100m"))
                                .addToLimits("memory", new Quantity("64Mi")).build(), "Guaranteed"),
                new QosCase("a pod whose cpu request is below its limit is Burstable", new ResourceRequirementsBuilder()
                        .addToRequests("cpu", new Quantity("50m")).addToLimits("cpu", new Quantity("100m"))
                        .addToLimits("memory", new Quantity("64Mi")).build(), "Burstable"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("qosClasses")
    void aNewPodIsPendingWithItsQosClass(QosCase c) {
        Resources<Pod> pods = pods(newNamespace("qos"));
        Pod p = pod("p", "nginx:1.25");
        p.getSpec().getContainers().get(0).setResources(c.resources());
        pods.create(p);

        Pod stored = pods.get("p");
        assertThat(stored.getStatus().getPhase()).isEqualTo("Pending");
        assertThat(stored.getStatus().getQosClass()).isEqualTo(c.qosClass());
    }

    @Test
    void theStatusAClientSendsWithANewPodIsReplaced() {
        Resources<Pod> pods = pods(newNamespace("pod-status"));
        Pod p = pod("p", "nginx:1.25");
        p.setStatus(new io.fabric8.kubernetes.api.model.PodStatusBuilder().withPhase("Running").withPodIP("10.0.0.1")
                .build());
        pods.create(p);

        Pod stored = pods.get("p");
        assertThat(stored.getStatus().getPhase()).isEqualTo("Pending");
        assertThat(stored.getStatus().getPodIP()).isNull();
        assertThat(stored.getStatus().getQosClass()).isEqualTo("BestEffort");
    }

    record TolerationCase(String name, List<Toleration> given, List<String> expected) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<TolerationCase> tolerations() {
        return Stream.of(
                new TolerationCase("a pod without tolerations tolerates not-ready and unreachable for 300 seconds",
                        List.of(),
                        List.of(NOT_READY + " Exists NoExecute 300", UNREACHABLE + " Exists NoExecute 300")),
                new TolerationCase("a pod that tolerates not-ready with NoExecute keeps its own toleration",
                        List.of(toleration(NOT_READY, "NoExecute", 60L)),
                        List.of(NOT_READY + " Exists NoExecute 60", UNREACHABLE + " Exists NoExecute 300")),
                new TolerationCase("a pod that tolerates unreachable with every effect keeps its own toleration",
                        List.of(toleration(UNREACHABLE, null, null)),
                        List.of(UNREACHABLE + " Exists null null", NOT_READY + " Exists NoExecute 300")),
                new TolerationCase("a NoSchedule toleration of not-ready does not count as tolerating NoExecute",
                        List.of(toleration(NOT_READY, "NoSchedule", null)),
                        List.of(NOT_READY + " Exists NoSchedule null", NOT_READY + " Exists NoExecute 300",
                                UNREACHABLE + " Exists NoExecute 300")),
                new TolerationCase("a pod that tolerates every taint gets no default toleration",
                        List.of(toleration(null, null, null)),
                        List.of("null Exists null null")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("tolerations")
    void defaultTolerationSecondsAddsWhatThePodDoesNotTolerateYet(TolerationCase c) {
        Resources<Pod> pods = pods(newNamespace("tolerations"));
        Pod p = pod("p", "nginx:1.25");
        p.getSpec().setTolerations(new ArrayList<>(c.given()));
        pods.create(p);

        List<String> tolerations = pods.get("p").getSpec().getTolerations().stream()
                .map(t -> t.getKey() + " " + t.getOperator() + " " + t.getEffect() + " " + t.getTolerationSeconds())
                .toList();
        assertThat(tolerations).containsExactlyElementsOf(c.expected());
    }

    @Test
    void aPodWithoutAPriorityClassGetsPriorityZeroAndPreemptLowerPriority() {
        Resources<Pod> pods = pods(newNamespace("priority-zero"));
        pods.create(pod("p", "nginx:1.25"));

        PodSpec spec = pods.get("p").getSpec();
        assertThat(spec.getPriority()).isZero();
        assertThat(spec.getPreemptionPolicy()).isEqualTo("PreemptLowerPriority");
        assertThat(spec.getPriorityClassName()).isNullOrEmpty();
    }

    @Test
    void aPodNamingAPriorityClassGetsItsValueAndPreemptionPolicy() {
        Resources<PriorityClass> classes = kernel.resources(PriorityClass.class);
        classes.create(new PriorityClassBuilder().withNewMetadata()
                .withName("defaults-high").endMetadata().withValue(1000).withPreemptionPolicy("Never").build());
        // the Priority plugin reads classes from the cache, as the apiserver's from its informer: a consistent
        // read first makes the cache hold the new class
        classes.get("defaults-high");
        Resources<Pod> pods = pods(newNamespace("priority-class"));
        Pod p = pod("p", "nginx:1.25");
        p.getSpec().setPriorityClassName("defaults-high");
        pods.create(p);

        PodSpec spec = pods.get("p").getSpec();
        assertThat(spec.getPriority()).isEqualTo(1000);
        assertThat(spec.getPreemptionPolicy()).isEqualTo("Never");
        assertThat(spec.getPriorityClassName()).isEqualTo("defaults-high");
    }

    // ---------------------------------------------------------------------------------------------- apps/v1

    @Test
    void aDeploymentGetsItsDefaults_andItsTemplateThePodSpecDefaultsButNotThePodOnlyOnes() {
        Resources<Deployment> deployments = kernel.resources(Deployment.class).inNamespace(newNamespace("deploy"));
        deployments.create(new DeploymentBuilder().withNewMetadata().withName("web").endMetadata()
                .withNewSpec().withNewSelector().addToMatchLabels("app", "web").endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", "web").endMetadata()
                .withNewSpec().addNewContainer().withName("app").withImage("nginx")
                .withNewResources().addToLimits("cpu", new Quantity("500m")).endResources()
                .endContainer().endSpec().endTemplate().endSpec()
                .withNewStatus().withReplicas(5).endStatus().build());

        Deployment d = deployments.get("web");
        assertThat(d.getMetadata().getGeneration()).isEqualTo(1L);
        assertThat(d.getSpec().getReplicas()).isEqualTo(1);
        assertThat(d.getSpec().getStrategy().getType()).isEqualTo("RollingUpdate");
        assertThat(d.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable().getStrVal()).isEqualTo("25%");
        assertThat(d.getSpec().getStrategy().getRollingUpdate().getMaxSurge().getStrVal()).isEqualTo("25%");
        assertThat(d.getSpec().getRevisionHistoryLimit()).isEqualTo(10);
        assertThat(d.getSpec().getProgressDeadlineSeconds()).isEqualTo(600);
        assertThat(json(d.getStatus())).as("the status a client sends on create is dropped").isEqualTo("{}");

        PodSpec template = d.getSpec().getTemplate().getSpec();
        assertPodSpecDefaults(template, "Always");
        Container c = template.getContainers().get(0);
        assertThat(c.getImagePullPolicy()).isEqualTo("Always");
        assertThat(template.getEnableServiceLinks()).as("enableServiceLinks is defaulted for kind Pod only").isNull();
        assertThat(c.getResources().getRequests()).as("requests come from limits for kind Pod only").isNullOrEmpty();
        assertThat(template.getTolerations()).as("admission mutates pods, not templates").isEmpty();
        assertThat(template.getPriority()).isNull();
    }

    @Test
    void aReplicaSetGetsOneReplica_andNoLabelsFromItsTemplate() {
        Resources<ReplicaSet> sets = kernel.resources(ReplicaSet.class).inNamespace(newNamespace("rs"));
        sets.create(new ReplicaSetBuilder().withNewMetadata().withName("rs").endMetadata()
                .withNewSpec().withNewSelector().addToMatchLabels("app", "rs").endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", "rs").endMetadata()
                .withNewSpec().addNewContainer().withName("app").withImage("nginx:1.25").endContainer().endSpec()
                .endTemplate().endSpec().build());

        ReplicaSet rs = sets.get("rs");
        assertThat(rs.getSpec().getReplicas()).isEqualTo(1);
        assertThat(rs.getMetadata().getLabels()).as("apps/v1 copies no template labels").isNullOrEmpty();
        assertThat(rs.getMetadata().getGeneration()).isEqualTo(1L);
        assertPodSpecDefaults(rs.getSpec().getTemplate().getSpec(), "Always");
    }

    @Test
    void aDaemonSetRollsOutOneUnavailableAndNoSurgeByDefault() {
        Resources<DaemonSet> sets = kernel.resources(DaemonSet.class).inNamespace(newNamespace("ds"));
        sets.create(daemonSet("agent"));

        DaemonSet ds = sets.get("agent");
        assertThat(ds.getSpec().getUpdateStrategy().getType()).isEqualTo("RollingUpdate");
        assertThat(ds.getSpec().getUpdateStrategy().getRollingUpdate().getMaxUnavailable().getIntVal()).isEqualTo(1);
        assertThat(ds.getSpec().getUpdateStrategy().getRollingUpdate().getMaxSurge().getIntVal()).isZero();
        assertThat(ds.getSpec().getRevisionHistoryLimit()).isEqualTo(10);
        assertThat(ds.getMetadata().getGeneration()).isEqualTo(1L);
        assertPodSpecDefaults(ds.getSpec().getTemplate().getSpec(), "Always");
    }

    @Test
    void aDaemonSetCarriesItsTemplateGenerationAsTheDeprecatedAnnotation() {
        // the internal spec.templateGeneration (1 on create) is converted to this annotation in apps/v1
        Resources<DaemonSet> sets = kernel.resources(DaemonSet.class).inNamespace(newNamespace("ds-generation"));
        sets.create(daemonSet("agent"));

        assertThat(sets.get("agent").getMetadata().getAnnotations())
                .containsEntry("deprecated.daemonset.template.generation", "1");
    }

    @Test
    void aStatefulSetGetsOrderedReadyRollingUpdatesAndRetainedClaims() {
        Resources<StatefulSet> sets = kernel.resources(StatefulSet.class).inNamespace(newNamespace("sts"));
        sets.create(new StatefulSetBuilder().withNewMetadata().withName("db").endMetadata()
                .withNewSpec().withServiceName("db").withNewSelector().addToMatchLabels("app", "db").endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", "db").endMetadata()
                .withNewSpec().addNewContainer().withName("db").withImage("postgres:16").endContainer().endSpec()
                .endTemplate().endSpec().build());

        StatefulSet sts = sets.get("db");
        assertThat(sts.getSpec().getReplicas()).isEqualTo(1);
        assertThat(sts.getSpec().getPodManagementPolicy()).isEqualTo("OrderedReady");
        assertThat(sts.getSpec().getUpdateStrategy().getType()).isEqualTo("RollingUpdate");
        assertThat(sts.getSpec().getUpdateStrategy().getRollingUpdate().getPartition()).isZero();
        assertThat(sts.getSpec().getPersistentVolumeClaimRetentionPolicy().getWhenDeleted()).isEqualTo("Retain");
        assertThat(sts.getSpec().getPersistentVolumeClaimRetentionPolicy().getWhenScaled()).isEqualTo("Retain");
        assertThat(sts.getSpec().getRevisionHistoryLimit()).isEqualTo(10);
        assertThat(sts.getMetadata().getGeneration()).isEqualTo(1L);
        assertPodSpecDefaults(sts.getSpec().getTemplate().getSpec(), "Always");
    }

    // ---------------------------------------------------------------------------------------------- batch/v1

    @Test
    void aJobGetsOneCompletionSixRetriesAndTheNonIndexedDefaults() {
        Resources<Job> jobs = kernel.resources(Job.class).inNamespace(newNamespace("job"));
        jobs.create(job("j", null, null));

        Job j = jobs.get("j");
        JobSpec spec = j.getSpec();
        assertThat(spec.getCompletions()).isEqualTo(1);
        assertThat(spec.getParallelism()).isEqualTo(1);
        assertThat(spec.getBackoffLimit()).isEqualTo(6);
        assertThat(spec.getCompletionMode()).isEqualTo("NonIndexed");
        assertThat(spec.getSuspend()).isFalse();
        assertThat(spec.getManualSelector()).isFalse();
        assertThat(spec.getPodReplacementPolicy()).isEqualTo("TerminatingOrFailed");
        assertThat(j.getMetadata().getGeneration()).isEqualTo(1L);
        assertPodSpecDefaults(spec.getTemplate().getSpec(), "Never");
    }

    record ParallelismCase(String name, Integer completions, Integer parallelism, Integer expectedCompletions,
                           Integer expectedParallelism) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<ParallelismCase> parallelism() {
        return Stream.of(
                new ParallelismCase("a job with neither completions nor parallelism runs one pod once",
                        null, null, 1, 1),
                new ParallelismCase("a job with completions only gets parallelism one", 5, null, 5, 1),
                new ParallelismCase("a work-queue job with parallelism only keeps completions unset", null, 3, null, 3),
                new ParallelismCase("a job with both keeps both", 4, 2, 4, 2));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("parallelism")
    void jobCompletionsAndParallelismAreDefaultedTogether(ParallelismCase c) {
        Resources<Job> jobs = kernel.resources(Job.class).inNamespace(newNamespace("parallelism"));
        jobs.create(job("j", c.completions(), c.parallelism()));

        JobSpec spec = jobs.get("j").getSpec();
        assertThat(spec.getCompletions()).isEqualTo(c.expectedCompletions());
        assertThat(spec.getParallelism()).isEqualTo(c.expectedParallelism());
    }

    @Test
    void anIndexedJobWithABackoffLimitPerIndexGetsAnUnlimitedBackoffLimit() {
        Resources<Job> jobs = kernel.resources(Job.class).inNamespace(newNamespace("per-index"));
        Job j = job("j", 3, null);
        j.getSpec().setCompletionMode("Indexed");
        j.getSpec().setBackoffLimitPerIndex(1);
        jobs.create(j);

        assertThat(jobs.get("j").getSpec().getBackoffLimit()).isEqualTo(Integer.MAX_VALUE);
    }

    @Test
    void aJobWithAPodFailurePolicyReplacesOnlyFailedPods() {
        Resources<Job> jobs = kernel.resources(Job.class).inNamespace(newNamespace("failure-policy"));
        Job j = new JobBuilder(job("j", null, null)).editSpec().withNewPodFailurePolicy().addNewRule()
                .withAction("FailJob").withNewOnExitCodes().withOperator("In").withValues(42).endOnExitCodes()
                .endRule().endPodFailurePolicy().endSpec().build();
        jobs.create(j);

        assertThat(jobs.get("j").getSpec().getPodReplacementPolicy()).isEqualTo("Failed");
    }

    @Test
    void aJobGetsAGeneratedSelector_andItsLabelsAreTheUsersTemplateLabelsOnly() {
        Resources<Job> jobs = kernel.resources(Job.class).inNamespace(newNamespace("job-selector"));
        jobs.create(job("j", null, null));

        Job j = jobs.get("j");
        String uid = j.getMetadata().getUid();
        assertThat(j.getSpec().getSelector().getMatchLabels())
                .containsExactly(Map.entry("batch.kubernetes.io/controller-uid", uid));
        assertThat(j.getSpec().getSelector().getMatchExpressions()).isEmpty();
        assertThat(j.getSpec().getTemplate().getMetadata().getLabels()).containsOnly(
                Map.entry("app", "batch"),
                Map.entry("job-name", "j"),
                Map.entry("controller-uid", uid),
                Map.entry("batch.kubernetes.io/job-name", "j"),
                Map.entry("batch.kubernetes.io/controller-uid", uid));
        assertThat(j.getMetadata().getLabels()).as("defaulting copies the template labels before the selector is made")
                .containsOnly(Map.entry("app", "batch"));
    }

    @Test
    void aCronJobGetsItsPolicyAndHistoryDefaults_butItsJobTemplateNoJobDefaults() {
        Resources<CronJob> cronJobs = kernel.resources(CronJob.class).inNamespace(newNamespace("cron"));
        cronJobs.create(new CronJobBuilder().withNewMetadata().withName("tick").endMetadata()
                .withNewSpec().withSchedule("*/5 * * * *").withNewJobTemplate().withNewSpec().withNewTemplate()
                .withNewSpec().withRestartPolicy("OnFailure").addNewContainer().withName("tick").withImage("busybox")
                .endContainer().endSpec().endTemplate().endSpec().endJobTemplate().endSpec().build());

        CronJob c = cronJobs.get("tick");
        assertThat(c.getSpec().getConcurrencyPolicy()).isEqualTo("Allow");
        assertThat(c.getSpec().getSuspend()).isFalse();
        assertThat(c.getSpec().getSuccessfulJobsHistoryLimit()).isEqualTo(3);
        assertThat(c.getSpec().getFailedJobsHistoryLimit()).isEqualTo(1);
        assertThat(c.getMetadata().getGeneration()).isEqualTo(1L);
        JobSpec template = c.getSpec().getJobTemplate().getSpec();
        assertThat(template.getBackoffLimit()).isNull();
        assertThat(template.getCompletions()).isNull();
        assertThat(template.getParallelism()).isNull();
        assertThat(template.getCompletionMode()).isNull();
        assertPodSpecDefaults(template.getTemplate().getSpec(), "OnFailure");
    }

    // ---------------------------------------------------------------------------------------------- core/v1

    @Test
    void aServiceGetsClusterIpTypeNoAffinityTcpPortsTargetingThemselvesAndClusterInternalTraffic() {
        Resources<Service> services = kernel.resources(Service.class).inNamespace(newNamespace("svc"));
        services.create(new ServiceBuilder().withNewMetadata().withName("web").endMetadata()
                .withNewSpec().addToSelector("app", "web").addNewPort().withPort(80).endPort().endSpec().build());

        Service s = services.get("web");
        assertThat(s.getSpec().getType()).isEqualTo("ClusterIP");
        assertThat(s.getSpec().getSessionAffinity()).isEqualTo("None");
        assertThat(s.getSpec().getInternalTrafficPolicy()).isEqualTo("Cluster");
        assertThat(s.getSpec().getExternalTrafficPolicy()).as("only for externally reachable services").isNull();
        ServicePort port = s.getSpec().getPorts().get(0);
        assertThat(port.getProtocol()).isEqualTo("TCP");
        assertThat(port.getTargetPort().getIntVal()).isEqualTo(80);
    }

    @Test
    void aNamespaceIsLabelledWithItsNameActiveAndFinalizedByKubernetes() {
        Resources<Namespace> namespaces = kernel.resources(Namespace.class);
        namespaces.create(new NamespaceBuilder().withNewMetadata().withName("labelled")
                .addToLabels("kubernetes.io/metadata.name", "something-else").addToLabels("team", "a").endMetadata()
                .build());

        Namespace ns = namespaces.get("labelled");
        assertThat(ns.getMetadata().getLabels()).containsOnly(Map.entry("kubernetes.io/metadata.name", "labelled"),
                Map.entry("team", "a"));
        assertThat(ns.getStatus().getPhase()).isEqualTo("Active");
        assertThat(ns.getSpec().getFinalizers()).containsExactly("kubernetes");
    }

    @Test
    void aNamespaceWithAGeneratedNameIsLabelledWithTheGeneratedName() {
        Namespace ns = kernel.resources(Namespace.class).create(new NamespaceBuilder().withNewMetadata()
                .withGenerateName("generated-").endMetadata().build());

        String name = ns.getMetadata().getName();
        assertThat(name).startsWith("generated-");
        assertThat(kernel.resources(Namespace.class).get(name).getMetadata().getLabels())
                .containsEntry("kubernetes.io/metadata.name", name);
    }

    @Test
    void aSecretWithoutATypeIsOpaque() {
        Resources<Secret> secrets = kernel.resources(Secret.class).inNamespace(newNamespace("secret"));
        secrets.create(new SecretBuilder().withNewMetadata().withName("s").endMetadata().addToData("k", "dg==")
                .build());

        assertThat(secrets.get("s").getType()).isEqualTo("Opaque");
    }

    @Test
    void aSecretsStringDataIsWrittenIntoDataAndNeverReadBack() {
        // core/v1 conversion: stringData is write-only, merged into data (base64) on every write
        Resources<Secret> secrets = kernel.resources(Secret.class).inNamespace(newNamespace("string-data"));
        secrets.create(new SecretBuilder().withNewMetadata().withName("s").endMetadata()
                .addToData("a", "YQ==").addToStringData("k", "v").build());

        Secret s = secrets.get("s");
        assertThat(s.getData()).containsOnly(Map.entry("a", "YQ=="), Map.entry("k", "dg=="));
        assertThat(s.getStringData()).isNullOrEmpty();
    }

    // ---------------------------------------------------------------------------------------------- scheduling/v1

    @Test
    void aPriorityClassPreemptsLowerPrioritiesByDefault() {
        Resources<PriorityClass> classes = kernel.resources(PriorityClass.class);
        classes.create(new PriorityClassBuilder().withNewMetadata().withName("defaults-plain").endMetadata()
                .withValue(10).build());

        PriorityClass pc = classes.get("defaults-plain");
        assertThat(pc.getPreemptionPolicy()).isEqualTo("PreemptLowerPriority");
        assertThat(pc.getMetadata().getGeneration()).isEqualTo(1L);
    }

    // ---------------------------------------------------------------------------------------------- bootstrap

    @Test
    void aNewKernelHasTheFourInitialNamespaces_activeAndLabelled() {
        assertThat(Kernel.INITIAL_NAMESPACES).containsExactly("default", "kube-system", "kube-public",
                "kube-node-lease");
        Resources<Namespace> namespaces = kernel.resources(Namespace.class);
        for (String name : Kernel.INITIAL_NAMESPACES) {
            Namespace ns = namespaces.get(name);
            assertThat(ns.getStatus().getPhase()).as(name).isEqualTo("Active");
            assertThat(ns.getMetadata().getLabels()).as(name).containsEntry("kubernetes.io/metadata.name", name);
            assertThat(ns.getSpec().getFinalizers()).as(name).containsExactly("kubernetes");
        }
    }

    @Test
    void aNewKernelHasTheTwoSystemPriorityClasses() {
        Resources<PriorityClass> classes = kernel.resources(PriorityClass.class);
        PriorityClass node = classes.get("system-node-critical");
        assertThat(node.getValue()).isEqualTo(2_000_001_000);
        assertThat(node.getPreemptionPolicy()).isEqualTo("PreemptLowerPriority");
        assertThat(node.getDescription()).isEqualTo("Used for system critical pods that must not be moved from their"
                + " current node.");
        PriorityClass cluster = classes.get("system-cluster-critical");
        assertThat(cluster.getValue()).isEqualTo(2_000_000_000);
        assertThat(cluster.getPreemptionPolicy()).isEqualTo("PreemptLowerPriority");
        assertThat(cluster.getDescription()).isEqualTo("Used for system critical pods that must run in the cluster,"
                + " but can be moved to another node if necessary.");
    }

    // ---------------------------------------------------------------------------------------------- helpers

    /** Creates a namespace of its own for one test (or one case of a table) and returns its name. */
    private static String newNamespace(String prefix) {
        String name = prefix + "-" + SEQUENCE.incrementAndGet();
        kernel.resources(Namespace.class).create(TestObjects.namespace(name));
        return name;
    }

    private static Resources<Pod> pods(String namespace) {
        return kernel.resources(Pod.class).inNamespace(namespace);
    }

    /** A pod with one container and nothing else set. */
    private static Pod pod(String name, String image) {
        return new PodBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewSpec().addNewContainer().withName("app").withImage(image).endContainer().endSpec().build();
    }

    private static Toleration toleration(String key, String effect, Long seconds) {
        return new TolerationBuilder().withKey(key).withOperator("Exists").withEffect(effect)
                .withTolerationSeconds(seconds).build();
    }

    private static DaemonSet daemonSet(String name) {
        return new DaemonSetBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewSpec().withNewSelector().addToMatchLabels("app", name).endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", name).endMetadata()
                .withNewSpec().addNewContainer().withName("agent").withImage("busybox:1.36").endContainer().endSpec()
                .endTemplate().endSpec().build();
    }

    /** A job whose pods never restart, labelled app=batch, with the given completions and parallelism. */
    private static Job job(String name, Integer completions, Integer parallelism) {
        return new JobBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewSpec().withCompletions(completions).withParallelism(parallelism)
                .withNewTemplate().withNewMetadata().addToLabels("app", "batch").endMetadata()
                .withNewSpec().withRestartPolicy("Never").addNewContainer().withName("work").withImage("busybox:1.36")
                .endContainer().endSpec().endTemplate().endSpec().build();
    }

    /** The PodSpec defaults every embedded pod spec gets ({@code SetDefaults_PodSpec} and the container ones). */
    private static void assertPodSpecDefaults(PodSpec spec, String restartPolicy) {
        assertThat(spec.getRestartPolicy()).isEqualTo(restartPolicy);
        assertThat(spec.getTerminationGracePeriodSeconds()).isEqualTo(30L);
        assertThat(spec.getDnsPolicy()).isEqualTo("ClusterFirst");
        assertThat(spec.getSchedulerName()).isEqualTo("default-scheduler");
        assertThat(json(spec.getSecurityContext())).isEqualTo("{}");
        for (Container c : spec.getContainers()) {
            assertThat(c.getTerminationMessagePath()).isEqualTo("/dev/termination-log");
            assertThat(c.getTerminationMessagePolicy()).isEqualTo("File");
            assertThat(c.getImagePullPolicy()).isNotNull();
        }
    }

    private static void assertProbeDefaults(Probe probe) {
        assertThat(probe.getTimeoutSeconds()).isEqualTo(1);
        assertThat(probe.getPeriodSeconds()).isEqualTo(10);
        assertThat(probe.getSuccessThreshold()).isEqualTo(1);
        assertThat(probe.getFailureThreshold()).isEqualTo(3);
    }

    private static String json(Object value) {
        return ObjectCodec.JSON.writeValueAsString(value);
    }
}
