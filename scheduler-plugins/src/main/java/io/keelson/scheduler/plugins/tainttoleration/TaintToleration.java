package io.keelson.scheduler.plugins.tainttoleration;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.Toleration;
import io.keelson.kernel.scheduler.framework.ClusterEvent;
import io.keelson.kernel.scheduler.framework.CycleState;
import io.keelson.kernel.scheduler.framework.EnqueueExtensions;
import io.keelson.kernel.scheduler.framework.FilterPlugin;
import io.keelson.kernel.scheduler.framework.NodeInfo;
import io.keelson.kernel.scheduler.framework.NodeScore;
import io.keelson.kernel.scheduler.framework.PreScorePlugin;
import io.keelson.kernel.scheduler.framework.ScorePlugin;
import io.keelson.kernel.scheduler.framework.Status;
import io.keelson.scheduler.plugins.helper.Scores;
import io.keelson.kernel.scheduler.framework.Taints;
import java.util.List;

/**
 * kube-scheduler's TaintToleration: a node's NoSchedule and NoExecute taints must be tolerated (Filter); among the
 * feasible nodes, fewer untolerated PreferNoSchedule taints score higher (Score, reverse-normalized).
 */
public final class TaintToleration implements FilterPlugin, PreScorePlugin, ScorePlugin, EnqueueExtensions {
    public static final String NAME = "TaintToleration";
    private static final String STATE = "PreScoreTaintToleration";

    /** The pod's tolerations that can tolerate a PreferNoSchedule taint. */
    private record Preferred(List<Toleration> tolerations) {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Status filter(CycleState state, Pod pod, NodeInfo node) {
        if (node.taints().isEmpty()) {
            return Status.success();
        }
        Taint taint = Taints.firstUntolerated(node.taints(), pod.getSpec().getTolerations(), Taints::doNotSchedule);
        if (taint == null) {
            return Status.success();
        }
        return Status.unresolvable("node(s) had untolerated taint {" + taint.getKey() + ": "
                + (taint.getValue() == null ? "" : taint.getValue()) + "}");
    }

    @Override
    public Status preScore(CycleState state, Pod pod, List<NodeInfo> nodes) {
        state.write(STATE, new Preferred(preferNoScheduleTolerations(pod)));
        return Status.success();
    }

    @Override
    public long score(CycleState state, Pod pod, NodeInfo node) {
        Preferred p = state.read(STATE, Preferred.class);
        List<Toleration> tolerations = p == null ? preferNoScheduleTolerations(pod) : p.tolerations();
        long intolerable = 0;
        for (Taint t : node.taints()) {
            if ("PreferNoSchedule".equals(t.getEffect()) && !Taints.tolerated(tolerations, t)) {
                intolerable++;
            }
        }
        return intolerable;
    }

    @Override
    public Status normalizeScores(CycleState state, Pod pod, NodeScore[] scores) {
        Scores.defaultNormalize(scores, true);
        return Status.success();
    }

    private static List<Toleration> preferNoScheduleTolerations(Pod pod) {
        List<Toleration> all = pod.getSpec().getTolerations();
        return all == null ? List.of() : all.stream().filter(t -> t.getEffect() == null || t.getEffect().isEmpty()
                || "PreferNoSchedule".equals(t.getEffect())).toList();
    }

    @Override
    public List<ClusterEvent> eventsToRegister() {
        return List.of(new ClusterEvent(ClusterEvent.Kind.NODE, ClusterEvent.Action.ADD),
                new ClusterEvent(ClusterEvent.Kind.NODE, ClusterEvent.Action.UPDATE),
                new ClusterEvent(ClusterEvent.Kind.UNSCHEDULED_POD, ClusterEvent.Action.UPDATE));
    }
}
