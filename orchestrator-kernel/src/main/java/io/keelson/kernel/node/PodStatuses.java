package io.keelson.kernel.node;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.HostIPBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodIPBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/** The pod statuses a kubelet writes along a pod's start, as kubelet's generateAPIPodStatus shapes them. */
final class PodStatuses {
    private PodStatuses() {
    }

    /** Refused at admission: Failed with the kubelet's reason and message, nothing else reported. */
    static PodStatus rejected(Pod pod, String reason, String message, Instant now) {
        return new PodStatusBuilder().withPhase("Failed").withReason(reason)
                .withMessage("Pod was rejected: " + message)
                .withQosClass(qosClass(pod)).withStartTime(startTime(pod, now)).build();
    }

    /** Admitted, containers being created (after the init containers, if there are any). */
    static PodStatus creating(Pod pod, String hostIp, Instant now) {
        List<Container> init = list(pod.getSpec().getInitContainers());
        List<Container> containers = list(pod.getSpec().getContainers());
        String waiting = init.isEmpty() ? "ContainerCreating" : "PodInitializing";
        List<PodCondition> conditions = conditions(pod, now, Map.of(
                "PodReadyToStartContainers", condition("False", null, null),
                "Initialized", init.isEmpty() ? condition("True", null, null)
                        : condition("False", "ContainersNotInitialized", "containers with incomplete status: "
                        + names(init)),
                "Ready", condition("False", "ContainersNotReady", "containers with unready status: "
                        + names(containers)),
                "ContainersReady", condition("False", "ContainersNotReady", "containers with unready status: "
                        + names(containers))));
        return base(pod, hostIp, now).withPhase("Pending").withConditions(conditions)
                .withInitContainerStatuses(init.stream().map(c -> waiting(c, "PodInitializing")).toList())
                .withContainerStatuses(containers.stream().map(c -> waiting(c, waiting)).toList()).build();
    }

    /**
     * Pending while init container {@code running} runs: those before it completed, those after it and the
     * containers waiting (PodInitializing).
     */
    static PodStatus initializing(Pod pod, String hostIp, int running, Instant now) {
        String uid = pod.getMetadata().getUid();
        String at = io.keelson.kernel.Timestamps.time(now);
        List<Container> init = list(pod.getSpec().getInitContainers());
        PodStatus status = creating(pod, hostIp, now);
        List<ContainerStatus> initStatuses = new ArrayList<>();
        for (int i = 0; i < init.size(); i++) {
            Container c = init.get(i);
            ContainerStatus before = previousInit(pod, c);
            if (i < running) {
                initStatuses.add(before != null && before.getState() != null && before.getState().getTerminated()
                        != null ? before : status(c, uid, null).withReady(true).withStarted(false).withNewState()
                        .withNewTerminated().withExitCode(0).withReason("Completed").withStartedAt(at)
                        .withFinishedAt(at).withContainerID(containerId(uid, c)).endTerminated().endState().build());
            } else if (i == running) {
                initStatuses.add(status(c, uid, null).withReady(false).withStarted(true).withNewState()
                        .withNewRunning().withStartedAt(at).endRunning().endState().build());
            } else {
                initStatuses.add(waiting(c, "PodInitializing"));
            }
        }
        status.setInitContainerStatuses(initStatuses);
        status.getConditions().stream().filter(c -> c.getType().equals("PodReadyToStartContainers"))
                .forEach(c -> {
                    c.setStatus("True");
                    c.setLastTransitionTime(at);
                });
        status.getConditions().stream().filter(c -> c.getType().equals("Initialized")).forEach(c -> c.setMessage(
                "containers with incomplete status: " + names(init.subList(running, init.size()))));
        return status;
    }

    private static ContainerStatus previousInit(Pod pod, Container c) {
        if (pod.getStatus() == null || pod.getStatus().getInitContainerStatuses() == null) {
            return null;
        }
        return pod.getStatus().getInitContainerStatuses().stream().filter(s -> c.getName().equals(s.getName()))
                .findFirst().orElse(null);
    }

    /** Still Pending: the containers cannot be created until their ConfigMaps or Secrets exist. */
    static PodStatus configError(Pod pod, String hostIp, String message, Instant now) {
        PodStatus creating = creating(pod, hostIp, now);
        creating.getContainerStatuses().forEach(c -> {
            c.getState().getWaiting().setReason("CreateContainerConfigError");
            c.getState().getWaiting().setMessage(message);
        });
        return creating;
    }

    /**
     * Every init container completed, every container running (ready unless its readiness fails); restart counts
     * and last states carry over from the status before.
     */
    static PodStatus running(Pod pod, String hostIp, String podIp, Instant now, boolean ready) {
        return running(pod, hostIp, podIp, now, true, ready);
    }

