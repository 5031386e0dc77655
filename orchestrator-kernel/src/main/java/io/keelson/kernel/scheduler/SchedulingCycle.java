package io.keelson.kernel.scheduler;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.keelson.kernel.ApiException;
import io.keelson.kernel.Kernel;
import io.keelson.kernel.PatchType;
import io.keelson.kernel.events.EventRecorder;
import io.keelson.kernel.informer.SharedInformer;
import io.keelson.kernel.scheduler.framework.BindPlugin;
import io.keelson.kernel.scheduler.framework.ClusterEvent;
import io.keelson.kernel.scheduler.framework.CycleState;
import io.keelson.kernel.scheduler.framework.PermitPlugin;
import io.keelson.kernel.scheduler.framework.PostBindPlugin;
import io.keelson.kernel.scheduler.framework.PostFilterPlugin;
import io.keelson.kernel.scheduler.framework.PostFilterResult;
import io.keelson.kernel.scheduler.framework.PreBindPlugin;
import io.keelson.kernel.scheduler.framework.ReservePlugin;
import io.keelson.kernel.scheduler.framework.Status;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * What kube-scheduler's {@code ScheduleOne} does with one popped pod: the scheduling cycle (placement, PostFilter
 * on failure, assume, Reserve, Permit) on the scheduling thread, then the binding cycle (wait for Permit, PreBind,
 * Bind, PostBind) on a binder thread; failures report FailedScheduling and requeue the pod.
 */
final class SchedulingCycle {
    private static final Logger LOG = LoggerFactory.getLogger(SchedulingCycle.class);
    /** Events notes are cut to this many bytes, as kube-scheduler does. */
    private static final int NOTE_LENGTH_LIMIT = 1024;
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final Kernel kernel;
    private final SchedulingQueue queue;
    private final SchedulerCache cache;
    private final Snapshot snapshot;
    private final SchedulingAlgorithm algorithm;
    private final EventRecorder events;
    private final ExecutorService binders;
    private final WaitingPods waitingPods;
    private final SharedInformer<Pod> pods;
    private final Clock clock;

    SchedulingCycle(Kernel kernel, SchedulingQueue queue, SchedulerCache cache, Snapshot snapshot,
                    SchedulingAlgorithm algorithm, EventRecorder events, ExecutorService binders,
                    WaitingPods waitingPods, SharedInformer<Pod> pods, Clock clock) {
        this.kernel = kernel;
        this.queue = queue;
        this.cache = cache;
        this.snapshot = snapshot;
        this.algorithm = algorithm;
        this.events = events;
        this.binders = binders;
        this.waitingPods = waitingPods;
        this.pods = pods;
        this.clock = clock;
    }

    void run(SchedulingQueue.Popped popped, Framework fwk) {
        Pod pod = popped.pod();
        String uid = pod.getMetadata().getUid();
        if (fwk == null || cache.contains(uid)) {
            queue.done(uid);
            return;
        }
        if (pod.getMetadata().getDeletionTimestamp() != null) {
            events.event(pod, EventRecorder.WARNING, "FailedScheduling", "skip schedule deleting pod: "
                    + pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName());
            queue.done(uid);
            return;
        }
        cache.updateSnapshot(snapshot);
        fwk.setSnapshot(snapshot);
        CycleState state = new CycleState();
        SchedulingAlgorithm.Result result;
        try {
            result = algorithm.schedule(fwk, state, pod, snapshot);
        } catch (SchedulingAlgorithm.FitFailure f) {
            if (f.diagnosis == null) {
                fail(popped, Status.unresolvable(SchedulingAlgorithm.NO_NODES), Set.of(), "");
                return;
            }
            String nominated = postFilter(fwk, state, pod, f.diagnosis);
            fail(popped, Status.unschedulable(f.diagnosis.message()), f.diagnosis.rejectors(), nominated);
            return;
        } catch (SchedulingAlgorithm.SchedulingError e) {
            LOG.debug("scheduling {} failed", pod.getMetadata().getName(), e);
            fail(popped, Status.error(e.getMessage()), Set.of(), "");
            return;
        }
        String host = result.host();
        Pod assumed = AssumedPods.on(pod, host);
        cache.assume(assumed);
        Status reserved = reserve(fwk, state, assumed, host);
        if (!reserved.isSuccess()) {
            unreserveAndForget(fwk, state, assumed, host);
            fail(popped, onOneNode(reserved, host), rejector(reserved), "");
            return;
        }
        Map<String, Duration> waits = new LinkedHashMap<>();
        Status permitted = permit(fwk, state, assumed, host, waits);
        if (!permitted.isSuccess()) {
            unreserveAndForget(fwk, state, assumed, host);
            fail(popped, onOneNode(permitted, host), rejector(permitted), "");
            return;
        }
        WaitingPods.Held held = waits.isEmpty() ? null : waitingPods.hold(assumed, waits);
        binders.execute(() -> bindingCycle(fwk, state, popped, assumed, host, held));
    }

