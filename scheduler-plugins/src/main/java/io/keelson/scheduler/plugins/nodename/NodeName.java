package io.keelson.scheduler.plugins.nodename;

import io.fabric8.kubernetes.api.model.Pod;
import io.keelson.kernel.scheduler.framework.ClusterEvent;
import io.keelson.kernel.scheduler.framework.CycleState;
import io.keelson.kernel.scheduler.framework.EnqueueExtensions;
import io.keelson.kernel.scheduler.framework.FilterPlugin;
import io.keelson.kernel.scheduler.framework.NodeInfo;
import io.keelson.kernel.scheduler.framework.Status;
import java.util.List;

/** kube-scheduler's NodeName: a pod that names a node ({@code spec.nodeName}) fits only that node. */
public final class NodeName implements FilterPlugin, EnqueueExtensions {
    public static final String NAME = "NodeName";
    static final String REASON = "node(s) didn't match the requested node name";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Status filter(CycleState state, Pod pod, NodeInfo node) {
        String wanted = pod.getSpec().getNodeName();
        return wanted == null || wanted.isEmpty() || wanted.equals(node.name()) ? Status.success()
                : Status.unresolvable(REASON);
    }

    @Override
    public List<ClusterEvent> eventsToRegister() {
        return List.of(new ClusterEvent(ClusterEvent.Kind.NODE, ClusterEvent.Action.ADD));
    }
}
