package io.qube.apiserver;

import io.qube.apiserver.registry.ResourceDefinition;
import io.qube.apiserver.registry.ResourceRegistry;

import java.util.Set;

/**
 * What an object request addresses, parsed from its path as Kubernetes does: the group and version, the resource
 * (its definition), an optional namespace, name and subresource.
 *
 * <p>Paths below the group-version prefix: {@code <plural>[/<name>[/<sub>]]} and
 * {@code namespaces/<ns>/<plural>[/<name>[/<sub>]]}, where {@code namespaces/<ns>/status} and
 * {@code namespaces/<ns>/finalize} are the namespace's own subresources. The legacy prefix {@code watch/} makes the
 * request a watch.
 */
public record RequestInfo(ResourceDefinition<?> definition, String namespace, String name, String subresource,
                          boolean legacyWatch) {

    private static final Set<String> NAMESPACE_SUBRESOURCES = Set.of("status", "finalize");

    /**
     * @param rest the path after {@code /api/v1/} or {@code /apis/<group>/<version>/}, without leading slash
     * @throws ApiException 404 when the path names no served resource
     */
    public static RequestInfo parse(String group, String version, String rest, ResourceRegistry registry) {
        String[] parts = rest.isEmpty() ? new String[0] : rest.split("/", -1);
        int i = 0;
        boolean watch = false;
        if (parts.length > 0 && parts[0].equals("watch")) {
            watch = true;
            i++;
        }
        String namespace = null;
        if (parts.length - i >= 3 && parts[i].equals("namespaces") && !NAMESPACE_SUBRESOURCES.contains(parts[i + 2])) {
            namespace = parts[i + 1];
            i += 2;
        }
        if (parts.length - i < 1 || parts.length - i > 3) {
            throw notFound(group, version, rest);
        }
        for (int p = i; p < parts.length; p++) {
            if (parts[p].isEmpty()) {
                throw notFound(group, version, rest);
            }
        }
        String plural = parts[i];
        ResourceDefinition<?> definition = registry.find(group, version, plural)
                .orElseThrow(() -> notFound(group, version, rest));
        String name = parts.length - i >= 2 ? parts[i + 1] : null;
        String subresource = parts.length - i == 3 ? parts[i + 2] : null;
        if (definition.namespaced() == (namespace == null) && !(definition.namespaced() && name == null)) {
            // A namespaced object must be addressed in its namespace; a cluster-scoped one never is.
            throw notFound(group, version, rest);
        }
        return new RequestInfo(definition, namespace, name, subresource, watch);
    }

    private static ApiException notFound(String group, String version, String rest) {
        String prefix = group.isEmpty() ? "/api/" + version : "/apis/" + group + "/" + version;
        return new ApiException(404, "NotFound", "the server could not find the requested resource (" + prefix + "/"
                + rest + ")", null, null, null, null);
    }

    /** The namespace to store an object in: its request namespace, or "" for cluster-scoped kinds. */
    public String storeNamespace() {
        return namespace == null ? "" : namespace;
    }
}
