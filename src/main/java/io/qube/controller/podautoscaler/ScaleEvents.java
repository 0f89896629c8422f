package io.qube.controller.podautoscaler;

import io.fabric8.kubernetes.api.model.autoscaling.v2.HPAScalingPolicy;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HPAScalingRules;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The rescales each autoscaler with a behavior made recently, in memory as Kubernetes keeps them, from which its
 * scaling policies are applied: a policy limits the change over its period, counted from the size the target had
 * at the period's start. selectPolicy Max takes the policy allowing the largest change, Min the smallest,
 * Disabled none.
 */
final class ScaleEvents {

    private record Change(int replicas, Instant at) {
    }

    private final Map<String, List<Change>> ups = new ConcurrentHashMap<>();
    private final Map<String, List<Change>> downs = new ConcurrentHashMap<>();

    /** Records a rescale; changes older than the rules' longest period are no longer needed and are replaced. */
    void store(String key, HPAScalingRules rules, int previous, int next, Instant now) {
        boolean up = next > previous;
        List<Change> changes = (up ? ups : downs).computeIfAbsent(key, k -> new ArrayList<>());
        Instant cutoff = now.minusSeconds(longestPeriod(rules));
        synchronized (changes) {
            Change change = new Change(Math.abs(next - previous), now);
            int outdated = -1;
            for (int i = 0; i < changes.size(); i++) {
                if (changes.get(i).at().isBefore(cutoff)) {
                    outdated = i;
                }
            }
            if (outdated >= 0) {
                changes.set(outdated, change);
            } else {
                changes.add(change);
            }
        }
    }

    /** The most replicas the scale-up rules allow now. */
    int upLimit(String key, int current, HPAScalingRules rules, Instant now) {
        String select = select(rules);
        if (select.equals("Disabled")) {
            return current;
        }
        boolean min = select.equals("Min");
        int result = min ? Integer.MAX_VALUE : Integer.MIN_VALUE;
        for (HPAScalingPolicy policy : policies(rules)) {
            int start = periodStart(key, current, policy, now);
            int proposed = "Pods".equals(policy.getType()) ? start + policy.getValue()
                    // Rounded up: a small percentage of a few pods must still allow one more.
                    : (int) Math.ceil(start * (1 + policy.getValue() / 100.0));
            result = min ? Math.min(result, proposed) : Math.max(result, proposed);
        }
        return result;
    }

    /** The fewest replicas the scale-down rules allow now. */
    int downLimit(String key, int current, HPAScalingRules rules, Instant now) {
        String select = select(rules);
        if (select.equals("Disabled")) {
            return current;
        }
        boolean min = select.equals("Min");
        int result = min ? Integer.MIN_VALUE : Integer.MAX_VALUE;
        for (HPAScalingPolicy policy : policies(rules)) {
            int start = periodStart(key, current, policy, now);
            int proposed = "Pods".equals(policy.getType()) ? start - policy.getValue()
                    : (int) (start * (1 - policy.getValue() / 100.0));
            result = min ? Math.max(result, proposed) : Math.min(result, proposed);
        }
        return result;
    }

    void forget(String key) {
        ups.remove(key);
        downs.remove(key);
    }

    /** The target's size when the policy's period began: now's, less what was added and plus what was removed. */
    private int periodStart(String key, int current, HPAScalingPolicy policy, Instant now) {
        Instant cutoff = now.minusSeconds(policy.getPeriodSeconds());
        return current - changedSince(ups.get(key), cutoff) + changedSince(downs.get(key), cutoff);
    }

    private static int changedSince(List<Change> changes, Instant cutoff) {
        if (changes == null) {
            return 0;
        }
        synchronized (changes) {
            return changes.stream().filter(c -> c.at().isAfter(cutoff)).mapToInt(Change::replicas).sum();
        }
    }

    private static String select(HPAScalingRules rules) {
        return rules.getSelectPolicy() == null ? "Max" : rules.getSelectPolicy();
    }

    private static List<HPAScalingPolicy> policies(HPAScalingRules rules) {
        return rules.getPolicies() == null ? List.of() : rules.getPolicies();
    }

    private static long longestPeriod(HPAScalingRules rules) {
        return policies(rules).stream().mapToLong(HPAScalingPolicy::getPeriodSeconds).max().orElse(0);
    }
}
