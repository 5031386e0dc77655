package io.keelson.kernel;

import io.fabric8.kubernetes.api.model.Quantity;
import java.math.BigDecimal;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Numeric values of resource quantities, memoized: the same few strings ({@code 250m}, {@code 256Mi}) appear in
 * every pod, and fabric8's parsing into a BigDecimal is costly enough to show on the create path.
 */
final class Quantities {
    private static final int MAX_ENTRIES = 4096;
    private static final ConcurrentHashMap<String, BigDecimal> VALUES = new ConcurrentHashMap<>();

    private Quantities() {
    }

    static BigDecimal value(Quantity q) {
        String key = q.getAmount() + (q.getFormat() == null ? "" : q.getFormat());
        BigDecimal v = VALUES.get(key);
        if (v == null) {
            v = q.getNumericalAmount();
            if (VALUES.size() >= MAX_ENTRIES) {
                VALUES.clear(); // rare: a workload with thousands of distinct quantities
            }
            VALUES.put(key, v);
        }
        return v;
    }
}
