package io.qube.apiserver.patch;

import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.DeploymentSpec;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The strategic-merge metadata of a field as Kubernetes' schemas publish it ({@code x-kubernetes-patch-strategy},
 * {@code x-kubernetes-patch-merge-key}), derived from the same table the server merges with, so that what kubectl
 * computes from the schema and what the server does with it cannot drift apart.
 */
public final class PatchMetadata {

    /** A field's strategy: "merge", "retainKeys" or "merge,retainKeys"; the merge key for lists of objects. */
    public record Strategy(String strategy, String mergeKey) {
    }

    /** Fields whose patches carry {@code $retainKeys}: setting one member of a union clears the others. */
    private static final Map<Class<?>, Set<String>> RETAIN_KEYS = Map.of(
            PodSpec.class, Set.of("volumes", "resourceClaims"),
            DeploymentSpec.class, Set.of("strategy"));

    private PatchMetadata() {
    }

    public static Optional<Strategy> of(Class<?> owner, String field) {
        ListStrategy list = ListStrategies.of(owner, field);
        boolean merge = list.kind() != ListStrategy.Kind.ATOMIC;
        boolean retainKeys = RETAIN_KEYS.getOrDefault(owner, Set.of()).contains(field);
        if (!merge && !retainKeys) {
            return Optional.empty();
        }
        String strategy = merge && retainKeys ? "merge,retainKeys" : merge ? "merge" : "retainKeys";
        return Optional.of(new Strategy(strategy, list.kind() == ListStrategy.Kind.MAP ? list.mergeKey() : null));
    }
}
