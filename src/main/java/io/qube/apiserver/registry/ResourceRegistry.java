package io.qube.apiserver.registry;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The kinds Qube serves, looked up the ways requests name them. The built-in kinds are registered once at start; the
 * custom resources follow the CustomResourceDefinitions and are replaced as a whole. Readers see one immutable
 * snapshot at a time, so a CRD change takes no lock on the request path and never shows a half-built registry.
 */
public final class ResourceRegistry {

    /** One consistent view: built-ins first (in registration order), then custom resources. */
    private record Snapshot(Map<String, ResourceDefinition<?>> byPath, Map<String, ResourceDefinition<?>> byKind,
                            List<ResourceDefinition<?>> ordered, long generation) {

        static Snapshot of(List<ResourceDefinition<?>> builtins, List<ResourceDefinition<?>> custom, long generation) {
            Map<String, ResourceDefinition<?>> byPath = new LinkedHashMap<>();
            Map<String, ResourceDefinition<?>> byKind = new LinkedHashMap<>();
            List<ResourceDefinition<?>> ordered = new ArrayList<>();
            for (ResourceDefinition<?> definition : builtins) {
                ordered.add(definition);
                if (byPath.putIfAbsent(key(definition.group(), definition.version(), definition.plural()),
                        definition) != null) {
                    throw new IllegalArgumentException("registered twice: " + definition.apiVersion() + "/"
                            + definition.plural());
                }
                byKind.put(definition.apiVersion() + "/" + definition.kind(), definition);
            }
            for (ResourceDefinition<?> definition : custom) {
                // A CRD can never shadow a built-in kind (Kubernetes' naming controller refuses such names too).
                if (byPath.putIfAbsent(key(definition.group(), definition.version(), definition.plural()),
                        definition) == null) {
                    ordered.add(definition);
                    byKind.putIfAbsent(definition.apiVersion() + "/" + definition.kind(), definition);
                }
            }
            return new Snapshot(Map.copyOf(byPath), Map.copyOf(byKind), List.copyOf(ordered), generation);
        }
    }

    private final List<ResourceDefinition<?>> builtins = new ArrayList<>();
    private List<ResourceDefinition<?>> custom = List.of();
    private volatile Snapshot snapshot = Snapshot.of(List.of(), List.of(), 0);

    public synchronized ResourceRegistry register(ResourceDefinition<?> definition) {
        builtins.add(definition);
        publish();
        return this;
    }

    /** Replaces the custom resources served: one definition per served version of every established CRD. */
    public synchronized void serveCustom(List<ResourceDefinition<?>> definitions) {
        custom = List.copyOf(definitions);
        publish();
    }

    private void publish() {
        snapshot = Snapshot.of(builtins, custom, snapshot.generation() + 1);
    }

    /** Changes whenever the served kinds change: documents built from the registry are cached per generation. */
    public long generation() {
        return snapshot.generation();
    }

    /** The definition served at {@code /api/v1/<plural>} (group "") or {@code /apis/<group>/<version>/<plural>}. */
    public Optional<ResourceDefinition<?>> find(String group, String version, String plural) {
        return Optional.ofNullable(snapshot.byPath().get(key(group, version, plural)));
    }

    public Optional<ResourceDefinition<?>> findKind(String apiVersion, String kind) {
        return Optional.ofNullable(snapshot.byKind().get(apiVersion + "/" + kind));
    }

    /** Every served kind, in registration order (discovery lists groups in this order). */
    public List<ResourceDefinition<?>> all() {
        return snapshot.ordered();
    }

    /** The non-core API groups, in registration order. */
    public List<String> groups() {
        Set<String> groups = new LinkedHashSet<>();
        for (ResourceDefinition<?> definition : snapshot.ordered()) {
            if (!definition.group().isEmpty()) {
                groups.add(definition.group());
            }
        }
        return List.copyOf(groups);
    }

    /** The versions served for a group ("" for core), preferred first. */
    public List<String> versions(String group) {
        Set<String> versions = new LinkedHashSet<>();
        for (ResourceDefinition<?> definition : snapshot.ordered()) {
            if (definition.group().equals(group)) {
                versions.add(definition.version());
            }
        }
        return versions.stream().sorted(VersionPriority.MOST_PREFERRED_FIRST).toList();
    }

    public List<ResourceDefinition<?>> inGroupVersion(String group, String version) {
        List<ResourceDefinition<?>> found = new ArrayList<>();
        for (ResourceDefinition<?> definition : snapshot.ordered()) {
            if (definition.group().equals(group) && definition.version().equals(version)) {
                found.add(definition);
            }
        }
        return found;
    }

    private static String key(String group, String version, String plural) {
        return group + "/" + version + "/" + plural;
    }
}
