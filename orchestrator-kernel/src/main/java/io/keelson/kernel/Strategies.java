package io.keelson.kernel;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceSpec;
import io.fabric8.kubernetes.api.model.NamespaceStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceStatus;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetStatus;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetStatus;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatus;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.CronJobStatus;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatus;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetStatus;
import io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClass;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import tools.jackson.databind.node.ObjectNode;

/**
 * What kube-apiserver's registry strategies do besides defaults and validation ({@code pkg/registry/.../strategy.go}):
 * the status a new object starts with, generated fields, and which types count {@code metadata.generation}.
 */
final class Strategies {
    static final String NAMESPACE_FINALIZER = "kubernetes";

    private Strategies() {
    }

    /** Resets what a client may not set on create; {@code now} is the creation time in RFC 3339. */
    static void prepareForCreate(HasMetadata object) {
        if (usesGeneration(object)) {
            object.getMetadata().setGeneration(1L);
        }
        if (object instanceof Pod p) {
            PodStatus status = new PodStatus();
            status.setPhase("Pending");
            status.setQosClass(qosClass(p));
            if (p.getSpec() != null && !p.getSpec().getSchedulingGates().isEmpty()) {
                status.setConditions(List.of(new PodConditionBuilder().withType("PodScheduled").withStatus("False")
                        .withReason("SchedulingGated")
                        .withMessage("Scheduling is blocked due to non-empty scheduling gates").build()));
            }
            p.setStatus(status);
        } else if (object instanceof Namespace n) {
            n.setStatus(new NamespaceStatus(List.of(), "Active"));
            if (n.getSpec() == null) {
                n.setSpec(new NamespaceSpec());
            }
            if (!n.getSpec().getFinalizers().contains(NAMESPACE_FINALIZER)) {
                List<String> finalizers = new ArrayList<>(n.getSpec().getFinalizers());
                finalizers.add(NAMESPACE_FINALIZER);
                n.getSpec().setFinalizers(finalizers);
            }
        } else if (object instanceof Service s) {
            s.setStatus(new ServiceStatus());
        } else if (object instanceof Deployment d) {
            d.setStatus(new DeploymentStatus());
        } else if (object instanceof ReplicaSet r) {
            r.setStatus(new ReplicaSetStatus());
        } else if (object instanceof DaemonSet d) {
            d.setStatus(new DaemonSetStatus());
            setTemplateGeneration(d, 1);
        } else if (object instanceof StatefulSet s) {
            s.setStatus(new StatefulSetStatus());
        } else if (object instanceof Job j) {
            j.setStatus(new JobStatus());
            generateJobSelector(j);
        } else if (object instanceof CronJob c) {
            c.setStatus(new CronJobStatus());
        } else if (object instanceof PodDisruptionBudget b) {
            b.setStatus(new PodDisruptionBudgetStatus());
        }
    }

    /**
     * Whether the object must stay stored while being deleted: it has finalizers (for a namespace, also the
     * {@code spec.finalizers} the namespace controller removes when the namespace is empty).
     */
    static boolean hasPendingFinalizers(HasMetadata object) {
        if (!object.getMetadata().getFinalizers().isEmpty()) {
            return true;
        }
        return object instanceof Namespace n && n.getSpec() != null && !n.getSpec().getFinalizers().isEmpty();
    }

    /**
     * What a status write takes besides the status ({@code updated} is the stored object with the new status): a
     * Deployment's annotations too, as its status strategy resets only spec and labels (the Deployment controller
     * writes the revision annotation with the status); other types take nothing more.
     */
    static void prepareForStatusUpdate(HasMetadata updated, HasMetadata written) {
        if (updated instanceof Deployment) {
            Map<String, String> annotations = written.getMetadata().getAnnotations();
            updated.getMetadata().setAnnotations(annotations == null ? null : new LinkedHashMap<>(annotations));
        }
    }

    /** What the strategies change on update: a DaemonSet's template generation counts template changes. */
    static void prepareForUpdate(HasMetadata object, HasMetadata old) {
        if (object instanceof DaemonSet d && old instanceof DaemonSet o && d.getSpec() != null && o.getSpec() != null) {
            long previous = templateGeneration(o);
            boolean changed = !ObjectCodec.tree(d.getSpec().getTemplate()).equals(ObjectCodec.tree(o.getSpec().getTemplate()));
            setTemplateGeneration(d, changed ? previous + 1 : previous);
        }
    }

    /** The v1 form of a DaemonSet's templateGeneration: the deprecated annotation. */
    static final String TEMPLATE_GENERATION = "deprecated.daemonset.template.generation";

    private static long templateGeneration(DaemonSet d) {
        Map<String, String> a = d.getMetadata().getAnnotations();
        try {
            return a == null || !a.containsKey(TEMPLATE_GENERATION) ? 1 : Long.parseLong(a.get(TEMPLATE_GENERATION));
        } catch (NumberFormatException e) {
            return 1;
        }
    }

