package io.keelson.scheduler.plugins.nodeports;

import io.fabric8.kubernetes.api.model.Pod;
import io.keelson.kernel.scheduler.framework.ClusterEvent;
import io.keelson.kernel.scheduler.framework.CycleState;
import io.keelson.kernel.scheduler.framework.EnqueueExtensions;
import io.keelson.kernel.scheduler.framework.FilterPlugin;
import io.keelson.kernel.scheduler.framework.HostPorts;
import io.keelson.kernel.scheduler.framework.NodeInfo;
import io.keelson.kernel.scheduler.framework.PreFilterPlugin;
import io.keelson.kernel.scheduler.framework.PreFilterResult;
import io.keelson.kernel.scheduler.framework.Status;
import java.util.List;

/**
 * kube-scheduler's NodePorts: a pod's host ports must be free on the node (a port on 0.0.0.0 conflicts with the
 * same port and protocol on any IP). Unschedulable, not unresolvable: preempting the holder frees the port.
 */
public final class NodePorts implements PreFilterPlugin, FilterPlugin, EnqueueExtensions {
    public static final String NAME = "NodePorts";
    static final String REASON = "node(s) didn't have free ports for the requested pod ports";
    private static final String STATE = "PreFilterNodePorts";

    /** The pod's wanted host ports, computed once per attempt. */
    private record Wanted(List<HostPorts.Port> ports) {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public PreFilterResult preFilter(CycleState state, Pod pod, List<NodeInfo> nodes) {
        List<HostPorts.Port> ports = state.podInfo(pod).hostPorts();
        if (ports.isEmpty()) {
            return PreFilterResult.of(Status.skip());
        }
        state.write(STATE, new Wanted(ports));
        return PreFilterResult.allNodes();
    }

    @Override
    public Status filter(CycleState state, Pod pod, NodeInfo node) {
        Wanted wanted = state.read(STATE, Wanted.class);
        if (wanted == null) {
            return Status.error("reading \"" + STATE + "\" from cycleState: not found");
        }
        return fits(wanted.ports(), node) ? Status.success() : Status.unschedulable(REASON);
    }

    /** Whether none of {@code ports} is taken on {@code node}. */
    public static boolean fits(List<HostPorts.Port> ports, NodeInfo node) {
        for (HostPorts.Port p : ports) {
            if (node.usedPorts().conflicts(p)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public List<ClusterEvent> eventsToRegister() {
        return List.of(new ClusterEvent(ClusterEvent.Kind.ASSIGNED_POD, ClusterEvent.Action.DELETE),
                new ClusterEvent(ClusterEvent.Kind.NODE, ClusterEvent.Action.ADD));
    }
}