    private void bindingCycle(Framework fwk, CycleState state, SchedulingQueue.Popped popped, Pod assumed,
                              String host, WaitingPods.Held held) {
        try {
            if (held != null) {
                Status s = held.outcome().join();
                if (!s.isSuccess()) {
                    bindingFailed(fwk, state, popped, assumed, host, onOneNode(s, host), rejector(s));
                    return;
                }
            }
            queue.done(assumed.getMetadata().getUid());
            for (PreBindPlugin p : fwk.preBind) {
                Status s = call(() -> p.preBind(state, assumed, host), p.name(), "PreBind");
                if (!s.isSuccess()) {
                    bindingFailed(fwk, state, popped, assumed, host, s, rejector(s));
                    return;
                }
            }
            // the write completes on the store's thread, and the binder thread is free meanwhile. What follows a
            // success is quick and writes nothing, so it may run there; a failure writes the pod's status and a
            // PostBind plugin may write too, which would wait for that thread itself: those go to a binder thread.
            bind(fwk.bind, 0, state, assumed, host).thenAccept(bound -> {
                if (bound.isSuccess() && fwk.postBind.isEmpty()) {
                    bound(fwk, state, popped, assumed, host, bound);
                } else {
                    binders.execute(() -> bound(fwk, state, popped, assumed, host, bound));
                }
            });
        } catch (RuntimeException e) {
            LOG.error("binding cycle of {} failed", assumed.getMetadata().getName(), e);
            bindingFailed(fwk, state, popped, assumed, host, Status.error(e), Set.of());
        }
    }

    /** The bind plugins from the {@code i}th on, in order: the first that does not Skip decides. */
    private static CompletableFuture<Status> bind(List<BindPlugin> binders, int i, CycleState state, Pod pod,
                                                  String host) {
        if (i == binders.size()) {
            return CompletableFuture.completedFuture(Status.skip());
        }
        BindPlugin p = binders.get(i);
        CompletableFuture<Status> call;
        try {
            call = p.bindAsync(state, pod, host);
        } catch (RuntimeException e) {
            call = CompletableFuture.failedFuture(e);
        }
        return call.handle((s, e) -> {
            if (e == null) {
                return s.withPlugin(p.name());
            }
            Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            return Status.error("running Bind plugin \"" + p.name() + "\": " + cause.getMessage())
                    .withPlugin(p.name());
        }).thenCompose(s -> s.isSkip() ? bind(binders, i + 1, state, pod, host)
                : CompletableFuture.completedFuture(s));
    }

    /** The binding cycle after the bind: the cache learns the pod is bound, then the event and PostBind. */
    private void bound(Framework fwk, CycleState state, SchedulingQueue.Popped popped, Pod assumed, String host,
                       Status bound) {
        try {
            if (!bound.isSuccess()) {
                bindingFailed(fwk, state, popped, assumed, host, bound.isSkip()
                        ? Status.error("no bind plugin bound the pod") : bound, Set.of());
                return;
            }
            cache.finishBinding(assumed);
            events.event(assumed, EventRecorder.NORMAL, "Scheduled", "Successfully assigned "
                    + assumed.getMetadata().getNamespace() + "/" + assumed.getMetadata().getName() + " to " + host);
            for (PostBindPlugin p : fwk.postBind) {
                try {
                    p.postBind(state, assumed, host);
                } catch (RuntimeException e) {
                    LOG.warn("PostBind plugin {} failed", p.name(), e);
                }
            }
        } catch (RuntimeException e) {
            LOG.error("binding cycle of {} failed", assumed.getMetadata().getName(), e);
            bindingFailed(fwk, state, popped, assumed, host, Status.error(e), Set.of());
        }
    }

