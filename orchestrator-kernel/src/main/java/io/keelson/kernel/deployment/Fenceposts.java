package io.keelson.kernel.deployment;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.RollingUpdateDeployment;

/**
 * A rolling update's bounds resolved against the desired replicas (ResolveFenceposts): maxSurge rounds up,
 * maxUnavailable rounds down, and when both come to 0 one pod may be unavailable, so the rollout can move.
 */
record Fenceposts(int surge, int unavailable) {

    static Fenceposts resolve(IntOrString maxSurge, IntOrString maxUnavailable, int desired) {
        int surge = scaled(maxSurge, desired, true);
        int unavailable = scaled(maxUnavailable, desired, false);
        if (surge == 0 && unavailable == 0) {
            unavailable = 1;
        }
        return new Fenceposts(surge, unavailable);
    }

    /** GetScaledValueFromIntOrPercent: an integer as is, a percentage of {@code total} rounded as asked. */
    static int scaled(IntOrString value, int total, boolean roundUp) {
        if (value == null) {
            return 0;
        }
        if (value.getIntVal() != null) {
            return value.getIntVal();
        }
        String s = value.getStrVal();
        if (s == null || !s.endsWith("%")) {
            throw new IllegalArgumentException("invalid value for IntOrString: invalid type: string is not a percentage");
        }
        int percent;
        try {
            percent = Integer.parseInt(s.substring(0, s.length() - 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("invalid value \"" + s + "\": " + e.getMessage());
        }
        long product = (long) percent * total;
        return (int) (roundUp ? -Math.floorDiv(-product, 100) : Math.floorDiv(product, 100));
    }

    static boolean isRollingUpdate(Deployment d) {
        return d.getSpec().getStrategy() == null || !"Recreate".equals(d.getSpec().getStrategy().getType());
    }

    /** MaxSurge: how many pods above the desired count a rolling update may run (0 for Recreate). */
    static int maxSurge(Deployment d) {
        if (!isRollingUpdate(d)) {
            return 0;
        }
        return of(d).surge();
    }

    /** MaxUnavailable: at most the desired replicas; 0 for Recreate or no replicas. */
    static int maxUnavailable(Deployment d) {
        int replicas = replicas(d);
        if (!isRollingUpdate(d) || replicas == 0) {
            return 0;
        }
        return Math.min(of(d).unavailable(), replicas);
    }

    private static Fenceposts of(Deployment d) {
        RollingUpdateDeployment ru = d.getSpec().getStrategy() == null ? null
                : d.getSpec().getStrategy().getRollingUpdate();
        return resolve(ru == null ? null : ru.getMaxSurge(), ru == null ? null : ru.getMaxUnavailable(), replicas(d));
    }

    static int replicas(Deployment d) {
        return d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
    }
}
