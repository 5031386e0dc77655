package io.keelson.scheduler.plugins.defaultpreemption;

import io.fabric8.kubernetes.api.model.DeleteOptions;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.keelson.kernel.ApiException;
import io.keelson.kernel.PatchType;
import io.keelson.kernel.informer.SharedInformer;
import io.keelson.kernel.scheduler.framework.CycleState;
import io.keelson.kernel.scheduler.framework.Handle;
import io.keelson.kernel.scheduler.framework.NodeInfo;
import io.keelson.kernel.scheduler.framework.PluginArgs;
import io.keelson.kernel.scheduler.framework.PostFilterPlugin;
import io.keelson.kernel.scheduler.framework.PostFilterResult;
import io.keelson.kernel.scheduler.framework.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.random.RandomGenerator;

/**
 * kube-scheduler's DefaultPreemption: when a pod fits no node, finds nodes where evicting lower-priority pods would
 * make it fit (fewest PodDisruptionBudget violations, then the lowest highest victim priority, the smallest
 * priority sum, the fewest victims, the latest start), deletes those victims gracefully with the DisruptionTarget
 * condition, and nominates the node for the pod's next attempt.
 */
public final class DefaultPreemption implements PostFilterPlugin {
    public static final String NAME = "DefaultPreemption";
    static final String NOT_HELPFUL = "Preemption is not helpful for scheduling";

    /** {@code DefaultPreemptionArgs}. */
    public record Args(Integer minCandidateNodesPercentage, Integer minCandidateNodesAbsolute) {
    }

    private final Handle handle;
    private final int minPercentage;
    private final int minAbsolute;
    private final RandomGenerator random;
    private final SharedInformer<PodDisruptionBudget> budgets;

    public DefaultPreemption(PluginArgs pluginArgs, Handle handle) {
        this(pluginArgs, handle, new SplittableRandom());
    }

    DefaultPreemption(PluginArgs pluginArgs, Handle handle, RandomGenerator random) {
        Args args = pluginArgs.as(Args.class);
        this.minPercentage = args.minCandidateNodesPercentage() == null ? 10 : args.minCandidateNodesPercentage();
        this.minAbsolute = args.minCandidateNodesAbsolute() == null ? 100 : args.minCandidateNodesAbsolute();
        if (minPercentage < 0 || minPercentage > 100) {
            throw new IllegalArgumentException("minCandidateNodesPercentage: Invalid value: " + minPercentage
                    + ": not in valid range [0, 100]");
        }
        if (minAbsolute < 0) {
            throw new IllegalArgumentException("minCandidateNodesAbsolute: Invalid value: " + minAbsolute
                    + ": not in valid range [0, inf)");
        }
        if (minPercentage == 0 && minAbsolute == 0) {
            throw new IllegalArgumentException("minCandidateNodesPercentage: Invalid value: 0: cannot be zero at the"
                    + " same time as minCandidateNodesAbsolute");
        }
        this.handle = handle;
        this.random = random;
        this.budgets = handle.informers() == null ? null : handle.informers().forType(PodDisruptionBudget.class);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public PostFilterResult postFilter(CycleState state, Pod pod, Map<String, Status> nodeStatuses) {
        PostFilterResult r = preempt(state, pod, nodeStatuses);
        String message = r.status().message();
        return message.isEmpty() ? r
                : new PostFilterResult(Status.of(r.status().code(), "preemption: " + message), r.nominatedNodeName());
    }

    private PostFilterResult preempt(CycleState state, Pod pod, Map<String, Status> nodeStatuses) {
        String ineligible = Victims.ineligibility(pod, nodeStatuses, handle.snapshot());
        if (ineligible != null) {
            return PostFilterResult.of(Status.unschedulable(ineligible));
        }
        List<NodeInfo> all = handle.snapshot().list();
        List<NodeInfo> potential = new ArrayList<>();
        for (NodeInfo n : all) {
            Status s = nodeStatuses.get(n.name());
            if (s != null && s.code() == Status.Code.UNSCHEDULABLE) {
                potential.add(n);
            }
        }
        Map<String, Status> dryRunStatuses = new TreeMap<>();
        List<Victims.Candidate> candidates = potential.isEmpty() ? List.of()
                : dryRun(state, pod, potential, dryRunStatuses);
        if (candidates.isEmpty()) {
            // no victims help: clear the nomination, say why per node
            return new PostFilterResult(Status.unschedulable(fitError(all.size(), dryRunStatuses)), "");
        }
        Victims.Candidate best = Victims.pickOne(candidates);
        if (best == null) {
            return PostFilterResult.of(Status.unschedulable("no candidate node for preemption"));
        }
        Status prepared = evict(pod, best);
        if (!prepared.isSuccess()) {
            return PostFilterResult.of(prepared);
        }
        return PostFilterResult.nominate(best.node());
    }

    private List<Victims.Candidate> dryRun(CycleState state, Pod pod, List<NodeInfo> potential,
                                           Map<String, Status> statuses) {
        int n = potential.size();
        int numCandidates = Math.min(n, Math.max(n * minPercentage / 100, minAbsolute));
        int offset = random.nextInt(n);
        List<PodDisruptionBudget> pdbs = budgets == null ? List.of() : budgets.cache().list();
        List<Victims.Candidate> nonViolating = new ArrayList<>();
        List<Victims.Candidate> violating = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (!nonViolating.isEmpty() && nonViolating.size() + violating.size() >= numCandidates) {
                break;
            }
            NodeInfo node = potential.get((offset + i) % n);
            Victims.Selection s = Victims.select(handle, state.copy(), pod, node.copy(), pdbs);
            if (s.status().isSuccess()) {
                (s.pdbViolations() == 0 ? nonViolating : violating)
                        .add(new Victims.Candidate(node.name(), s.victims(), s.pdbViolations()));
            } else {
                statuses.put(node.name(), s.status());
            }
        }
        List<Victims.Candidate> all = new ArrayList<>(nonViolating);
        all.addAll(violating);
        return all;
    }