    /** Running, the containers started (their startup probe passed, or they have none) and ready or not. */
    static PodStatus running(Pod pod, String hostIp, String podIp, Instant now, boolean started, boolean ready) {
        String at = io.keelson.kernel.Timestamps.time(now);
        String uid = pod.getMetadata().getUid();
        List<Container> containers = list(pod.getSpec().getContainers());
        PodStatusBuilder b = base(pod, hostIp, now).withPhase("Running").withConditions(runningConditions(pod, now,
                ready));
        if (podIp != null) {
            b.withPodIP(podIp).withPodIPs(new PodIPBuilder().withIp(podIp).build());
        }
        return b.withInitContainerStatuses(completedInit(pod, at))
                .withContainerStatuses(containers.stream()
                        .map(c -> status(c, uid, previous(pod, c)).withReady(ready).withStarted(started).withNewState()
                                .withNewRunning().withStartedAt(at).endRunning().endState().build())
                        .toList())
                .build();
    }

    /** The running containers' probes moved on: started (startup probe passed) and ready (readiness passing). */
    static PodStatus probed(Pod pod, boolean started, boolean ready, Instant now) {
        return new PodStatusBuilder(pod.getStatus()).withConditions(runningConditions(pod, now, ready))
                .withContainerStatuses(list(pod.getStatus().getContainerStatuses()).stream()
                        .map(s -> new ContainerStatusBuilder(s).withReady(ready).withStarted(started).build())
                        .toList())
                .build();
    }

    /** A running pod's conditions: ready or not as its containers are. */
    private static List<PodCondition> runningConditions(Pod pod, Instant now, boolean ready) {
        Wanted containersReady = ready ? condition("True", null, null) : condition("False", "ContainersNotReady",
                "containers with unready status: " + names(list(pod.getSpec().getContainers())));
        return conditions(pod, now, Map.of(
                "PodReadyToStartContainers", condition("True", null, null),
                "Initialized", condition("True", null, null),
                "Ready", containersReady,
                "ContainersReady", containersReady));
    }

    /** The containers exited and will not restart: Succeeded (code 0) or Failed. */
    static PodStatus finished(Pod pod, int exitCode, Instant startedAt, Instant now) {
        String uid = pod.getMetadata().getUid();
        List<PodCondition> conditions = conditions(pod, now, Map.of(
                "PodReadyToStartContainers", condition("False", null, null),
                "Initialized", condition("True", null, null),
                "Ready", condition("False", "PodCompleted", null),
                "ContainersReady", condition("False", "PodCompleted", null)));
        PodStatus current = pod.getStatus();
        return new PodStatusBuilder(current).withPhase(exitCode == 0 ? "Succeeded" : "Failed")
                .withConditions(conditions)
                .withContainerStatuses(list(pod.getSpec().getContainers()).stream()
                        .map(c -> status(c, uid, previous(pod, c)).withReady(false).withStarted(false)
                                .withNewState().withTerminated(terminated(exitCode, uid, c, startedAt, now))
                                .endState().build())
                        .toList())
                .build();
    }

    /** The containers exited and wait {@code backOff} to restart: CrashLoopBackOff, the exit as last state. */
    static PodStatus backingOff(Pod pod, int exitCode, Instant startedAt, Instant now, Duration backOff) {
        String uid = pod.getMetadata().getUid();
        List<Container> containers = list(pod.getSpec().getContainers());
        List<PodCondition> conditions = conditions(pod, now, Map.of(
                "PodReadyToStartContainers", condition("True", null, null),
                "Initialized", condition("True", null, null),
                "Ready", condition("False", "ContainersNotReady", "containers with unready status: "
                        + names(containers)),
                "ContainersReady", condition("False", "ContainersNotReady", "containers with unready status: "
                        + names(containers))));
        return new PodStatusBuilder(pod.getStatus()).withPhase("Running").withConditions(conditions)
                .withContainerStatuses(containers.stream().map(c -> {
                    ContainerStatus before = previous(pod, c);
                    int restarts = before == null || before.getRestartCount() == null ? 0 : before.getRestartCount();
                    return status(c, uid, before).withRestartCount(restarts + 1).withReady(false).withStarted(false)
                            .withNewLastState().withTerminated(terminated(exitCode, uid, c, startedAt, now))
                            .endLastState()
                            .withNewState().withNewWaiting().withReason("CrashLoopBackOff")
                            .withMessage("back-off " + goDuration(backOff) + " restarting failed container="
                                    + c.getName() + " pod=" + pod.getMetadata().getName() + "_"
                                    + pod.getMetadata().getNamespace() + "(" + uid + ")")
                            .endWaiting().endState().build();
                }).toList())
                .build();
    }

    private static io.fabric8.kubernetes.api.model.ContainerStateTerminated terminated(int exitCode, String uid,
                                                                                      Container c, Instant startedAt,
                                                                                      Instant now) {
        return new io.fabric8.kubernetes.api.model.ContainerStateTerminatedBuilder().withExitCode(exitCode)
                .withReason(exitCode == 0 ? "Completed" : "Error").withContainerID(containerId(uid, c))
                .withStartedAt(io.keelson.kernel.Timestamps.time(startedAt)).withFinishedAt(io.keelson.kernel.Timestamps.time(now))
                .build();
    }

