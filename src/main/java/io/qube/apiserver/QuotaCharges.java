package io.qube.apiserver;

import java.math.BigDecimal;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one write request has charged to each quota so far. A request may be admitted several times (an update
 * retried after a conflict, a Service whose address was taken meanwhile): each attempt charges only what earlier
 * ones did not, so a retry neither pays twice nor is refused for its own earlier charge.
 */
final class QuotaCharges {

    private final Map<String, Map<String, BigDecimal>> byQuota = new HashMap<>();

    /** The part of {@code usage} not yet charged to the quota (by its uid), each resource more than nothing. */
    synchronized Map<String, BigDecimal> remaining(String quota, Map<String, BigDecimal> usage) {
        Map<String, BigDecimal> charged = byQuota.getOrDefault(quota, Map.of());
        Map<String, BigDecimal> remaining = new LinkedHashMap<>();
        usage.forEach((resource, amount) -> {
            BigDecimal left = amount.subtract(charged.getOrDefault(resource, BigDecimal.ZERO));
            if (left.signum() > 0) {
                remaining.put(resource, left);
            }
        });
        return remaining;
    }

    synchronized void charged(String quota, Map<String, BigDecimal> amounts) {
        Map<String, BigDecimal> charged = byQuota.computeIfAbsent(quota, q -> new HashMap<>());
        amounts.forEach((resource, amount) -> charged.merge(resource, amount, BigDecimal::add));
    }
}
