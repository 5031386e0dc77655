package io.keelson.kernel.scheduler.framework;

import io.fabric8.kubernetes.api.model.Quantity;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;

/**
 * An amount of each compute resource, in the units kube-scheduler counts them: millicores of cpu, bytes of memory
 * and ephemeral storage, a number of pods, and integer amounts of scalar (extended, hugepages) resources. Mutable:
 * the runtime adds and subtracts pods' requests on its own copies.
 */
public final class Resource {
    public static final String CPU = "cpu";
    public static final String MEMORY = "memory";
    public static final String EPHEMERAL_STORAGE = "ephemeral-storage";
    public static final String PODS = "pods";

    private long milliCpu;
    private long memory;
    private long ephemeralStorage;
    private long allowedPods;
    private Map<String, Long> scalar = Map.of();

    public Resource() {
    }

    public Resource(long milliCpu, long memory) {
        this.milliCpu = milliCpu;
        this.memory = memory;
    }

    /** A resource list (requests, allocatable, overhead) in these units; quantities round up as Kubernetes' do. */
    public static Resource of(Map<String, Quantity> list) {
        Resource r = new Resource();
        if (list != null) {
            list.forEach((name, q) -> r.set(name, name.equals(CPU) ? milliValue(q) : value(q)));
        }
        return r;
    }

    /** The quantity's value in thousandths, rounded up ({@code Quantity.MilliValue()}). */
    public static long milliValue(Quantity q) {
        return Quantity.getAmountInBytes(q).multiply(BigDecimal.valueOf(1000)).setScale(0, RoundingMode.CEILING)
                .longValueExact();
    }

    /** The quantity's value, rounded up ({@code Quantity.Value()}). */
    public static long value(Quantity q) {
        return Quantity.getAmountInBytes(q).setScale(0, RoundingMode.CEILING).longValueExact();
    }

    public long milliCpu() {
        return milliCpu;
    }

    public long memory() {
        return memory;
    }

    public long ephemeralStorage() {
        return ephemeralStorage;
    }

    public long allowedPods() {
        return allowedPods;
    }

    /** Extended and hugepages resources by name. */
    public Map<String, Long> scalar() {
        return Collections.unmodifiableMap(scalar);
    }

    /** The amount of {@code name} (cpu in millicores). */
    public long get(String name) {
        return switch (name) {
            case CPU -> milliCpu;
            case MEMORY -> memory;
            case EPHEMERAL_STORAGE -> ephemeralStorage;
            case PODS -> allowedPods;
            default -> scalar.getOrDefault(name, 0L);
        };
    }

    public Resource set(String name, long amount) {
        switch (name) {
            case CPU -> milliCpu = amount;
            case MEMORY -> memory = amount;
            case EPHEMERAL_STORAGE -> ephemeralStorage = amount;
            case PODS -> allowedPods = amount;
            default -> {
                if (scalar.isEmpty()) {
                    scalar = new HashMap<>();
                }
                scalar.put(name, amount);
            }
        }
        return this;
    }

    /** Adds {@code other} to this, resource by resource. */
    public Resource add(Resource other) {
        milliCpu += other.milliCpu;
        memory += other.memory;
        ephemeralStorage += other.ephemeralStorage;
        allowedPods += other.allowedPods;
        other.scalar.forEach((k, v) -> set(k, get(k) + v));
        return this;
    }

    /** Subtracts {@code other} from this, resource by resource. */
    public Resource subtract(Resource other) {
        milliCpu -= other.milliCpu;
        memory -= other.memory;
        ephemeralStorage -= other.ephemeralStorage;
        allowedPods -= other.allowedPods;
        other.scalar.forEach((k, v) -> set(k, get(k) - v));
        return this;
    }

    /** Raises each resource of this to {@code other}'s where that is larger. */
    public Resource max(Resource other) {
        milliCpu = Math.max(milliCpu, other.milliCpu);
        memory = Math.max(memory, other.memory);
        ephemeralStorage = Math.max(ephemeralStorage, other.ephemeralStorage);
        allowedPods = Math.max(allowedPods, other.allowedPods);
        other.scalar.forEach((k, v) -> set(k, Math.max(get(k), v)));
        return this;
    }

    public Resource copy() {
        Resource c = new Resource();
        c.milliCpu = milliCpu;
        c.memory = memory;
        c.ephemeralStorage = ephemeralStorage;
        c.allowedPods = allowedPods;
        c.scalar = scalar.isEmpty() ? Map.of() : new HashMap<>(scalar);
        return c;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Resource r && r.milliCpu == milliCpu && r.memory == memory
                && r.ephemeralStorage == ephemeralStorage && r.allowedPods == allowedPods
                && r.scalar.equals(scalar);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(milliCpu * 31 + memory) ^ scalar.hashCode();
    }

    @Override
    public String toString() {
        return "{cpu=" + milliCpu + "m, memory=" + memory + ", ephemeral-storage=" + ephemeralStorage + ", pods="
                + allowedPods + (scalar.isEmpty() ? "" : ", " + scalar) + "}";
    }
}
