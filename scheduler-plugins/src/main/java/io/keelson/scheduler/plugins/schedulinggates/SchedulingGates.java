package io.keelson.scheduler.plugins.schedulinggates;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSchedulingGate;
import io.keelson.kernel.scheduler.framework.ClusterEvent;
import io.keelson.kernel.scheduler.framework.EnqueueExtensions;
import io.keelson.kernel.scheduler.framework.PreEnqueuePlugin;
import io.keelson.kernel.scheduler.framework.Status;
import java.util.List;

/** kube-scheduler's SchedulingGates: a pod with {@code spec.schedulingGates} waits until they are all removed. */
public final class SchedulingGates implements PreEnqueuePlugin, EnqueueExtensions {
    public static final String NAME = "SchedulingGates";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Status preEnqueue(Pod pod) {
        List<PodSchedulingGate> gates = pod.getSpec() == null ? null : pod.getSpec().getSchedulingGates();
        if (gates == null || gates.isEmpty()) {
            return Status.success();
        }
        return Status.unresolvable("waiting for scheduling gates: ["
                + String.join(" ", gates.stream().map(PodSchedulingGate::getName).toList()) + "]");
    }

    @Override
    public List<ClusterEvent> eventsToRegister() {
        return List.of(new ClusterEvent(ClusterEvent.Kind.UNSCHEDULED_POD, ClusterEvent.Action.UPDATE));
    }
}
