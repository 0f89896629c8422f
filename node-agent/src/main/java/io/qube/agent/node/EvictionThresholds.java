package io.qube.agent.node;

import io.fabric8.kubernetes.api.model.Quantity;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The kubelet's hard eviction thresholds ({@code --eviction-hard}), e.g.
 * {@code memory.available<100Mi,nodefs.available<10%}: for each signal, the least that must stay available, as
 * bytes or as a percentage of the capacity. Signals other than memory.available and nodefs.available are refused.
 */
public record EvictionThresholds(Map<String, Threshold> thresholds) {

    public static final String MEMORY = "memory.available";
    public static final String NODEFS = "nodefs.available";
    /** The kubelet's defaults for the signals the agent watches. */
    public static final String DEFAULT = "memory.available<100Mi,nodefs.available<10%";

    /** Bytes, or (percent true) a percentage of the capacity. */
    public record Threshold(String text, BigDecimal value, boolean percent) {
        /** The least available bytes allowed out of {@code capacity}. */
        public long bytes(long capacity) {
            return percent ? value.multiply(BigDecimal.valueOf(capacity)).divide(BigDecimal.valueOf(100))
                    .longValue() : value.longValue();
        }
    }

    public static EvictionThresholds parse(String flag) {
        Map<String, Threshold> parsed = new LinkedHashMap<>();
        if (flag.isBlank()) {
            return new EvictionThresholds(parsed);
        }
        for (String part : flag.split(",")) {
            String[] sides = part.trim().split("<", 2);
            if (sides.length != 2 || !(sides[0].equals(MEMORY) || sides[0].equals(NODEFS))) {
                throw new IllegalArgumentException("eviction threshold " + part.trim() + " is not SIGNAL<QUANTITY "
                        + "with SIGNAL " + MEMORY + " or " + NODEFS);
            }
            String value = sides[1].trim();
            if (value.endsWith("%")) {
                BigDecimal percent = new BigDecimal(value.substring(0, value.length() - 1));
                if (percent.signum() < 0 || percent.compareTo(BigDecimal.valueOf(100)) > 0) {
                    throw new IllegalArgumentException("eviction threshold " + part.trim() + ": a percentage is "
                            + "between 0 and 100");
                }
                parsed.put(sides[0], new Threshold(value, percent, true));
            } else {
                parsed.put(sides[0], new Threshold(value, Quantity.getAmountInBytes(new Quantity(value)), false));
            }
        }
        return new EvictionThresholds(parsed);
    }
}
