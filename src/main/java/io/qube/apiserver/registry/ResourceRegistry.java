package io.qube.apiserver.registry;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The kinds Qube serves, looked up the ways requests name them. */
public final class ResourceRegistry {

    private final Map<String, ResourceDefinition<?>> byPath = new LinkedHashMap<>();
    private final Map<String, ResourceDefinition<?>> byKind = new LinkedHashMap<>();

    public ResourceRegistry register(ResourceDefinition<?> definition) {
        String path = key(definition.group(), definition.version(), definition.plural());
        if (byPath.putIfAbsent(path, definition) != null) {
            throw new IllegalArgumentException("registered twice: " + path);
        }
        byKind.put(definition.apiVersion() + "/" + definition.kind(), definition);
        return this;
    }

    /** The definition served at {@code /api/v1/<plural>} (group "") or {@code /apis/<group>/<version>/<plural>}. */
    public Optional<ResourceDefinition<?>> find(String group, String version, String plural) {
        return Optional.ofNullable(byPath.get(key(group, version, plural)));
    }

    public Optional<ResourceDefinition<?>> findKind(String apiVersion, String kind) {
        return Optional.ofNullable(byKind.get(apiVersion + "/" + kind));
    }

    public List<ResourceDefinition<?>> all() {
        return List.copyOf(byPath.values());
    }

    /** The non-core API groups, in registration order. */
    public List<String> groups() {
        Set<String> groups = new LinkedHashSet<>();
        for (ResourceDefinition<?> definition : byPath.values()) {
            if (!definition.group().isEmpty()) {
                groups.add(definition.group());
            }
        }
        return List.copyOf(groups);
    }

    /** The versions served for a group ("" for core), preferred first. */
    public List<String> versions(String group) {
        Set<String> versions = new LinkedHashSet<>();
        for (ResourceDefinition<?> definition : byPath.values()) {
            if (definition.group().equals(group)) {
                versions.add(definition.version());
            }
        }
        return List.copyOf(versions);
    }

    public List<ResourceDefinition<?>> inGroupVersion(String group, String version) {
        List<ResourceDefinition<?>> found = new ArrayList<>();
        for (ResourceDefinition<?> definition : byPath.values()) {
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
