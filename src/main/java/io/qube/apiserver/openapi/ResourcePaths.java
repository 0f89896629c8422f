package io.qube.apiserver.openapi;

import io.fabric8.kubernetes.api.model.DeleteOptions;
import io.fabric8.kubernetes.api.model.Status;
import io.qube.apiserver.discovery.GroupVersionKind;
import io.qube.apiserver.discovery.ServedResource;
import io.qube.apiserver.discovery.Subresource;
import io.qube.apiserver.openapi.Operation.Body;
import io.qube.apiserver.registry.ResourceDefinition;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The paths and operations of one served resource, named and shaped as Kubernetes names them (operation ids such as
 * {@code patchCoreV1NamespacedPod}), derived from the same verbs and subresources that discovery lists.
 */
final class ResourcePaths {

    private final ResourceDefinition<?> definition;
    private final GroupVersionKind gvk;
    private final String idInfix;

    private ResourcePaths(ResourceDefinition<?> definition) {
        this.definition = definition;
        this.gvk = new GroupVersionKind(definition.group(), definition.version(), definition.kind());
        this.idInfix = groupVersionId(definition.group(), definition.version());
    }

    static List<PathItem> of(ServedResource served) {
        return new ResourcePaths(served.definition()).paths(served);
    }

    private List<PathItem> paths(ServedResource served) {
        String root = definition.group().isEmpty() ? "/api/" + definition.version()
                : "/apis/" + definition.group() + "/" + definition.version();
        String scope = definition.namespaced() ? "Namespaced" : "";
        String collection = root + (definition.namespaced() ? "/namespaces/{namespace}/" : "/") + definition.plural();
        List<String> collectionParameters = definition.namespaced() ? List.of("namespace") : List.of();
        List<String> objectParameters = definition.namespaced() ? List.of("namespace", "name") : List.of("name");
        Class<?> type = definition.type();
        List<String> verbs = served.verbs();

        List<PathItem> paths = new ArrayList<>();
        if (definition.namespaced() && verbs.contains("list")) {
            paths.add(new PathItem(root + "/" + definition.plural(), List.of(), List.of(
                    new Operation("get", "list", "list" + idInfix + definition.kind() + "ForAllNamespaces", gvk,
                            QueryParameter.LIST, Body.NONE, null, listType()))));
        }
        List<Operation> onCollection = new ArrayList<>();
        String collectionId = idInfix + scope + definition.kind();
        if (verbs.contains("list")) {
            onCollection.add(new Operation("get", "list", "list" + collectionId, gvk, QueryParameter.LIST,
                    Body.NONE, null, listType()));
        }
        if (verbs.contains("create")) {
            onCollection.add(new Operation("post", "post", "create" + collectionId, gvk, QueryParameter.WRITE,
                    Body.OBJECT, type, type));
        }
        if (verbs.contains("deletecollection")) {
            onCollection.add(new Operation("delete", "deletecollection", "delete" + idInfix + "Collection" + scope
                    + definition.kind(), gvk, QueryParameter.DELETE_COLLECTION, Body.DELETE_OPTIONS,
                    DeleteOptions.class, Status.class));
        }
        paths.add(new PathItem(collection, collectionParameters, onCollection));

        List<Operation> onObject = objectOperations(verbs, gvk, type, collectionId);
        if (verbs.contains("delete")) {
            onObject.add(new Operation("delete", "delete", "delete" + collectionId, gvk, QueryParameter.DELETE,
                    Body.DELETE_OPTIONS, DeleteOptions.class, type));
        }
        if (!onObject.isEmpty()) {
            paths.add(new PathItem(collection + "/{name}", objectParameters, onObject));
        }
        for (Subresource subresource : served.subresources()) {
            GroupVersionKind subresourceKind =
                    new GroupVersionKind(subresource.group(), subresource.version(), subresource.kind());
            List<Operation> operations = objectOperations(subresource.verbs(), subresourceKind, subresource.type(),
                    collectionId + capitalize(subresource.name()));
            // On a subresource, create is a POST to the object's own path (pods/{name}/binding).
            if (subresource.verbs().contains("create")) {
                operations.add(new Operation("post", "post", "create" + collectionId
                        + capitalize(subresource.name()), subresourceKind, QueryParameter.WRITE, Body.OBJECT,
                        subresource.type(), subresource.type()));
            }
            paths.add(new PathItem(collection + "/{name}/" + subresource.name(), objectParameters, operations));
        }
        return paths;
    }

    /** The read, replace and patch operations on one object (or one object's subresource). */
    private static List<Operation> objectOperations(List<String> verbs, GroupVersionKind gvk, Class<?> type,
                                                    String idSuffix) {
        List<Operation> operations = new ArrayList<>();
        if (verbs.contains("get")) {
            operations.add(new Operation("get", "get", "read" + idSuffix, gvk, List.of(), Body.NONE, null, type));
        }
        if (verbs.contains("update")) {
            operations.add(new Operation("put", "put", "replace" + idSuffix, gvk, QueryParameter.WRITE,
                    Body.OBJECT, type, type));
        }
        if (verbs.contains("patch")) {
            operations.add(new Operation("patch", "patch", "patch" + idSuffix, gvk, QueryParameter.PATCH,
                    Body.PATCH, null, type));
        }
        return operations;
    }

    private Class<?> listType() {
        String name = definition.type().getName() + "List";
        try {
            return Class.forName(name, false, definition.type().getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(definition.kind() + " is listable but fabric8 has no " + name, e);
        }
    }

    /** Kubernetes' operation-id spelling of a group version: "" v1 is CoreV1, coordination.k8s.io v1 is CoordinationV1. */
    private static String groupVersionId(String group, String version) {
        if (group.isEmpty()) {
            return "Core" + capitalize(version);
        }
        StringBuilder id = new StringBuilder();
        for (String part : group.replaceFirst("\\.k8s\\.io$", "").split("\\.")) {
            id.append(capitalize(part));
        }
        return id.append(capitalize(version)).toString();
    }

    private static String capitalize(String word) {
        return word.isEmpty() ? word : word.substring(0, 1).toUpperCase(Locale.ROOT) + word.substring(1);
    }
}
