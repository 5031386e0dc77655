package io.keelson.scheduler.plugins.defaultpreemption;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.keelson.kernel.LabelSelector;
import io.keelson.kernel.scheduler.framework.CycleState;
import io.keelson.kernel.scheduler.framework.Handle;
import io.keelson.kernel.scheduler.framework.NodeInfo;
import io.keelson.kernel.scheduler.framework.NodeLister;
import io.keelson.kernel.scheduler.framework.PodInfo;
import io.keelson.kernel.scheduler.framework.Status;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.ToLongFunction;

/** Who preemption would evict on a node, and which node's victims cost least, as kube-scheduler decides. */
final class Victims {
    static final String NO_VICTIMS = "No preemption victims found for incoming pod";

    /** A node where evicting {@code victims} (most important first) lets the pod in. */
    record Candidate(String node, List<Pod> victims, int pdbViolations) {
    }

    /** The victims on one node, or why there are none worth evicting. */
    record Selection(Status status, List<Pod> victims, int pdbViolations) {
    }

    /** Priority descending, then the pod that started earlier. */
    static final Comparator<Pod> MORE_IMPORTANT = Comparator.comparingInt(Victims::priority).reversed()
            .thenComparing(Victims::startTime);

    private Victims() {
    }

    static int priority(Pod pod) {
        return PodInfo.priority(pod);
    }

    /**
     * When the pod started; one that has not started counts as starting last (kube-scheduler takes "now", which
     * orders the same), and the same every time it is asked, so that sorting stays consistent.
     */
    static Instant startTime(Pod pod) {
        String t = pod.getStatus() == null ? null : pod.getStatus().getStartTime();
        return t == null ? Instant.MAX : Instant.parse(t);
    }

    /** Why the pod may not preempt, or null if it may (PodEligibleToPreemptOthers). */
    static String ineligibility(Pod pod, Map<String, Status> nodeStatuses, NodeLister snapshot) {
        if ("Never".equals(pod.getSpec().getPreemptionPolicy())) {
            return "not eligible due to preemptionPolicy=Never.";
        }
        String nominated = pod.getStatus() == null ? null : pod.getStatus().getNominatedNodeName();
        if (nominated == null || nominated.isEmpty()) {
            return null;
        }
        Status there = nodeStatuses.get(nominated);
        if (there != null && there.code() == Status.Code.UNSCHEDULABLE_AND_UNRESOLVABLE) {
            return null;
        }
        NodeInfo node = snapshot.get(nominated);
        if (node != null) {
            for (PodInfo p : node.pods()) {
                if (priority(p.pod()) < priority(pod) && terminatingByPreemption(p.pod())) {
                    return "not eligible due to a terminating pod on the nominated node.";
                }
            }
        }
        return null;
    }

    private static boolean terminatingByPreemption(Pod pod) {
        if (pod.getMetadata().getDeletionTimestamp() == null || pod.getStatus() == null
                || pod.getStatus().getConditions() == null) {
            return false;
        }
        for (PodCondition c : pod.getStatus().getConditions()) {
            if ("DisruptionTarget".equals(c.getType()) && "True".equals(c.getStatus())
                    && "PreemptionByScheduler".equals(c.getReason())) {
                return true;
            }
        }
        return false;
    }

    /**
     * kube-scheduler's SelectVictimsOnNode on copies: remove every lower-priority pod; if the pod then fits, give
     * back the most important first, PDB-protected ones before the others, keeping each that still lets it fit.
     */
    static Selection select(Handle handle, CycleState state, Pod pod, NodeInfo node, List<PodDisruptionBudget> pdbs) {
        List<Pod> potential = new ArrayList<>();
        for (PodInfo p : new ArrayList<>(node.pods())) {
            if (priority(p.pod()) < priority(pod)) {
                potential.add(p.pod());
                node.removePod(p.pod());
                Status s = handle.removePod(state, pod, p, node);
                if (!s.isSuccess()) {
                    return new Selection(s, List.of(), 0);
                }
            }
        }
        if (potential.isEmpty()) {
            return new Selection(Status.unresolvable(NO_VICTIMS), List.of(), 0);
        }
        Status fits = handle.runFilters(state, pod, node);
        if (!fits.isSuccess()) {
            return new Selection(fits, List.of(), 0);
        }
        potential.sort(MORE_IMPORTANT);
        List<Pod> violatingPods = new ArrayList<>();
        List<Pod> others = new ArrayList<>();
        splitByBudget(potential, pdbs, violatingPods, others);
        List<Pod> victims = new ArrayList<>();
        int violations = 0;
        for (Pod p : violatingPods) {
            if (!reprieve(handle, state, pod, node, p, victims)) {
                violations++;
            }
        }
        for (Pod p : others) {
            reprieve(handle, state, pod, node, p, victims);
        }
        if (!violatingPods.isEmpty() && !others.isEmpty()) {
            victims.sort(MORE_IMPORTANT);
        }
        if (victims.isEmpty()) {
            return new Selection(Status.error("expected at least one victim pod on node \"" + node.name() + "\""),
                    List.of(), 0);
        }
        return new Selection(Status.success(), victims, violations);
    }

