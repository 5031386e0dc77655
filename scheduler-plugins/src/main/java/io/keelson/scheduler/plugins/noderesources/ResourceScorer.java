package io.keelson.scheduler.plugins.noderesources;

import io.keelson.kernel.scheduler.framework.NodeInfo;
import io.keelson.kernel.scheduler.framework.PodInfo;
import io.keelson.kernel.scheduler.framework.Resource;
import io.keelson.kernel.scheduler.framework.ScorePlugin;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongBinaryOperator;

/**
 * Scores a node by how much of each configured resource the pod would leave allocated, as kube-scheduler's
 * resource allocation scorers: LeastAllocated, MostAllocated and RequestedToCapacityRatio.
 */
final class ResourceScorer {
    static final List<Fit.ResourceSpec> DEFAULT_RESOURCES = List.of(new Fit.ResourceSpec(Resource.CPU, 1),
            new Fit.ResourceSpec(Resource.MEMORY, 1));

    private interface Strategy {
        long score(long[] requested, long[] allocatable, long[] weights);
    }

    private static final int CPU = 0;
    private static final int MEMORY = 1;
    private static final int EPHEMERAL = 2;
    private static final int SCALAR = 3;

    private final String[] names;
    /** Each resource's kind (CPU, MEMORY, EPHEMERAL, SCALAR), decided once rather than by name per node. */
    private final int[] kinds;
    private final long[] weights;
    private final Strategy strategy;

    private ResourceScorer(List<Fit.ResourceSpec> resources, Strategy strategy) {
        this.names = resources.stream().map(Fit.ResourceSpec::name).toArray(String[]::new);
        this.kinds = resources.stream().mapToInt(r -> switch (r.name()) {
            case Resource.CPU -> CPU;
            case Resource.MEMORY -> MEMORY;
            case Resource.EPHEMERAL_STORAGE -> EPHEMERAL;
            default -> SCALAR;
        }).toArray();
        this.weights = resources.stream().mapToLong(r -> r.weight() == null || r.weight() == 0 ? 1 : r.weight())
                .toArray();
        this.strategy = strategy;
    }

    static ResourceScorer of(Fit.ScoringStrategy s) {
        String type = s == null || s.type() == null ? "LeastAllocated" : s.type();
        List<Fit.ResourceSpec> resources = s == null || s.resources() == null || s.resources().isEmpty()
                ? DEFAULT_RESOURCES : s.resources();
        for (int i = 0; i < resources.size(); i++) {
            Integer w = resources.get(i).weight();
            if (w != null && (w < 0 || w > 100)) {
                throw new IllegalArgumentException("scoringStrategy.resources[" + i + "].weight: Invalid value: " + w
                        + ": resource weight of " + resources.get(i).name() + " should be in range [1, 100]");
            }
        }
        return switch (type) {
            case "LeastAllocated" -> new ResourceScorer(resources, ResourceScorer::leastAllocated);
            case "MostAllocated" -> new ResourceScorer(resources, ResourceScorer::mostAllocated);
            case "RequestedToCapacityRatio" -> new ResourceScorer(resources, shape(s.requestedToCapacityRatio()));
            default -> throw new IllegalArgumentException("scoringStrategy.type: Unsupported value: \"" + type
                    + "\": supported values: \"LeastAllocated\", \"MostAllocated\", \"RequestedToCapacityRatio\"");
        };
    }

    /** Balanced allocation's resources: weights are ignored, every resource counts the same. */
    static ResourceScorer balanced(List<Fit.ResourceSpec> resources) {
        return new ResourceScorer(resources == null || resources.isEmpty() ? DEFAULT_RESOURCES : resources,
                ResourceScorer::balanced);
    }

    /**
     * The pod's request of each resource: its real requests with {@code useRequested}, else with scoring's
     * defaults (100m cpu, 200 MiB memory for containers that request none).
     */
    long[] podRequests(PodInfo pod, boolean useRequested) {
        long[] r = new long[names.length];
        for (int i = 0; i < names.length; i++) {
            boolean defaulted = !useRequested && (names[i].equals(Resource.CPU) || names[i].equals(Resource.MEMORY));
            r[i] = (defaulted ? pod.nonZeroRequests() : pod.requests()).get(names[i]);
        }
        return r;
    }

    boolean allZero(long[] podRequests) {
        for (long r : podRequests) {
            if (r != 0) {
                return false;
            }
        }
        return true;
    }

