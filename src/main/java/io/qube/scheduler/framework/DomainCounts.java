package io.qube.scheduler.framework;

import io.fabric8.kubernetes.api.model.LabelSelector;

import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;

/**
 * The snapshot's counts of selected pods per topology domain, for topology spreading and pod (anti-)affinity: built
 * from every node the first time a (namespace, selector, topology key, whether terminating pods count) is asked for, then kept up to date node by node as the snapshot
 * changes, so a cycle reads them instead of counting every pod on every node. Counts are dropped whenever nodes
 * come, go or change labels, and when too many kinds of selector have been asked for.
 */
final class DomainCounts {

    private static final int MAX_ENTRIES = 64;

    private record Key(String namespace, LabelSelector selector, String topologyKey, boolean withTerminating) {
    }

    private final Map<Key, Map<String, Integer>> entries = new HashMap<>();
    private final Map<String, Integer> nodesWithLabel = new HashMap<>();

    Map<String, Integer> get(Collection<NodeInfo> nodes, String namespace, LabelSelector selector, String topologyKey,
                             boolean withTerminating) {
        Key key = new Key(namespace, selector, topologyKey, withTerminating);
        Map<String, Integer> counts = entries.get(key);
        if (counts == null) {
            if (entries.size() >= MAX_ENTRIES) {
                entries.clear();
            }
            counts = new HashMap<>();
            for (NodeInfo node : nodes) {
                String value = node.labels().get(topologyKey);
                if (value != null) {
                    counts.merge(value, node.countMatching(namespace, selector, withTerminating), Integer::sum);
                }
            }
            entries.put(key, counts);
        }
        return Collections.unmodifiableMap(counts);
    }

    int nodesWithLabel(Collection<NodeInfo> nodes, String labelKey) {
        Integer count = nodesWithLabel.get(labelKey);
        if (count == null) {
            count = (int) nodes.stream().filter(node -> node.labels().containsKey(labelKey)).count();
            nodesWithLabel.put(labelKey, count);
        }
        return count;
    }

    /** Adds ({@code sign} 1) or takes away (-1) what {@code node}'s pods count for in every kept count. */
    void account(NodeInfo node, int sign) {
        for (Map.Entry<Key, Map<String, Integer>> entry : entries.entrySet()) {
            Key key = entry.getKey();
            if (!node.namespaces().contains(key.namespace())) {
                continue;
            }
            String value = node.labels().get(key.topologyKey());
            int matching = value == null ? 0 : node.countMatching(key.namespace(), key.selector(), key.withTerminating());
            if (matching != 0) {
                entry.getValue().merge(value, sign * matching, Integer::sum);
            }
        }
    }

    void clear() {
        entries.clear();
        nodesWithLabel.clear();
    }
}
