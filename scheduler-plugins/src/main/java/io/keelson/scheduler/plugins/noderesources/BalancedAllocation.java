package io.keelson.scheduler.plugins.noderesources;

import io.fabric8.kubernetes.api.model.Pod;
import io.keelson.kernel.scheduler.framework.CycleState;
import io.keelson.kernel.scheduler.framework.NodeInfo;
import io.keelson.kernel.scheduler.framework.PluginArgs;
import io.keelson.kernel.scheduler.framework.PreScorePlugin;
import io.keelson.kernel.scheduler.framework.ScorePlugin;
import io.keelson.kernel.scheduler.framework.Status;
import java.util.List;

/**
 * kube-scheduler's NodeResourcesBalancedAllocation: favours nodes whose cpu and memory would be used in similar
 * proportions with the pod: {@code (1 - std(fractions)) * 100}. Best-effort pods (no requests) are not scored.
 */
public final class BalancedAllocation implements PreScorePlugin, ScorePlugin {
    public static final String NAME = "NodeResourcesBalancedAllocation";
    private static final String STATE = "PreScoreNodeResourcesBalancedAllocation";

    /** {@code NodeResourcesBalancedAllocationArgs}. */
    public record Args(List<Fit.ResourceSpec> resources) {
    }

    private record Requests(long[] requests) {
    }

    private final ResourceScorer scorer;

    public BalancedAllocation(PluginArgs args) {
        List<Fit.ResourceSpec> resources = args.as(Args.class).resources();
        if (resources != null) {
            for (int i = 0; i < resources.size(); i++) {
                Integer w = resources.get(i).weight();
                if (w != null && w != 0 && w != 1) {
                    throw new IllegalArgumentException("resources[" + i + "].weight: Invalid value: " + w
                            + ": must be 1");
                }
            }
        }
        this.scorer = ResourceScorer.balanced(resources);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Status preScore(CycleState state, Pod pod, List<NodeInfo> nodes) {
        long[] requests = scorer.podRequests(state.podInfo(pod), true);
        if (scorer.allZero(requests)) {
            return Status.skip();
        }
        state.write(STATE, new Requests(requests));
        return Status.success();
    }

    @Override
    public long score(CycleState state, Pod pod, NodeInfo node) {
        Requests r = state.read(STATE, Requests.class);
        long[] requests = r == null ? scorer.podRequests(state.podInfo(pod), true) : r.requests();
        if (scorer.allZero(requests)) {
            return 0;
        }
        return scorer.score(requests, node, true);
    }
}
