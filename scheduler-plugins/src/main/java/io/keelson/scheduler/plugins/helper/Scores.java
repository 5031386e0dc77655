package io.keelson.scheduler.plugins.helper;

import io.keelson.kernel.scheduler.framework.NodeScore;
import io.keelson.kernel.scheduler.framework.ScorePlugin;

/** kube-scheduler's score helpers. */
public final class Scores {
    private Scores() {
    }

    /**
     * {@code DefaultNormalizeScore}: scales scores so the highest becomes 100 (integer arithmetic, truncating), and
     * with {@code reverse} turns each into 100 minus that; all zeros stay zeros, or become 100 when reversed.
     */
    public static void defaultNormalize(NodeScore[] scores, boolean reverse) {
        long max = 0;
        for (NodeScore s : scores) {
            max = Math.max(max, s.score());
        }
        if (max == 0) {
            if (reverse) {
                for (NodeScore s : scores) {
                    s.setScore(ScorePlugin.MAX_SCORE);
                }
            }
            return;
        }
        for (NodeScore s : scores) {
            long v = ScorePlugin.MAX_SCORE * s.score() / max;
            s.setScore(reverse ? ScorePlugin.MAX_SCORE - v : v);
        }
    }
}
