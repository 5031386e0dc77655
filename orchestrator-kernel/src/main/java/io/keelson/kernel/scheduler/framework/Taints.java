package io.keelson.kernel.scheduler.framework;

import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.Toleration;
import java.util.List;
import java.util.function.Predicate;

/** Taint and toleration matching, as Kubernetes' {@code Toleration.ToleratesTaint} and its helpers. */
public final class Taints {
    private Taints() {
    }

    /**
     * Whether {@code t} tolerates {@code taint}: an empty effect or key matches any; operator Exists ignores the
     * value, Equal (or none) compares it.
     */
    public static boolean tolerates(Toleration t, Taint taint) {
        if (notEmpty(t.getEffect()) && !t.getEffect().equals(taint.getEffect())) {
            return false;
        }
        if (notEmpty(t.getKey()) && !t.getKey().equals(taint.getKey())) {
            return false;
        }
        String op = t.getOperator();
        if (op == null || op.isEmpty() || op.equals("Equal")) {
            return nullToEmpty(t.getValue()).equals(nullToEmpty(taint.getValue()));
        }
        return op.equals("Exists");
    }

    /** Whether any of {@code tolerations} tolerates {@code taint}. */
    public static boolean tolerated(List<Toleration> tolerations, Taint taint) {
        if (tolerations != null) {
            for (Toleration t : tolerations) {
                if (tolerates(t, taint)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The first of {@code taints} (those {@code considered}) that no toleration tolerates, or null. */
    public static Taint firstUntolerated(List<Taint> taints, List<Toleration> tolerations,
                                         Predicate<Taint> considered) {
        if (taints != null) {
            for (Taint taint : taints) {
                if (considered.test(taint) && !tolerated(tolerations, taint)) {
                    return taint;
                }
            }
        }
        return null;
    }

    /** NoSchedule and NoExecute taints: those Filter enforces. */
    public static boolean doNotSchedule(Taint taint) {
        return "NoSchedule".equals(taint.getEffect()) || "NoExecute".equals(taint.getEffect());
    }

    private static boolean notEmpty(String s) {
        return s != null && !s.isEmpty();
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }
}
