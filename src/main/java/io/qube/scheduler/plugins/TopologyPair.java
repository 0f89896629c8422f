package io.qube.scheduler.plugins;

import java.util.HashMap;
import java.util.Map;

/** One topology domain: a node label key and the value that names the domain (zone=a, hostname=node-1). */
record TopologyPair(String key, String value) {

    static Map<TopologyPair, Integer> copy(Map<TopologyPair, Integer> counts) {
        return new HashMap<>(counts);
    }

    static void add(Map<TopologyPair, Integer> counts, TopologyPair pair, int delta) {
        int next = counts.getOrDefault(pair, 0) + delta;
        if (next == 0) {
            counts.remove(pair);
        } else {
            counts.put(pair, next);
        }
    }
}
