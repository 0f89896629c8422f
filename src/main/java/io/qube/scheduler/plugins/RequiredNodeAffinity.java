package io.qube.scheduler.plugins;

import io.fabric8.kubernetes.api.model.NodeSelectorRequirement;
import io.fabric8.kubernetes.api.model.NodeSelectorTerm;
import io.fabric8.kubernetes.api.model.Pod;
import io.qube.scheduler.framework.NodeInfo;
import io.qube.client.Selectors;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A pod's hard node constraints: its nodeSelector and its required node affinity terms, both of which must hold. */
record RequiredNodeAffinity(Map<String, String> nodeSelector, List<NodeSelectorTerm> terms) {

    static RequiredNodeAffinity of(Pod pod) {
        var affinity = pod.getSpec().getAffinity();
        var required = affinity == null || affinity.getNodeAffinity() == null ? null
                : affinity.getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution();
        return new RequiredNodeAffinity(pod.getSpec().getNodeSelector() == null ? Map.of() : pod.getSpec().getNodeSelector(),
                required == null ? null : required.getNodeSelectorTerms() == null ? List.of() : required.getNodeSelectorTerms());
    }

    boolean isEmpty() {
        return nodeSelector.isEmpty() && terms == null;
    }

    boolean matches(NodeInfo node) {
        return Selectors.containsAll(nodeSelector, node.labels())
                && (terms == null || Selectors.matchesAnyTerm(terms, node.node()));
    }

    /**
     * The only nodes that can match when every term pins metadata.name with In (how DaemonSets place pods), so
     * Filter need not visit the others; null when the terms do not restrict names that way.
     */
    Set<String> nodeNames() {
        if (terms == null || terms.isEmpty()) {
            return null;
        }
        Set<String> names = new HashSet<>();
        for (NodeSelectorTerm term : terms) {
            Set<String> termNames = null;
            for (NodeSelectorRequirement field : term.getMatchFields() == null ? List.<NodeSelectorRequirement>of() : term.getMatchFields()) {
                if ("metadata.name".equals(field.getKey()) && "In".equals(field.getOperator())) {
                    Set<String> values = new HashSet<>(field.getValues() == null ? List.of() : field.getValues());
                    if (termNames == null) {
                        termNames = values;
                    } else {
                        termNames.retainAll(values);
                    }
                }
            }
            if (termNames == null) {
                return null;
            }
            names.addAll(termNames);
        }
        return names;
    }
}