    private void bindingFailed(Framework fwk, CycleState state, SchedulingQueue.Popped popped, Pod assumed,
                               String host, Status status, Set<String> rejectors) {
        unreserveAndForget(fwk, state, assumed, host);
        queue.moveAllToActiveOrBackoff(new ClusterEvent(ClusterEvent.Kind.ASSIGNED_POD, ClusterEvent.Action.DELETE));
        fail(popped, status, rejectors, "");
    }

    /** Runs PostFilter plugins (preemption); returns the node to nominate, "" to clear, null to keep as is. */
    private String postFilter(Framework fwk, CycleState state, Pod pod, Diagnosis diagnosis) {
        if (fwk.postFilter.isEmpty()) {
            return "";
        }
        List<String> reasons = new ArrayList<>();
        String nominated = null;
        for (PostFilterPlugin p : fwk.postFilter) {
            PostFilterResult r;
            try {
                r = p.postFilter(state, pod, Map.copyOf(diagnosis.nodeStatuses));
            } catch (RuntimeException e) {
                LOG.warn("PostFilter plugin {} failed", p.name(), e);
                continue;
            }
            if (r.status().isSuccess()) {
                diagnosis.postFilterMessage = "";
                return r.nominatedNodeName();
            }
            reasons.addAll(r.status().reasons());
            if (r.nominatedNodeName() != null) {
                nominated = r.nominatedNodeName();
            }
            if (r.status().code() == Status.Code.UNSCHEDULABLE_AND_UNRESOLVABLE) {
                break;
            }
        }
        diagnosis.postFilterMessage = String.join(", ", reasons);
        return nominated;
    }

    private Status reserve(Framework fwk, CycleState state, Pod pod, String host) {
        for (ReservePlugin p : fwk.reserve) {
            Status s = call(() -> p.reserve(state, pod, host), p.name(), "Reserve");
            if (!s.isSuccess()) {
                return s;
            }
        }
        return Status.success();
    }

    private Status permit(Framework fwk, CycleState state, Pod pod, String host, Map<String, Duration> waits) {
        for (PermitPlugin p : fwk.permit) {
            PermitPlugin.Result r;
            try {
                r = p.permit(state, pod, host);
            } catch (RuntimeException e) {
                return Status.error("running Permit plugin \"" + p.name() + "\": " + e.getMessage()).withPlugin(p.name());
            }
            Status s = r.status().withPlugin(p.name());
            if (s.code() == Status.Code.WAIT) {
                waits.put(p.name(), r.timeout());
            } else if (!s.isSuccess()) {
                return s;
            }
        }
        return Status.success();
    }

    private void unreserveAndForget(Framework fwk, CycleState state, Pod assumed, String host) {
        for (int i = fwk.reserve.size() - 1; i >= 0; i--) {
            ReservePlugin p = fwk.reserve.get(i);
            try {
                p.unreserve(state, assumed, host);
            } catch (RuntimeException e) {
                LOG.warn("Unreserve plugin {} failed", p.name(), e);
            }
        }
        cache.forget(assumed);
    }

    private static Status call(java.util.function.Supplier<Status> plugin, String name, String point) {
        try {
            return plugin.get().withPlugin(name);
        } catch (RuntimeException e) {
            return Status.error("running " + point + " plugin \"" + name + "\": " + e.getMessage()).withPlugin(name);
        }
    }

    /** A rejection after the node was chosen reads as a FitError on one node. */
    private static Status onOneNode(Status s, String host) {
        if (!s.isRejected()) {
            return s;
        }
        Diagnosis d = new Diagnosis(1);
        d.reject(host, s);
        return Status.of(s.code(), d.message()).withPlugin(s.plugin());
    }

