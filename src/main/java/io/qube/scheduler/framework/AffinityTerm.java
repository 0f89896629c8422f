package io.qube.scheduler.framework;

import io.qube.client.Selectors;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.PodAffinityTerm;

import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * A pod (anti-)affinity term resolved against the pod that carries it: which namespaces it looks in (its
 * own when it names none and has no namespace selector), which pods it selects there, and over which topology.
 */
public record AffinityTerm(Set<String> namespaces, LabelSelector namespaceSelector, LabelSelector selector,
                           String topologyKey, int weight) {

    public static AffinityTerm of(PodAffinityTerm term, String ownNamespace, int weight) {
        Set<String> namespaces = term.getNamespaces() == null || term.getNamespaces().isEmpty()
                ? (term.getNamespaceSelector() == null ? Set.of(ownNamespace) : Set.of())
                : Set.copyOf(term.getNamespaces());
        return new AffinityTerm(namespaces, term.getNamespaceSelector(), term.getLabelSelector(),
                term.getTopologyKey(), weight);
    }

    /** Whether {@code pod} is one this term selects, given how to find a namespace's labels. */
    public boolean matches(PodInfo pod, Function<String, Map<String, String>> namespaceLabels) {
        if (!namespaces.contains(pod.namespace())
                && (namespaceSelector == null || !Selectors.matches(namespaceSelector, namespaceLabels.apply(pod.namespace())))) {
            return false;
        }
        return Selectors.matches(selector, pod.labels());
    }
}
