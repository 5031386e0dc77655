package io.keelson.kernel.node;

import io.fabric8.kubernetes.api.model.DeleteOptionsBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.keelson.kernel.ApiException;
import io.keelson.kernel.Kernel;
import io.keelson.kernel.events.EventRecorder;
import io.keelson.kernel.informer.EventHandler;
import io.keelson.kernel.informer.InformerFactory;
import io.keelson.kernel.informer.KeyFunctions;
import io.keelson.kernel.informer.SharedInformer;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * One simulated kubelet's pod side, for every node: follows the pods bound to the simulated nodes through the pod
 * informer and moves each through the kubelet's lifecycle. Admitted (or rejected: phase Failed, {@code OutOfcpu}
 * and the like) as it arrives; its containers created, then started after the start delay (Running, Ready, a pod
 * IP from the node's CIDR); when deleted gracefully, its containers stop and the pod is deleted for good. A node
 * whose heartbeats are stopped leaves its pods as they are until it is back.
 */
final class PodLifecycle {
    private final Kernel kernel;
    private final SharedInformer<Pod> pods;
    private final SharedInformer<Node> nodes;
    private final NodeTiming timing;
    private final Agenda agenda;
    private final Function<String, NodeAgent> agents;
    private final EventRecorder events;
    private final Stages stages;
    /** What each node has admitted, by node name. */
    private final Map<String, NodeAdmission> admitted = new ConcurrentHashMap<>();
    /** The pods whose start is planned or done, by uid: a pod is started once. */
    private final Map<String, Boolean> started = new ConcurrentHashMap<>();
    /** How many init containers each starting pod has begun, by uid. */
    private final Map<String, Integer> initSteps = new ConcurrentHashMap<>();
    /** The current crash-loop back-off of each restarting pod, by uid. */
    private final Map<String, Duration> backOffs = new ConcurrentHashMap<>();
    static final Duration BACK_OFF_INITIAL = Duration.ofSeconds(10);
    static final Duration BACK_OFF_MAX = Duration.ofMinutes(5);
    static final Duration BACK_OFF_RESET = Duration.ofMinutes(10);
    /** How often a pod whose ConfigMaps or Secrets are missing looks for them again. */
    static final Duration CONFIG_RETRY = Duration.ofSeconds(10);
    /** The exit code of containers the kubelet kills for failing a probe (SIGKILL). */
    static final int KILLED = 137;
    private static final String PROBES = "pod-probe/";

    PodLifecycle(Kernel kernel, InformerFactory informers, NodeTiming timing, Agenda agenda,
                 Function<String, NodeAgent> agents, EventRecorder events, Stages stages) {
        this.kernel = kernel;
        this.stages = stages;
        this.events = events;
        this.timing = timing;
        this.agenda = agenda;
        this.agents = agents;
        this.pods = informers.forType(Pod.class);
        this.nodes = informers.forType(Node.class);
        pods.addIndexerIfAbsent(StaticPods.MIRROR_INDEX, StaticPods::mirrorIndex);
        pods.addEventHandler(new EventHandler<>() {
            @Override
            public void onAdd(Pod pod, boolean initialList) {
                changed(pod);
            }

            @Override
            public void onUpdate(Pod old, Pod pod) {
                changed(pod);
            }

            @Override
            public void onDelete(Pod pod, boolean finalStateUnknown) {
                gone(pod);
            }
        });
    }

    /** A node joined (or came back): its pods are looked at again. */
    void nodeJoined(String node) {
        admitted.computeIfAbsent(node, n -> new NodeAdmission());
        NodeAgent agent = agents.apply(node);
        if (agent != null && agent.staticPods != null) {
            agenda.after(staticKey(node), Duration.ZERO, () -> syncStaticPods(node));
        }
        for (Pod pod : pods.cache().list()) {
            if (node.equals(pod.getSpec().getNodeName())) {
                changed(pod);
            }
        }
    }

    private void changed(Pod pod) {
        String node = pod.getSpec().getNodeName();
        if (node != null && agents.apply(node) != null) {
            String key = KeyFunctions.key(pod);
            agenda.after("pod/" + key, Duration.ZERO, () -> sync(key));
        }
    }

    private void gone(Pod pod) {
        String node = pod.getSpec().getNodeName();
        NodeAgent agent = node == null ? null : agents.apply(node);
        if (agent != null) {
            agent.addresses.release(pod.getMetadata().getUid());
            admission(node).release(pod.getMetadata().getUid());
            if (agent.staticPods != null && !StaticPods.mirrorIndex(pod).isEmpty()) { // it comes back at once
                agenda.after(staticKey(node), Duration.ZERO, () -> syncStaticPods(node));
            }
        }
        agenda.cancel("pod/" + KeyFunctions.key(pod));
        agenda.cancel("pod-start/" + pod.getMetadata().getUid());
        agenda.cancelAll(PROBES + pod.getMetadata().getUid() + "/");
        started.remove(pod.getMetadata().getUid());
        backOffs.remove(pod.getMetadata().getUid());
        initSteps.remove(pod.getMetadata().getUid());
    }

    /** Reads the node's manifest directory and brings its mirror pods in line, then plans the next look. */
    private void syncStaticPods(String node) {
        NodeAgent agent = agents.apply(node);
        if (agent == null || agent.staticPods == null || !agent.heartbeating()) {
            return; // a silent node is looked at again when it is back
        }
        agenda.after(staticKey(node), StaticPods.FILE_CHECK, () -> syncStaticPods(node));
        agent.staticPods.sync(pods.cache(), agent.uid(), now());
    }

    private static String staticKey(String node) {
        return "node/" + node + "/static-pods";
    }

    /** Moves the pod one step on, from its state in the informer's cache. */
    private void sync(String key) {
        Pod pod = pods.cache().get(key);
        if (pod == null) {
            return;
        }
        NodeAgent agent = agents.apply(pod.getSpec().getNodeName());
        if (agent == null || !agent.heartbeating()) {
            return; // not ours, or the node is silent: nothing happens on it
        }
        synchronized (agent) {
            String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
            String uid = pod.getMetadata().getUid();
            NodeAdmission admission = admission(agent.name());
            if (pod.getMetadata().getDeletionTimestamp() != null) {
                terminate(pod, agent);
            } else if ("Succeeded".equals(phase) || "Failed".equals(phase)) {
                admission.release(uid); // finished pods hold nothing on the node
            } else if (!admission.holds(uid)) {
                admitOrReject(pod, agent, admission, "Running".equals(phase));
            } else if (!"Running".equals(phase) && !started.containsKey(uid)) {
                planStart(pod);
            }
        }
    }

    private void admitOrReject(Pod pod, NodeAgent agent, NodeAdmission admission, boolean running) {
        Node node = nodes.cache().get(agent.name()); // as the kubelet's node lister; read once it is not there yet
        if (node == null) {
            node = kernel.resources(Node.class).get(agent.name());
        }
        NodeAdmission.Rejection rejection = running ? null : admission.admit(pod, node);
        if (running) {
            admission.hold(pod); // running before we came (a restart): it holds its share
            return;
        }
        if (rejection != null) {
            events.eventFrom(agent.name(), pod, EventRecorder.WARNING, rejection.reason(), rejection.message());
            writeStatus(pod, PodStatuses.rejected(pod, rejection.reason(), rejection.message(), now()));
            return;
        }
        if (!timing.startDelay().isZero() || (pod.getSpec().getInitContainers() != null
                && !pod.getSpec().getInitContainers().isEmpty())) {
            writeStatus(pod, PodStatuses.creating(pod, agent.hostIp(), now()));
        } // else its containers start at once: one status write, Running (as kwok, and as the kubelet's status
          // manager, which reports only the latest status, would for a start that takes no time)
        planStart(pod);
    }

    private void planStart(Pod pod) {
        String uid = pod.getMetadata().getUid();
        String key = KeyFunctions.key(pod);
        started.put(uid, Boolean.TRUE);
        agenda.after("pod-start/" + uid, timing.startDelay(), () -> start(key, uid));
    }

    private void start(String key, String uid) {
        Pod pod = pods.cache().get(key);
        NodeAgent agent = pod == null ? null : agents.apply(pod.getSpec().getNodeName());
        if (agent == null || !uid.equals(pod.getMetadata().getUid()) || !agent.heartbeating()
                || pod.getMetadata().getDeletionTimestamp() != null) {
            started.remove(uid); // looked at again on its next change, or when its node is back
            return;
        }
        synchronized (agent) {
            String missing = ConfigReferences.missing(kernel, pod);
            if (missing != null) { // waits, and looks again as the kubelet's pod worker does
                events.eventFrom(agent.name(), pod, EventRecorder.WARNING, "Failed", "Error: " + missing);
                writeStatus(pod, PodStatuses.configError(pod, agent.hostIp(), missing, now()));
                agenda.after("pod-start/" + uid, CONFIG_RETRY, () -> start(key, uid));
                return;
            }
            int init = pod.getSpec().getInitContainers() == null ? 0 : pod.getSpec().getInitContainers().size();
            int step = initSteps.getOrDefault(uid, 0);
            if (step < init) { // init containers one at a time, each taking the start delay
                if (!writeStatus(pod, PodStatuses.initializing(pod, agent.hostIp(), step, now()))) {
                    retry(key, uid);
                    return;
                }
                initSteps.put(uid, step + 1);
                agenda.after("pod-start/" + uid, timing.startDelay(), () -> start(key, uid));
                return;
            }
            String ip = agent.addresses.assign(uid);
            ContainerBehaviour behaviour = stages.behaviour(pod);
            Instant startedAt = now();
            ProbePlan plan = ProbePlan.of(pod, behaviour, startedAt);
            boolean startedNow = plan.startupDone() == null && plan.startupKill() == null;
            boolean readyNow = startedNow && plan.readyAt() != null && !plan.readyAt().isAfter(startedAt);
            if (!writeStatus(pod, PodStatuses.running(pod, agent.hostIp(), ip, startedAt, startedNow, readyNow))) {
                retry(key, uid);
                return;
            }
            planProbes(key, uid, plan, startedAt);
            if (behaviour.exitAfter() != null) {
                agenda.after("pod-start/" + uid, behaviour.exitAfter(),
                        () -> exit(key, uid, startedAt, behaviour.exitCode()));
            }
        }
    }

    /**
     * The probes' verdicts, each at its time: the startup probe passes (or the containers are killed for failing
     * it), readiness comes and may go, a failing liveness probe gets them killed (exit code 137, as SIGKILL).
     */
    private void planProbes(String key, String uid, ProbePlan plan, Instant startedAt) {
        String prefix = PROBES + uid + "/";
        if (plan.startupKill() != null) {
            agenda.at(prefix + "startup", plan.startupKill(),
                    () -> killed(key, uid, startedAt, ProbePlan.Kind.STARTUP));
            return;
        }
        if (plan.startupDone() != null) {
            boolean readyThen = plan.readyAt() != null && !plan.readyAt().isAfter(plan.startupDone());
            agenda.at(prefix + "startup", plan.startupDone(), () -> probed(key, uid, true, readyThen));
        }
        Instant startup = plan.startupDone() == null ? startedAt : plan.startupDone();
        if (plan.readyAt() != null && plan.readyAt().isAfter(startup)) {
            agenda.at(prefix + "ready", plan.readyAt(), () -> probed(key, uid, true, true));
        }
        if (plan.unreadyAt() != null) {
            agenda.at(prefix + "unready", plan.unreadyAt(), () -> probed(key, uid, true, false));
        }
        if (plan.livenessKill() != null) {
            agenda.at(prefix + "liveness", plan.livenessKill(),
                    () -> killed(key, uid, startedAt, ProbePlan.Kind.LIVENESS));
        }
    }

    /** A probe failed its threshold: the kubelet reports it (Unhealthy, Killing) and kills the containers. */
    private void killed(String key, String uid, Instant startedAt, ProbePlan.Kind probe) {
        Pod pod = pods.cache().get(key);
        NodeAgent agent = pod == null ? null : agents.apply(pod.getSpec().getNodeName());
        if (agent != null && agent.heartbeating() && uid.equals(pod.getMetadata().getUid())
                && pod.getMetadata().getDeletionTimestamp() == null) { // else exit() below leaves it be
            unhealthy(pod, probe);
            events.eventFrom(pod.getSpec().getNodeName(), pod, EventRecorder.NORMAL, "Killing", "Container "
                    + ProbePlan.prober(pod, probe).getName() + " failed " + probe.word() + " probe, will be restarted");
        }
        exit(key, uid, startedAt, KILLED);
    }

    private void unhealthy(Pod pod, ProbePlan.Kind probe) {
        String ip = pod.getStatus() == null ? null : pod.getStatus().getPodIP();
        events.eventFrom(pod.getSpec().getNodeName(), pod, EventRecorder.WARNING, "Unhealthy",
                probe.title() + " probe failed: " + ProbePlan.failureOutput(ProbePlan.prober(pod, probe), probe, ip));
    }

    private void probed(String key, String uid, boolean startedNow, boolean readyNow) {
        Pod pod = pods.cache().get(key);
        NodeAgent agent = pod == null ? null : agents.apply(pod.getSpec().getNodeName());
        if (agent == null || !uid.equals(pod.getMetadata().getUid()) || !agent.heartbeating()
                || pod.getMetadata().getDeletionTimestamp() != null || pod.getStatus() == null
                || !"Running".equals(pod.getStatus().getPhase())) {
            return;
        }
        synchronized (agent) {
            if (!readyNow) {
                unhealthy(pod, ProbePlan.Kind.READINESS);
            }
            writeStatus(pod, PodStatuses.probed(pod, startedNow, readyNow, now()));
        }
    }

    /**
     * The containers exit: the pod finishes (restartPolicy Never, or OnFailure after a success), or they restart
     * after the kubelet's back-off: 10 s doubling to 5 minutes, back to 10 s after 10 minutes of running.
     */
    private void exit(String key, String uid, Instant startedAt, int code) {
        agenda.cancelAll(PROBES + uid + "/");
        Pod pod = pods.cache().get(key);
        NodeAgent agent = pod == null ? null : agents.apply(pod.getSpec().getNodeName());
        if (agent == null || !uid.equals(pod.getMetadata().getUid()) || !agent.heartbeating()
                || pod.getMetadata().getDeletionTimestamp() != null) {
            started.remove(uid);
            return;
        }
        synchronized (agent) {
            String policy = pod.getSpec().getRestartPolicy() == null ? "Always" : pod.getSpec().getRestartPolicy();
            Instant now = now();
            if (policy.equals("Never") || (policy.equals("OnFailure") && code == 0)) {
                writeStatus(pod, PodStatuses.finished(pod, code, startedAt, now));
                admission(agent.name()).release(uid);
                agent.addresses.release(uid);
                backOffs.remove(uid);
                return;
            }
            Duration previous = backOffs.get(uid);
            Duration backOff = previous == null || !startedAt.plus(BACK_OFF_RESET).isAfter(now) ? BACK_OFF_INITIAL
                    : previous.multipliedBy(2).compareTo(BACK_OFF_MAX) > 0 ? BACK_OFF_MAX : previous.multipliedBy(2);
            backOffs.put(uid, backOff);
            events.eventFrom(agent.name(), pod, EventRecorder.WARNING, "BackOff",
                    "Back-off restarting failed container " + pod.getSpec().getContainers().get(0).getName()
                            + " in pod " + pod.getMetadata().getName() + "_" + pod.getMetadata().getNamespace()
                            + "(" + uid + ")");
            writeStatus(pod, PodStatuses.backingOff(pod, code, startedAt, now, backOff));
            agenda.after("pod-start/" + uid, backOff, () -> start(key, uid));
        }
    }

    /** The containers stop at once (no runtime to wait for) and the pod is deleted for good. */
    private void terminate(Pod pod, NodeAgent agent) {
        String uid = pod.getMetadata().getUid();
        try {
            kernel.resources(Pod.class).inNamespace(pod.getMetadata().getNamespace()).delete(
                    pod.getMetadata().getName(), new DeleteOptionsBuilder().withGracePeriodSeconds(0L)
                            .withNewPreconditions().withUid(uid).endPreconditions().build());
        } catch (ApiException e) {
            if (e.code() != 404 && e.code() != 409) {
                throw e;
            }
        }
        agent.addresses.release(uid);
        admission(agent.name()).release(uid);
        agenda.cancelAll(PROBES + uid + "/");
        started.remove(uid);
    }

    /**
     * A start step whose write lost a race (the cache had not seen the pod's last change yet, as when the start
     * delay is zero): the pod is looked at again from the cache, and started again from where it is.
     */
    private void retry(String key, String uid) {
        started.remove(uid);
        agenda.after("pod/" + key, Duration.ZERO, () -> sync(key));
    }

    /** Writes the status; false when the pod changed meanwhile (or went): the next sync decides again. */
    private boolean writeStatus(Pod pod, PodStatus status) {
        // a status write reads only the object's identity and status: the cached metadata and spec are shared, not
        // copied (the pod's builder would copy the whole pod)
        Pod copy = new Pod(pod.getApiVersion(), pod.getKind(), pod.getMetadata(), pod.getSpec(), status);
        try {
            kernel.resources(Pod.class).inNamespace(pod.getMetadata().getNamespace()).updateStatus(copy);
            return true;
        } catch (ApiException e) {
            if (e.code() != 409 && e.code() != 404) {
                throw e;
            }
            return false;
        }
    }

    private NodeAdmission admission(String node) {
        return admitted.computeIfAbsent(node, n -> new NodeAdmission());
    }

    private java.time.Instant now() {
        return timing.clock().instant();
    }
}