    /** "0/N nodes are available: ..." over the dry run's statuses; the nodes not tried were not worth it. */
    static String fitError(int numAllNodes, Map<String, Status> statuses) {
        return "0/" + numAllNodes + " nodes are available: " + Status.reasonHistogram(statuses.values(),
                numAllNodes - statuses.size(), Status.unschedulable(NOT_HELPFUL)) + ".";
    }

    /**
     * Deletes the victims gracefully, each marked with the DisruptionTarget condition and told by a Preempted
     * event; a victim held at Permit is rejected instead.
     */
    private Status evict(Pod preemptor, Victims.Candidate best) {
        var pods = handle.kernel().resources(Pod.class);
        String schedulerName = preemptor.getSpec().getSchedulerName() == null ? handle.schedulerName()
                : preemptor.getSpec().getSchedulerName();
        for (Pod victim : best.victims()) {
            if (victim.getMetadata().getDeletionTimestamp() != null) {
                continue;
            }
            var waiting = handle.waitingPod(victim.getMetadata().getUid());
            if (waiting.isPresent()) {
                waiting.get().reject(NAME, "preempted");
                continue;
            }
            var mine = pods.inNamespace(victim.getMetadata().getNamespace());
            try {
                mine.patchStatus(victim.getMetadata().getName(), PatchType.JSON, disruptionTargetPatch(victim,
                        schedulerName + ": preempting to accommodate a higher priority pod"));
                mine.delete(victim.getMetadata().getName(), new DeleteOptions());
            } catch (ApiException e) {
                if (!e.isNotFound()) {
                    return Status.error("preempting " + victim.getMetadata().getName() + ": " + e.getMessage());
                }
            }
            if (handle.events() != null) {
                handle.events().event(victim, "Normal", "Preempted", "Preempted by pod "
                        + preemptor.getMetadata().getUid() + " on node " + best.node());
            }
        }
        return Status.success();
    }

    /** A JSON patch adding the DisruptionTarget condition (the conditions list created if absent). */
    private String disruptionTargetPatch(Pod victim, String message) {
        String condition = "{\"type\":\"DisruptionTarget\",\"status\":\"True\",\"reason\":\"PreemptionByScheduler\","
                + "\"message\":" + quote(message) + ",\"lastTransitionTime\":\""
                + io.keelson.kernel.Timestamps.time(handle.clock().instant()) + "\"}";
        boolean hasConditions = victim.getStatus() != null && victim.getStatus().getConditions() != null
                && !victim.getStatus().getConditions().isEmpty();
        return hasConditions ? "[{\"op\":\"add\",\"path\":\"/status/conditions/-\",\"value\":" + condition + "}]"
                : "[{\"op\":\"add\",\"path\":\"/status/conditions\",\"value\":[" + condition + "]}]";
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
