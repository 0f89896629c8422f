package io.qube.authorization;

/**
 * One request as an authorizer sees it: a verb on a resource (group, resource, optional subresource and name, in a
 * namespace or cluster-wide when namespace is empty), or a verb on a non-resource path such as {@code /healthz}.
 */
public record Attributes(boolean resourceRequest, String verb, String namespace, String apiGroup, String resource,
                         String subresource, String name, String path) {

    public Attributes {
        verb = orEmpty(verb);
        namespace = orEmpty(namespace);
        apiGroup = orEmpty(apiGroup);
        resource = orEmpty(resource);
        subresource = orEmpty(subresource);
        name = orEmpty(name);
        path = orEmpty(path);
    }

    public static Attributes resource(String verb, String namespace, String apiGroup, String resource,
                                      String subresource, String name) {
        return new Attributes(true, verb, namespace, apiGroup, resource, subresource, name, "");
    }

    public static Attributes nonResource(String verb, String path) {
        return new Attributes(false, verb, "", "", "", "", "", path);
    }

    private static String orEmpty(String value) {
        return value == null ? "" : value;
    }
}
