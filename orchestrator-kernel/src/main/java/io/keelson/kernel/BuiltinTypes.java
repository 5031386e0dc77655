package io.keelson.kernel;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClass;
import java.util.List;
import java.util.function.Function;

/**
 * The types the kernel serves from the start, with kube-apiserver's storage keys, short names, subresources and
 * field labels ({@code pkg/registry/<group>/<resource>/storage}, {@code pkg/apis/<group>/v1/conversion.go}).
 */
final class BuiltinTypes {
    private BuiltinTypes() {
    }

    static final ResourceType<Namespace> NAMESPACES = ResourceType.of(Namespace.class, "", "v1", "Namespace",
                    "namespaces", false).withShortNames("ns").withSubresources(true, false)
            .withNames(ResourceType.NameRule.DNS1123_LABEL)
            .withField("status.phase", n -> n.getStatus() == null ? "" : str(n.getStatus().getPhase()));

    static final ResourceType<Pod> PODS = ResourceType.of(Pod.class, "", "v1", "Pod", "pods", true)
            .withShortNames("po").withSubresources(true, false)
            .withField("spec.nodeName", p -> str(p.getSpec().getNodeName()))
            .withField("spec.restartPolicy", p -> str(p.getSpec().getRestartPolicy()))
            .withField("spec.schedulerName", p -> str(p.getSpec().getSchedulerName()))
            .withField("spec.serviceAccountName", p -> str(p.getSpec().getServiceAccountName()))
            .withField("spec.hostNetwork", p -> String.valueOf(Boolean.TRUE.equals(p.getSpec().getHostNetwork())))
            .withField("spec.host", p -> str(p.getSpec().getNodeName()))
            .withField("status.phase", p -> p.getStatus() == null ? "" : str(p.getStatus().getPhase()))
            .withField("status.podIP", p -> p.getStatus() == null ? "" : str(p.getStatus().getPodIP()))
            // accepted but, as in kube-apiserver, never filled in: it always reads as ""
            .withField("status.podIPs", p -> "")
            .withField("status.nominatedNodeName",
                    p -> p.getStatus() == null ? "" : str(p.getStatus().getNominatedNodeName()));

    static final ResourceType<Node> NODES = ResourceType.of(Node.class, "", "v1", "Node", "nodes", false)
            .withShortNames("no").withSubresources(true, false).storedUnder("/registry/minions/")
            .withField("spec.unschedulable",
                    n -> String.valueOf(n.getSpec() != null && Boolean.TRUE.equals(n.getSpec().getUnschedulable())));

    static final ResourceType<Service> SERVICES = ResourceType.of(Service.class, "", "v1", "Service", "services", true)
            .withShortNames("svc").withSubresources(true, false).storedUnder("/registry/services/specs/")
            .withNames(ResourceType.NameRule.DNS1035_LABEL)
            .withField("spec.clusterIP", s -> str(s.getSpec().getClusterIP()))
            .withField("spec.type", s -> str(s.getSpec().getType()));

    static final ResourceType<Endpoints> ENDPOINTS = ResourceType.of(Endpoints.class, "", "v1", "Endpoints",
            "endpoints", true).withShortNames("ep").storedUnder("/registry/services/endpoints/");

    static final ResourceType<ConfigMap> CONFIG_MAPS = ResourceType.of(ConfigMap.class, "", "v1", "ConfigMap",
            "configmaps", true).withShortNames("cm");

    static final ResourceType<Secret> SECRETS = ResourceType.of(Secret.class, "", "v1", "Secret", "secrets", true)
            .withField("type", s -> str(s.getType()));

    static final ResourceType<Event> EVENTS = ResourceType.of(Event.class, "", "v1", "Event", "events", true)
            .withShortNames("ev").withNames(ResourceType.NameRule.PATH_SEGMENT).withTtl(java.time.Duration.ofHours(1))
            .withField("involvedObject.kind", e -> involved(e, r -> r.getKind()))
            .withField("involvedObject.namespace", e -> involved(e, r -> r.getNamespace()))
            .withField("involvedObject.name", e -> involved(e, r -> r.getName()))
            .withField("involvedObject.uid", e -> involved(e, r -> r.getUid()))
            .withField("involvedObject.apiVersion", e -> involved(e, r -> r.getApiVersion()))
            .withField("involvedObject.resourceVersion", e -> involved(e, r -> r.getResourceVersion()))
            .withField("involvedObject.fieldPath", e -> involved(e, r -> r.getFieldPath()))
            .withField("reason", e -> str(e.getReason()))
            .withField("reportingComponent", e -> str(e.getReportingComponent()))
            .withField("source", e -> e.getSource() != null && !str(e.getSource().getComponent()).isEmpty()
                    ? e.getSource().getComponent() : str(e.getReportingComponent()))
            .withField("type", e -> str(e.getType()));