    /** Adds {@code p} back; if the pod no longer fits, takes it out again as a victim. Whether it stays. */
    private static boolean reprieve(Handle handle, CycleState state, Pod pod, NodeInfo node, Pod p,
                                    List<Pod> victims) {
        PodInfo info = PodInfo.of(p);
        node.addPod(info);
        handle.addPod(state, pod, info, node);
        if (handle.runFilters(state, pod, node).isSuccess()) {
            return true;
        }
        node.removePod(p);
        handle.removePod(state, pod, info, node);
        victims.add(p);
        return false;
    }

    /** Pods whose eviction would exceed a matching budget's disruptionsAllowed, and the others, in order. */
    static void splitByBudget(List<Pod> pods, List<PodDisruptionBudget> pdbs, List<Pod> violating,
                              List<Pod> others) {
        int[] allowed = new int[pdbs.size()];
        for (int i = 0; i < pdbs.size(); i++) {
            PodDisruptionBudget b = pdbs.get(i);
            allowed[i] = b.getStatus() == null || b.getStatus().getDisruptionsAllowed() == null ? 0
                    : b.getStatus().getDisruptionsAllowed();
        }
        for (Pod p : pods) {
            boolean violates = false;
            Map<String, String> labels = p.getMetadata().getLabels();
            if (labels != null && !labels.isEmpty()) {
                for (int i = 0; i < pdbs.size(); i++) {
                    PodDisruptionBudget b = pdbs.get(i);
                    if (!b.getMetadata().getNamespace().equals(p.getMetadata().getNamespace())
                            || b.getSpec() == null || b.getSpec().getSelector() == null) {
                        continue;
                    }
                    LabelSelector selector;
                    try {
                        selector = LabelSelector.of(b.getSpec().getSelector());
                    } catch (RuntimeException e) {
                        continue;
                    }
                    if (selector.isEverything() || !selector.matches(labels)) {
                        continue;
                    }
                    Map<String, String> disrupted = b.getStatus() == null ? null : b.getStatus().getDisruptedPods();
                    if (disrupted != null && disrupted.containsKey(p.getMetadata().getName())) {
                        continue;
                    }
                    if (--allowed[i] < 0) {
                        violates = true;
                    }
                }
            }
            (violates ? violating : others).add(p);
        }
    }

    /** pickOneNodeForPreemption: each criterion keeps the best nodes until one is left. */
    static Candidate pickOne(List<Candidate> candidates) {
        if (candidates.isEmpty()) {
            return null;
        }
        List<ToLongFunction<Candidate>> criteria = List.of(
                c -> -c.pdbViolations(),
                c -> -priority(c.victims().get(0)),
                c -> -c.victims().stream().mapToLong(v -> priority(v) + (long) Integer.MAX_VALUE + 1).sum(),
                c -> -c.victims().size(),
                Victims::latestStartOfMostImportant);
        List<Candidate> remaining = candidates;
        for (ToLongFunction<Candidate> criterion : criteria) {
            if (remaining.size() == 1) {
                break;
            }
            long[] values = remaining.stream().mapToLong(criterion).toArray(); // each criterion once per node
            long best = java.util.Arrays.stream(values).max().orElseThrow();
            List<Candidate> kept = new ArrayList<>();
            for (int i = 0; i < values.length; i++) {
                if (values[i] == best) {
                    kept.add(remaining.get(i));
                }
            }
            remaining = kept;
        }
        return remaining.get(0);
    }

    /** The earliest start among the victims of the highest priority: the later, the better. */
    private static long latestStartOfMostImportant(Candidate c) {
        int top = priority(c.victims().get(0));
        return c.victims().stream().filter(v -> priority(v) == top).map(Victims::startTime)
                .min(Comparator.naturalOrder())
                .map(t -> t.equals(Instant.MAX) ? Long.MAX_VALUE : t.getEpochSecond() * 1_000_000_000L + t.getNano())
                .orElse(0L);
    }
}