    long score(long[] podRequests, NodeInfo node, boolean useRequested) {
        long[] requested = new long[names.length];
        long[] allocatable = new long[names.length];
        Resource alloc = node.allocatable();
        Resource used = useRequested ? node.requested() : node.nonZeroRequested();
        for (int i = 0; i < names.length; i++) {
            switch (kinds[i]) {
                case CPU -> {
                    allocatable[i] = alloc.milliCpu();
                    requested[i] = used.milliCpu() + podRequests[i];
                }
                case MEMORY -> {
                    allocatable[i] = alloc.memory();
                    requested[i] = used.memory() + podRequests[i];
                }
                case EPHEMERAL -> {
                    allocatable[i] = alloc.ephemeralStorage();
                    requested[i] = node.requested().ephemeralStorage() + podRequests[i];
                }
                default -> {
                    if (podRequests[i] == 0) {
                        continue; // a scalar resource the pod does not ask for does not count
                    }
                    allocatable[i] = alloc.get(names[i]);
                    requested[i] = node.requested().get(names[i]) + podRequests[i];
                }
            }
        }
        return strategy.score(requested, allocatable, weights);
    }

    private static long leastAllocated(long[] requested, long[] allocatable, long[] weights) {
        return weightedMean(requested, allocatable, weights, (req, capacity) -> req > capacity ? 0
                : (capacity - req) * ScorePlugin.MAX_SCORE / capacity);
    }

    private static long mostAllocated(long[] requested, long[] allocatable, long[] weights) {
        return weightedMean(requested, allocatable, weights, (req, capacity) -> Math.min(req, capacity)
                * ScorePlugin.MAX_SCORE / capacity);
    }

    /** The weighted integer mean of per-resource scores, over the resources the node has. */
    private static long weightedMean(long[] requested, long[] allocatable, long[] weights,
                                     LongBinaryOperator score) {
        long sum = 0;
        long weightSum = 0;
        for (int i = 0; i < requested.length; i++) {
            if (allocatable[i] == 0) {
                continue;
            }
            sum += score.applyAsLong(requested[i], allocatable[i]) * weights[i];
            weightSum += weights[i];
        }
        return weightSum == 0 ? 0 : sum / weightSum;
    }

    private static Strategy shape(Fit.RequestedToCapacityRatio args) {
        if (args == null || args.shape() == null || args.shape().isEmpty()) {
            throw new IllegalArgumentException("scoringStrategy.requestedToCapacityRatio.shape: Required value: at"
                    + " least one point must be specified");
        }
        List<long[]> points = new ArrayList<>();
        int previous = -1;
        for (int i = 0; i < args.shape().size(); i++) {
            Fit.ShapePoint p = args.shape().get(i);
            if (p.utilization() < 0 || p.utilization() > 100 || p.score() < 0 || p.score() > 10) {
                throw new IllegalArgumentException("scoringStrategy.requestedToCapacityRatio.shape[" + i
                        + "]: Invalid value: utilization must be in [0, 100] and score in [0, 10]");
            }
            if (p.utilization() <= previous) {
                throw new IllegalArgumentException("scoringStrategy.requestedToCapacityRatio.shape[" + i
                        + "].utilization: Invalid value: " + p.utilization() + ": utilization values must be sorted"
                        + " in increasing order");
            }
            previous = p.utilization();
            points.add(new long[] {p.utilization(), p.score() * (ScorePlugin.MAX_SCORE / 10)});
        }
        return (requested, allocatable, weights) -> {
            long sum = 0;
            long weightSum = 0;
            for (int i = 0; i < requested.length; i++) {
                if (allocatable[i] == 0) {
                    continue;
                }
                long utilization = requested[i] > allocatable[i] ? 100 : requested[i] * 100 / allocatable[i];
                long s = brokenLinear(points, utilization);
                if (s > 0) {
                    sum += s * weights[i];
                    weightSum += weights[i];
                }
            }
            return weightSum == 0 ? 0 : Math.round((double) sum / weightSum);
        };
    }

    private static long brokenLinear(List<long[]> points, long p) {
        for (int k = 0; k < points.size(); k++) {
            if (p <= points.get(k)[0]) {
                if (k == 0) {
                    return points.get(0)[1];
                }
                long[] a = points.get(k - 1);
                long[] b = points.get(k);
                return a[1] + (b[1] - a[1]) * (p - a[0]) / (b[0] - a[0]);
            }
        }
        return points.get(points.size() - 1)[1];
    }

    private static long balanced(long[] requested, long[] allocatable, long[] weights) {
        double[] fractions = new double[requested.length];
        int n = 0;
        for (int i = 0; i < requested.length; i++) {
            if (allocatable[i] != 0) {
                fractions[n++] = Math.min(1.0, (double) requested[i] / allocatable[i]);
            }
        }
        double std = 0;
        if (n == 2) {
            std = Math.abs(fractions[0] - fractions[1]) / 2;
        } else if (n > 2) {
            double mean = 0;
            for (int i = 0; i < n; i++) {
                mean += fractions[i];
            }
            mean /= n;
            double variance = 0;
            for (int i = 0; i < n; i++) {
                variance += (fractions[i] - mean) * (fractions[i] - mean);
            }
            std = Math.sqrt(variance / n);
        }
        return (long) ((1 - std) * ScorePlugin.MAX_SCORE);
    }
}
