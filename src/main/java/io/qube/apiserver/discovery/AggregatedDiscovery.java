package io.qube.apiserver.discovery;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.qube.apiserver.registry.ResourceDefinition;
import io.qube.apiserver.registry.ResourceRegistry;

import java.util.List;
import java.util.Map;

/**
 * Aggregated discovery (apidiscovery.k8s.io, kind APIGroupDiscoveryList): every group, version and resource in one
 * answer, so kubectl learns the whole API from {@code /api} and {@code /apis} alone.
 */
final class AggregatedDiscovery {

    private final ResourceRegistry registry;

    AggregatedDiscovery(ResourceRegistry registry) {
        this.registry = registry;
    }

    /** {@code /api}: the core group alone. */
    GroupDiscoveryList core(DiscoveryFormat format) {
        return GroupDiscoveryList.of(format, List.of(group("")));
    }

    /** {@code /apis}: every named group. */
    GroupDiscoveryList groups(DiscoveryFormat format) {
        return GroupDiscoveryList.of(format, registry.groups().stream().map(this::group).toList());
    }

    private GroupDiscovery group(String name) {
        List<VersionDiscovery> versions = registry.versions(name).stream()
                .map(version -> VersionDiscovery.current(version, ServedResource.inGroupVersion(registry, name,
                        version).stream().map(AggregatedDiscovery::resource).toList()))
                .toList();
        return new GroupDiscovery(Map.of("name", name), versions);
    }

    private static ResourceDiscovery resource(ServedResource served) {
        ResourceDefinition<?> definition = served.definition();
        List<SubresourceDiscovery> subresources = served.subresources().stream()
                .map(subresource -> new SubresourceDiscovery(subresource.name(),
                        new GroupVersionKind(subresource.group(), subresource.version(), subresource.kind()),
                        subresource.verbs()))
                .toList();
        return new ResourceDiscovery(definition.plural(),
                new GroupVersionKind(definition.group(), definition.version(), definition.kind()),
                definition.namespaced() ? "Namespaced" : "Cluster", definition.singular(), served.verbs(),
                definition.shortNames(), definition.categories(), subresources);
    }

    record GroupDiscoveryList(String kind, String apiVersion, Map<String, String> metadata,
                              List<GroupDiscovery> items) {

        static GroupDiscoveryList of(DiscoveryFormat format, List<GroupDiscovery> items) {
            return new GroupDiscoveryList("APIGroupDiscoveryList", format.apiVersion(), Map.of(), items);
        }
    }

    record GroupDiscovery(Map<String, String> metadata, List<VersionDiscovery> versions) {
    }

    record VersionDiscovery(String version, List<ResourceDiscovery> resources, String freshness) {

        /** Always current: Qube serves every group itself, there is no aggregated server to fall behind. */
        static VersionDiscovery current(String version, List<ResourceDiscovery> resources) {
            return new VersionDiscovery(version, resources, "Current");
        }
    }

    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    record ResourceDiscovery(String resource, GroupVersionKind responseKind, String scope, String singularResource,
                             List<String> verbs, List<String> shortNames, List<String> categories,
                             List<SubresourceDiscovery> subresources) {
    }

    record SubresourceDiscovery(String subresource, GroupVersionKind responseKind, List<String> verbs) {
    }
}
