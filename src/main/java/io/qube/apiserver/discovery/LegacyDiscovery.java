package io.qube.apiserver.discovery;

import io.fabric8.kubernetes.api.model.APIGroup;
import io.fabric8.kubernetes.api.model.APIGroupBuilder;
import io.fabric8.kubernetes.api.model.APIGroupList;
import io.fabric8.kubernetes.api.model.APIGroupListBuilder;
import io.fabric8.kubernetes.api.model.APIResource;
import io.fabric8.kubernetes.api.model.APIResourceBuilder;
import io.fabric8.kubernetes.api.model.APIResourceList;
import io.fabric8.kubernetes.api.model.APIResourceListBuilder;
import io.fabric8.kubernetes.api.model.APIVersions;
import io.fabric8.kubernetes.api.model.APIVersionsBuilder;
import io.fabric8.kubernetes.api.model.GroupVersionForDiscovery;
import io.fabric8.kubernetes.api.model.ServerAddressByClientCIDR;
import io.qube.apiserver.registry.ResourceDefinition;
import io.qube.apiserver.registry.ResourceRegistry;

import java.util.ArrayList;
import java.util.List;

/**
 * The discovery documents every client understands (APIVersions, APIGroupList, APIGroup, APIResourceList): the only
 * form fabric8 reads, and kubectl's fallback when it gets no aggregated discovery.
 */
final class LegacyDiscovery {

    private final ResourceRegistry registry;

    LegacyDiscovery(ResourceRegistry registry) {
        this.registry = registry;
    }

    /**
     * {@code /api}: the versions of the core group, and the address clients should use for the server.
     *
     * @param serverAddress the host:port this request reached the server at
     */
    APIVersions coreVersions(String serverAddress) {
        return new APIVersionsBuilder().withVersions(registry.versions(""))
                .withServerAddressByClientCIDRs(everyClient(serverAddress)).build();
    }

    /** {@code /apis}: every named group, each with the server's address, as Kubernetes' root handler fills it in. */
    APIGroupList groups(String serverAddress) {
        return new APIGroupListBuilder().withGroups(registry.groups().stream()
                .map(name -> new APIGroupBuilder(group(name))
                        .withServerAddressByClientCIDRs(everyClient(serverAddress)).build())
                .toList()).build();
    }

    /**
     * Kubernetes answers with its advertised address for every client network (0.0.0.0/0); Qube has no advertised
     * address of its own, so it names the one the client reached.
     */
    private static List<ServerAddressByClientCIDR> everyClient(String serverAddress) {
        return List.of(new ServerAddressByClientCIDR("0.0.0.0/0", serverAddress));
    }

    /** {@code /apis/<group>}. */
    APIGroup group(String name) {
        List<GroupVersionForDiscovery> versions = registry.versions(name).stream()
                .map(version -> new GroupVersionForDiscovery(name + "/" + version, version))
                .toList();
        return new APIGroupBuilder().withName(name).withVersions(versions).withPreferredVersion(versions.get(0)).build();
    }

    /** {@code /api/v1} or {@code /apis/<group>/<version>}: each resource, then its subresources. */
    APIResourceList resources(String group, String version) {
        List<APIResource> resources = new ArrayList<>();
        for (ServedResource served : ServedResource.inGroupVersion(registry, group, version)) {
            ResourceDefinition<?> definition = served.definition();
            resources.add(new APIResourceBuilder()
                    .withName(definition.plural())
                    .withSingularName(definition.singular())
                    .withNamespaced(definition.namespaced())
                    .withKind(definition.kind())
                    .withVerbs(served.verbs())
                    .withShortNames(definition.shortNames())
                    .withCategories(definition.categories())
                    .build());
            // After their resource: fabric8 takes the first entry of a kind as the kind's resource.
            for (Subresource subresource : served.subresources()) {
                resources.add(subresourceEntry(definition, subresource));
            }
        }
        String groupVersion = group.isEmpty() ? version : group + "/" + version;
        return new APIResourceListBuilder().withGroupVersion(groupVersion).withResources(resources).build();
    }

    private static APIResource subresourceEntry(ResourceDefinition<?> owner, Subresource subresource) {
        APIResourceBuilder entry = new APIResourceBuilder()
                .withName(owner.plural() + "/" + subresource.name())
                .withSingularName("")
                .withNamespaced(owner.namespaced())
                .withKind(subresource.kind())
                .withVerbs(subresource.verbs());
        // Kubernetes names the group and version only where they differ from the owner's, as for scale.
        if (!subresource.apiVersion().equals(owner.apiVersion())) {
            entry.withGroup(subresource.group()).withVersion(subresource.version());
        }
        return entry.build();
    }
}
