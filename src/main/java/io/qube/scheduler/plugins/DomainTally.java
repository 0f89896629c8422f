package io.qube.scheduler.plugins;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Pods per topology domain for one scheduling cycle: counts the snapshot keeps per term or selector, shared
 * read-only and never copied, plus the cycle's own changes (nominated pods, preemption's what-ifs, pods counted one
 * by one). PreFilter then costs the distinct terms rather than the placed pods, and a what-if copies only changes.
 */
final class DomainTally {

    private static final long UNKNOWN = -1;

    /** Per topology key, the snapshot's counts per value of it. */
    private final Map<String, List<Map<String, Integer>>> shared;
    private final Map<TopologyPair, Integer> changes;
    private final Set<String> keys;
    /** Every count added up, once asked for. */
    private long total;

    DomainTally() {
        this(new HashMap<>(), new HashMap<>(), new HashSet<>(), 0);
    }

    private DomainTally(Map<String, List<Map<String, Integer>>> shared, Map<TopologyPair, Integer> changes,
                        Set<String> keys, long total) {
        this.shared = shared;
        this.changes = changes;
        this.keys = keys;
        this.total = total;
    }

    /** Counts the pods of {@code perValue} (per value of {@code key}; kept by the snapshot, not changed here) too. */
    void share(String key, Map<String, Integer> perValue) {
        shared.computeIfAbsent(key, k -> new ArrayList<>()).add(perValue);
        keys.add(key);
        total = UNKNOWN;
    }

    void add(String key, String value, int delta) {
        TopologyPair.add(changes, new TopologyPair(key, value), delta);
        keys.add(key);
        if (total != UNKNOWN) {
            total += delta;
        }
    }

    int count(String key, String value) {
        int count = changes.getOrDefault(new TopologyPair(key, value), 0);
        List<Map<String, Integer>> perValue = shared.get(key);
        if (perValue != null) {
            for (Map<String, Integer> counts : perValue) {
                count += counts.getOrDefault(value, 0);
            }
        }
        return count;
    }

    /** The topology keys with counts (some may have come back to zero). */
    Set<String> keys() {
        return keys;
    }

    /** Whether no domain has a pod counted. */
    boolean none() {
        if (total == UNKNOWN) {
            long sum = 0;
            for (List<Map<String, Integer>> perKey : shared.values()) {
                for (Map<String, Integer> counts : perKey) {
                    for (int count : counts.values()) {
                        sum += count;
                    }
                }
            }
            for (int count : changes.values()) {
                sum += count;
            }
            total = sum;
        }
        return total == 0;
    }

    DomainTally copy() {
        Map<String, List<Map<String, Integer>>> sharedCopy = new HashMap<>();
        shared.forEach((key, perValue) -> sharedCopy.put(key, new ArrayList<>(perValue)));
        return new DomainTally(sharedCopy, TopologyPair.copy(changes), new HashSet<>(keys), total);
    }
}
