package io.qube.scheduler.framework;

import java.util.Collections;
import java.util.HashMap;
import java.util.Map;

/**
 * The snapshot's placed pods' required anti-affinity terms, each distinct term once with how many pods carry it per
 * value of its topology key. The replicas of one workload share one term, so a cycle matches the pod to schedule
 * against a handful of terms instead of against every placed pod's. Kept exact node by node as the snapshot changes.
 */
final class AntiAffinityTerms {

    private final Map<AffinityTerm, Map<String, Integer>> perDomain = new HashMap<>();
    private final Map<AffinityTerm, Map<String, Integer>> view = Collections.unmodifiableMap(perDomain);

    /** Adds ({@code sign} 1) or takes away (-1) the terms of {@code node}'s pods, in the node's domains. */
    void account(NodeInfo node, int sign) {
        for (PodInfo pod : node.podsWithRequiredAntiAffinity()) {
            for (AffinityTerm term : pod.requiredAntiAffinity()) {
                String value = node.labels().get(term.topologyKey());
                if (value != null) {
                    add(term, value, sign);
                }
            }
        }
    }

    private void add(AffinityTerm term, String value, int delta) {
        Map<String, Integer> values = perDomain.computeIfAbsent(term, t -> new HashMap<>());
        int next = values.getOrDefault(value, 0) + delta;
        if (next != 0) {
            values.put(value, next);
            return;
        }
        values.remove(value);
        if (values.isEmpty()) {
            perDomain.remove(term);
        }
    }

    /** Read-only; the inner maps hold only domains with pods and must not be changed either. */
    Map<AffinityTerm, Map<String, Integer>> view() {
        return view;
    }
}