    static final ResourceType<ServiceAccount> SERVICE_ACCOUNTS = ResourceType.of(ServiceAccount.class, "", "v1",
            "ServiceAccount", "serviceaccounts", true).withShortNames("sa");

    static final ResourceType<ReplicaSet> REPLICA_SETS = ResourceType.of(ReplicaSet.class, "apps", "v1",
                    "ReplicaSet", "replicasets", true).withShortNames("rs").withSubresources(true, true);
    // apps/v1 registers no field label conversion: status.replicas is refused (kubernetes#135136)

    static final ResourceType<Deployment> DEPLOYMENTS = ResourceType.of(Deployment.class, "apps", "v1",
            "Deployment", "deployments", true).withShortNames("deploy").withSubresources(true, true);

    static final ResourceType<DaemonSet> DAEMON_SETS = ResourceType.of(DaemonSet.class, "apps", "v1", "DaemonSet",
            "daemonsets", true).withShortNames("ds").withSubresources(true, false);

    static final ResourceType<StatefulSet> STATEFUL_SETS = ResourceType.of(StatefulSet.class, "apps", "v1",
            "StatefulSet", "statefulsets", true).withShortNames("sts").withSubresources(true, true)
            .withNames(ResourceType.NameRule.DNS1123_LABEL); // pod hostnames are <name>-<ordinal>

    static final ResourceType<ControllerRevision> CONTROLLER_REVISIONS = ResourceType.of(ControllerRevision.class,
            "apps", "v1", "ControllerRevision", "controllerrevisions", true);

    static final ResourceType<Job> JOBS = ResourceType.of(Job.class, "batch", "v1", "Job", "jobs", true)
            .withSubresources(true, false)
            .withField("status.successful",
                    j -> String.valueOf(j.getStatus() == null || j.getStatus().getSucceeded() == null
                            ? 0 : j.getStatus().getSucceeded()));

    static final ResourceType<CronJob> CRON_JOBS = ResourceType.of(CronJob.class, "batch", "v1", "CronJob",
            "cronjobs", true).withShortNames("cj").withSubresources(true, false);

    static final ResourceType<Lease> LEASES = ResourceType.of(Lease.class, "coordination.k8s.io", "v1", "Lease",
            "leases", true);

    static final ResourceType<EndpointSlice> ENDPOINT_SLICES = ResourceType.of(EndpointSlice.class,
            "discovery.k8s.io", "v1", "EndpointSlice", "endpointslices", true);

    static final ResourceType<PriorityClass> PRIORITY_CLASSES = ResourceType.of(PriorityClass.class,
            "scheduling.k8s.io", "v1", "PriorityClass", "priorityclasses", false).withShortNames("pc");

    static final ResourceType<PodDisruptionBudget> POD_DISRUPTION_BUDGETS = ResourceType.of(
                    PodDisruptionBudget.class, "policy", "v1", "PodDisruptionBudget", "poddisruptionbudgets", true)
            .withShortNames("pdb").withSubresources(true, false);

    static final List<ResourceType<?>> ALL = List.of(NAMESPACES, PODS, NODES, SERVICES, ENDPOINTS, CONFIG_MAPS,
            SECRETS, EVENTS, SERVICE_ACCOUNTS, REPLICA_SETS, DEPLOYMENTS, DAEMON_SETS, STATEFUL_SETS,
            CONTROLLER_REVISIONS, JOBS, CRON_JOBS, LEASES, ENDPOINT_SLICES, PRIORITY_CLASSES, POD_DISRUPTION_BUDGETS);

    private static String str(String s) {
        return s == null ? "" : s;
    }

    private static String involved(Event e, Function<io.fabric8.kubernetes.api.model.ObjectReference, String> f) {
        return e.getInvolvedObject() == null ? "" : str(f.apply(e.getInvolvedObject()));
    }
}
