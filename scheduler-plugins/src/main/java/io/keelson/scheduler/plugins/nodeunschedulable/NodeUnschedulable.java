package io.keelson.scheduler.plugins.nodeunschedulable;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Taint;
import io.keelson.kernel.scheduler.framework.ClusterEvent;
import io.keelson.kernel.scheduler.framework.CycleState;
import io.keelson.kernel.scheduler.framework.EnqueueExtensions;
import io.keelson.kernel.scheduler.framework.FilterPlugin;
import io.keelson.kernel.scheduler.framework.NodeInfo;
import io.keelson.kernel.scheduler.framework.Status;
import io.keelson.kernel.scheduler.framework.Taints;
import java.util.List;

/**
 * kube-scheduler's NodeUnschedulable: a cordoned node ({@code spec.unschedulable}) takes only pods that tolerate
 * the {@code node.kubernetes.io/unschedulable:NoSchedule} taint.
 */
public final class NodeUnschedulable implements FilterPlugin, EnqueueExtensions {
    public static final String NAME = "NodeUnschedulable";
    static final String REASON = "node(s) were unschedulable";
    private static final Taint UNSCHEDULABLE = new io.fabric8.kubernetes.api.model.TaintBuilder()
            .withKey("node.kubernetes.io/unschedulable").withEffect("NoSchedule").build();

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Status filter(CycleState state, Pod pod, NodeInfo node) {
        if (!node.unschedulable()) {
            return Status.success();
        }
        if (Taints.tolerated(pod.getSpec().getTolerations(), UNSCHEDULABLE)) {
            return Status.success();
        }
        return Status.unresolvable(REASON);
    }

    @Override
    public List<ClusterEvent> eventsToRegister() {
        return List.of(new ClusterEvent(ClusterEvent.Kind.NODE, ClusterEvent.Action.ADD),
                new ClusterEvent(ClusterEvent.Kind.NODE, ClusterEvent.Action.UPDATE),
                new ClusterEvent(ClusterEvent.Kind.UNSCHEDULED_POD, ClusterEvent.Action.UPDATE));
    }
}