    private static void setTemplateGeneration(DaemonSet d, long generation) {
        Map<String, String> a = d.getMetadata().getAnnotations() == null ? new LinkedHashMap<>()
                : new LinkedHashMap<>(d.getMetadata().getAnnotations());
        a.put(TEMPLATE_GENERATION, Long.toString(generation));
        d.getMetadata().setAnnotations(a);
    }

    /** The types whose strategy sets generation 1 on create and bumps it on spec changes. */
    static boolean usesGeneration(HasMetadata object) {
        return object instanceof Pod || object instanceof ReplicaSet || object instanceof Deployment
                || object instanceof DaemonSet || object instanceof StatefulSet || object instanceof Job
                || object instanceof CronJob || object instanceof PodDisruptionBudget
                || object instanceof PriorityClass || object instanceof EndpointSlice;
    }

    /**
     * Whether an update changes what generation counts: everything but metadata and status, plus annotations for
     * Deployments and labels for EndpointSlices.
     */
    static boolean specChanged(HasMetadata object, HasMetadata old) {
        if (ObjectParts.hasSpec(object)) {
            if (!ObjectParts.sameSpec(object, old)) {
                return true;
            }
        } else {
            ObjectNode a = ObjectCodec.tree(object);
            ObjectNode b = ObjectCodec.tree(old);
            for (ObjectNode n : List.of(a, b)) {
                n.remove("metadata");
                n.remove("status");
            }
            if (!a.equals(b)) {
                return true;
            }
        }
        if (object instanceof Deployment) {
            return !Objects.equals(orEmpty(object.getMetadata().getAnnotations()),
                    orEmpty(old.getMetadata().getAnnotations()));
        }
        if (object instanceof EndpointSlice) {
            return !Objects.equals(orEmpty(object.getMetadata().getLabels()), orEmpty(old.getMetadata().getLabels()));
        }
        return false;
    }

    /** The Job strategy's selector: the job's uid, and the matching labels on its pod template. */
    private static void generateJobSelector(Job j) {
        if (j.getSpec() == null || Boolean.TRUE.equals(j.getSpec().getManualSelector())) {
            return;
        }
        String uid = j.getMetadata().getUid();
        String name = j.getMetadata().getName();
        if (j.getSpec().getTemplate() != null) {
            var tm = j.getSpec().getTemplate().getMetadata();
            if (tm == null) {
                tm = new io.fabric8.kubernetes.api.model.ObjectMeta();
                j.getSpec().getTemplate().setMetadata(tm);
            }
            Map<String, String> labels = tm.getLabels() == null ? new LinkedHashMap<>() : new LinkedHashMap<>(tm.getLabels());
            labels.putIfAbsent("batch.kubernetes.io/controller-uid", uid);
            labels.putIfAbsent("batch.kubernetes.io/job-name", name);
            labels.putIfAbsent("controller-uid", uid);
            labels.putIfAbsent("job-name", name);
            tm.setLabels(labels);
        }
        if (j.getSpec().getSelector() == null) {
            j.getSpec().setSelector(new LabelSelectorBuilder().build());
        }
        Map<String, String> match = j.getSpec().getSelector().getMatchLabels() == null ? new LinkedHashMap<>()
                : new LinkedHashMap<>(j.getSpec().getSelector().getMatchLabels());
        match.putIfAbsent("batch.kubernetes.io/controller-uid", uid);
        j.getSpec().getSelector().setMatchLabels(match);
    }

    /** {@code GetPodQOS}: Guaranteed, Burstable or BestEffort from the containers' cpu and memory. */
    static String qosClass(Pod pod) {
        if (pod.getSpec() == null) {
            return "BestEffort";
        }
        List<Container> containers = new ArrayList<>(pod.getSpec().getContainers());
        containers.addAll(pod.getSpec().getInitContainers());
        boolean any = false;
        boolean guaranteed = true;
        for (Container c : containers) {
            Map<String, Quantity> requests = c.getResources() == null || c.getResources().getRequests() == null
                    ? Map.of() : c.getResources().getRequests();
            Map<String, Quantity> limits = c.getResources() == null || c.getResources().getLimits() == null
                    ? Map.of() : c.getResources().getLimits();
            for (String r : List.of("cpu", "memory")) {
                Quantity req = requests.get(r);
                Quantity lim = limits.get(r);
                any |= (req != null && !isZero(req)) || (lim != null && !isZero(lim));
                if (lim == null || (req != null && Quantities.value(req).compareTo(Quantities.value(lim)) != 0)) {
                    guaranteed = false;
                }
            }
        }
        if (!any) {
            return "BestEffort";
        }
        return guaranteed ? "Guaranteed" : "Burstable";
    }

    private static boolean isZero(Quantity q) {
        return Quantities.value(q).signum() == 0;
    }

    private static Map<String, String> orEmpty(Map<String, String> m) {
        return m == null ? Map.of() : m;
    }
}
