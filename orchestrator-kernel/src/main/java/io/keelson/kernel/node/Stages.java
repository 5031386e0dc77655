package io.keelson.kernel.node;

import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * The stage rules of the simulated nodes: what a pod's containers do when its own annotations do not say. The first
 * stage that matches the pod decides; with none, they run, ready, for ever.
 */
final class Stages {
    private final List<SimulatedNodes.Stage> stages;
    private final RandomGenerator random;

    Stages(List<SimulatedNodes.Stage> stages, RandomGenerator random) {
        this.stages = stages;
        this.random = random;
    }

    /** The behaviour of the pod's containers for one start of them (the jitter is drawn again at each start). */
    ContainerBehaviour behaviour(Pod pod) {
        if (ContainerBehaviour.declared(pod) || stages.isEmpty()) {
            return ContainerBehaviour.of(pod);
        }
        for (SimulatedNodes.Stage stage : stages) {
            if (stage.matches(pod)) {
                Duration after = stage.delay.plus(jitter(stage.jitter));
                return switch (stage.next) {
                    case EXIT -> ContainerBehaviour.FOREVER.exitingAfter(after, stage.exitCode);
                    case FAIL_READINESS -> ContainerBehaviour.FOREVER.failingReadinessAfter(after);
                    case FAIL_LIVENESS -> ContainerBehaviour.FOREVER.failingLivenessAfter(after);
                };
            }
        }
        return ContainerBehaviour.FOREVER;
    }

    private Duration jitter(Duration max) {
        if (max.isZero()) {
            return Duration.ZERO;
        }
        synchronized (random) { // the nodes' workers draw from one source
            return Duration.ofMillis(random.nextLong(max.toMillis() + 1));
        }
    }
}
