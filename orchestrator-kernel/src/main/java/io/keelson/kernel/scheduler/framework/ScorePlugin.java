package io.keelson.kernel.scheduler.framework;

import io.fabric8.kubernetes.api.model.Pod;

/**
 * Ranks feasible nodes. Scores end in [{@link #MIN_SCORE}, {@link #MAX_SCORE}] after {@link #normalizeScores};
 * the runtime multiplies them by the plugin's weight in the profile and sums over plugins. Called in parallel over
 * nodes, so {@code score} must only read.
 */
public interface ScorePlugin extends Plugin {
    long MIN_SCORE = 0;
    long MAX_SCORE = 100;

    long score(CycleState state, Pod pod, NodeInfo node);

    /** Rescales this plugin's raw scores of all feasible nodes into [0, 100]; by default they are already. */
    default Status normalizeScores(CycleState state, Pod pod, NodeScore[] scores) {
        return Status.success();
    }
}