    private static List<ContainerStatus> completedInit(Pod pod, String at) {
        String uid = pod.getMetadata().getUid();
        return list(pod.getSpec().getInitContainers()).stream()
                .map(c -> status(c, uid, null).withReady(true).withStarted(false).withNewState().withNewTerminated()
                        .withExitCode(0).withReason("Completed").withStartedAt(at).withFinishedAt(at)
                        .withContainerID(containerId(uid, c)).endTerminated().endState().build())
                .toList();
    }

    private static ContainerStatus previous(Pod pod, Container c) {
        if (pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null) {
            return null;
        }
        return pod.getStatus().getContainerStatuses().stream().filter(s -> c.getName().equals(s.getName()))
                .findFirst().orElse(null);
    }

    /** Go's time.Duration text for whole seconds: 10s, 1m20s, 5m0s. */
    static String goDuration(Duration d) {
        long s = d.toSeconds();
        return s < 60 ? s + "s" : s < 3600 ? (s / 60) + "m" + (s % 60) + "s"
                : (s / 3600) + "h" + (s % 3600 / 60) + "m" + (s % 60) + "s";
    }

    private static PodStatusBuilder base(Pod pod, String hostIp, Instant now) {
        return new PodStatusBuilder().withHostIP(hostIp).withHostIPs(new HostIPBuilder().withIp(hostIp).build())
                .withStartTime(startTime(pod, now)).withQosClass(qosClass(pod));
    }

    private static ContainerStatus waiting(Container c, String reason) {
        return new ContainerStatusBuilder().withName(c.getName()).withImage(c.getImage()).withImageID("")
                .withReady(false).withStarted(false).withRestartCount(0).withNewState().withNewWaiting()
                .withReason(reason).endWaiting().endState().build();
    }

    /** A container's status, keeping the restart count and last state it had. */
    private static ContainerStatusBuilder status(Container c, String podUid, ContainerStatus before) {
        ContainerStatusBuilder b = new ContainerStatusBuilder().withName(c.getName()).withImage(c.getImage())
                .withImageID(c.getImage()).withContainerID(containerId(podUid, c))
                .withRestartCount(before == null || before.getRestartCount() == null ? 0 : before.getRestartCount());
        if (before != null && before.getLastState() != null && before.getLastState().getTerminated() != null) {
            b.withLastState(before.getLastState());
        }
        return b;
    }

    /** A container id that names the runtime honestly: there is none. */
    private static String containerId(String podUid, Container c) {
        return "keelson://" + podUid + "/" + c.getName();
    }

    private record Wanted(String status, String reason, String message) {
    }

    private static Wanted condition(String status, String reason, String message) {
        return new Wanted(status, reason, message);
    }

    /**
     * The conditions in the kubelet's order, PodScheduled kept as the scheduler wrote it; a condition keeps its
     * transition time while its status stays the same.
     */
    private static List<PodCondition> conditions(Pod pod, Instant now, Map<String, Wanted> wanted) {
        Map<String, PodCondition> previous = pod.getStatus() == null || pod.getStatus().getConditions() == null
                ? Map.of() : pod.getStatus().getConditions().stream()
                .collect(Collectors.toMap(PodCondition::getType, Function.identity(), (a, b) -> b));
        List<PodCondition> conditions = new ArrayList<>();
        for (String type : List.of("PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady")) {
            Wanted w = wanted.get(type);
            PodCondition before = previous.get(type);
            String transition = before != null && w.status().equals(before.getStatus())
                    && before.getLastTransitionTime() != null ? before.getLastTransitionTime()
                    : io.keelson.kernel.Timestamps.time(now);
            conditions.add(new PodConditionBuilder().withType(type).withStatus(w.status()).withReason(w.reason())
                    .withMessage(w.message()).withLastTransitionTime(transition).build());
        }
        PodCondition scheduled = previous.get("PodScheduled");
        conditions.add(scheduled != null ? scheduled : new PodConditionBuilder().withType("PodScheduled")
                .withStatus("True").withLastTransitionTime(io.keelson.kernel.Timestamps.time(now)).build());
        return conditions;
    }

    private static String startTime(Pod pod, Instant now) {
        return pod.getStatus() != null && pod.getStatus().getStartTime() != null ? pod.getStatus().getStartTime()
                : io.keelson.kernel.Timestamps.time(now);
    }

    private static String qosClass(Pod pod) {
        return pod.getStatus() == null ? null : pod.getStatus().getQosClass();
    }

    private static String names(List<Container> containers) {
        return containers.stream().map(Container::getName).collect(Collectors.joining(" ", "[", "]"));
    }

    private static <T> List<T> list(List<T> l) {
        return l == null ? List.of() : l;
    }
}