    private static Set<String> rejector(Status s) {
        return s.isRejected() && s.plugin() != null ? Set.of(s.plugin()) : Set.of();
    }

    /**
     * kube-scheduler's handleSchedulingFailure: requeue the pod (unless it was deleted or bound meanwhile), record a
     * FailedScheduling event and set the PodScheduled=False condition (and the nominated node) if they changed.
     *
     * @param nominatedNode the node to nominate, "" to clear it, null to leave it
     */
    private void fail(SchedulingQueue.Popped popped, Status status, Set<String> rejectors, String nominatedNode) {
        Pod pod = popped.pod();
        String reason = status.isRejected() ? "Unschedulable" : "SchedulerError";
        String message = status.message();
        Pod current = pods.cache().get(pod.getMetadata().getNamespace(), pod.getMetadata().getName());
        if (current == null || !Objects.equals(current.getMetadata().getUid(), pod.getMetadata().getUid())
                || Scheduler.assigned(current)) {
            queue.done(pod.getMetadata().getUid());
            return;
        }
        queue.requeue(popped.info(), current, rejectors, popped.cycle());
        events.event(current, EventRecorder.WARNING, "FailedScheduling", truncate(message));
        updateStatus(current, reason, message, nominatedNode);
    }

    private void updateStatus(Pod pod, String reason, String message, String nominatedNode) {
        List<PodCondition> conditions = pod.getStatus() == null || pod.getStatus().getConditions() == null
                ? List.of() : pod.getStatus().getConditions();
        PodCondition old = conditions.stream().filter(c -> "PodScheduled".equals(c.getType())).findFirst()
                .orElse(null);
        String oldNominated = pod.getStatus() == null ? null : pod.getStatus().getNominatedNodeName();
        boolean nominatedChanges = nominatedNode != null
                && !Objects.equals(emptyToNull(nominatedNode), emptyToNull(oldNominated));
        boolean conditionChanges = old == null || !"False".equals(old.getStatus())
                || !reason.equals(old.getReason()) || !message.equals(old.getMessage());
        if (!conditionChanges && !nominatedChanges) {
            return;
        }
        ObjectNode patch = JSON.createObjectNode();
        ObjectNode status = patch.putObject("status");
        var list = status.putArray("conditions");
        boolean replaced = false;
        for (PodCondition c : conditions) {
            if ("PodScheduled".equals(c.getType())) {
                list.add(condition(reason, message, "False".equals(c.getStatus()) ? c.getLastTransitionTime() : null));
                replaced = true;
            } else {
                list.add(JSON.valueToTree(c));
            }
        }
        if (!replaced) {
            list.add(condition(reason, message, null));
        }
        if (nominatedChanges) {
            status.put("nominatedNodeName", emptyToNull(nominatedNode));
        }
        try {
            kernel.resources(Pod.class).inNamespace(pod.getMetadata().getNamespace())
                    .patchStatus(pod.getMetadata().getName(), PatchType.MERGE, patch.toString());
        } catch (ApiException e) {
            LOG.debug("status of pod {} not updated: {}", pod.getMetadata().getName(), e.getMessage());
        }
    }

    private ObjectNode condition(String reason, String message, String lastTransitionTime) {
        ObjectNode c = JSON.createObjectNode();
        c.put("type", "PodScheduled");
        c.put("status", "False");
        c.putNull("lastProbeTime");
        c.put("lastTransitionTime", lastTransitionTime != null ? lastTransitionTime
                : io.keelson.kernel.Timestamps.time(clock.instant()));
        c.put("reason", reason);
        c.put("message", message);
        return c;
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    /** kube-scheduler cuts event notes to 1024 bytes, ending with " ...". */
    static String truncate(String message) {
        byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
        if (bytes.length <= NOTE_LENGTH_LIMIT) {
            return message;
        }
        return new String(bytes, 0, NOTE_LENGTH_LIMIT - 4, StandardCharsets.UTF_8) + " ...";
    }
}
