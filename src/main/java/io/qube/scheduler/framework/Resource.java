package io.qube.scheduler.framework;

import io.fabric8.kubernetes.api.model.Quantity;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.HashMap;
import java.util.Map;

/**
 * An amount of every resource the scheduler accounts: CPU in millicores, memory and ephemeral storage in bytes, a
 * number of pods, and extended resources (GPUs, hugepages, ...) by name. Mutable, as it is summed pod by pod.
 */
public final class Resource {

    public static final String CPU = "cpu";
    public static final String MEMORY = "memory";
    public static final String EPHEMERAL_STORAGE = "ephemeral-storage";
    public static final String PODS = "pods";

    public long milliCpu;
    public long memory;
    public long ephemeralStorage;
    public long pods;
    public final Map<String, Long> scalar = new HashMap<>();

    public static Resource of(Map<String, Quantity> quantities) {
        Resource resource = new Resource();
        if (quantities != null) {
            quantities.forEach(resource::set);
        }
        return resource;
    }

    public void set(String name, Quantity quantity) {
        switch (name) {
            case CPU -> milliCpu = milli(quantity);
            case MEMORY -> memory = whole(quantity);
            case EPHEMERAL_STORAGE -> ephemeralStorage = whole(quantity);
            case PODS -> pods = whole(quantity);
            default -> {
                if (isScalar(name)) {
                    scalar.put(name, whole(quantity));
                }
            }
        }
    }

    /** Extended and prefixed native resources (a name with a domain), hugepages and attachable volumes. */
    public static boolean isScalar(String name) {
        return !name.startsWith("requests.") && (name.contains("/") || name.startsWith("hugepages-")
                || name.startsWith("attachable-volumes-"));
    }

    public long get(String name) {
        return switch (name) {
            case CPU -> milliCpu;
            case MEMORY -> memory;
            case EPHEMERAL_STORAGE -> ephemeralStorage;
            case PODS -> pods;
            default -> scalar.getOrDefault(name, 0L);
        };
    }

    public void add(Resource other) {
        milliCpu += other.milliCpu;
        memory += other.memory;
        ephemeralStorage += other.ephemeralStorage;
        pods += other.pods;
        other.scalar.forEach((name, value) -> scalar.merge(name, value, Long::sum));
    }

    public void subtract(Resource other) {
        milliCpu -= other.milliCpu;
        memory -= other.memory;
        ephemeralStorage -= other.ephemeralStorage;
        pods -= other.pods;
        other.scalar.forEach((name, value) -> scalar.merge(name, -value, Long::sum));
    }

    /** Each resource the larger of this and {@code other}. */
    public void raiseTo(Resource other) {
        milliCpu = Math.max(milliCpu, other.milliCpu);
        memory = Math.max(memory, other.memory);
        ephemeralStorage = Math.max(ephemeralStorage, other.ephemeralStorage);
        pods = Math.max(pods, other.pods);
        other.scalar.forEach((name, value) -> scalar.merge(name, value, Math::max));
    }

    public boolean isZero() {
        if (milliCpu != 0 || memory != 0 || ephemeralStorage != 0) {
            return false;
        }
        for (long value : scalar.values()) {
            if (value != 0) {
                return false;
            }
        }
        return true;
    }

    public Resource copy() {
        Resource copy = new Resource();
        copy.add(this);
        return copy;
    }

    static long milli(Quantity quantity) {
        return Quantity.getAmountInBytes(quantity).multiply(BigDecimal.valueOf(1000))
                .setScale(0, RoundingMode.CEILING).longValueExact();
    }

    static long whole(Quantity quantity) {
        return Quantity.getAmountInBytes(quantity).setScale(0, RoundingMode.CEILING).longValueExact();
    }

    @Override
    public String toString() {
        return "cpu=" + milliCpu + "m memory=" + memory + " ephemeral-storage=" + ephemeralStorage + " pods=" + pods
                + (scalar.isEmpty() ? "" : " " + scalar);
    }
}
