package io.qube.controller.garbagecollector;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.qube.client.ApiRequests;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletionException;
import java.util.function.Predicate;

/**
 * The collector's reads and writes against the API itself, never its caches: an owner is declared gone only when
 * the API says so, and every write is conditional on the object being the one the collector judged (its uid, or
 * its resourceVersion).
 */
final class LiveObjects {

    private static final int ATTEMPTS = 5;

    private final KubernetesClient client;
    private final ApiRequests requests;

    LiveObjects(KubernetesClient client) {
        this.client = client;
        this.requests = new ApiRequests(client);
    }

    static boolean namespaced(Class<? extends HasMetadata> kind) {
        return Namespaced.class.isAssignableFrom(kind);
    }

    /** The object of this kind and name as the API has it now, or null. */
    <T extends HasMetadata> T get(Class<T> kind, String namespace, String name) {
        return resource(kind, namespace, name).get();
    }

    /**
     * Deletes the object with this propagation policy if it is still the one with this uid; gone already, or
     * replaced by another of the same name, is fine.
     */
    void delete(GraphNode node, String propagationPolicy) {
        String body = "{\"apiVersion\":\"v1\",\"kind\":\"DeleteOptions\",\"propagationPolicy\":\"" + propagationPolicy
                + "\",\"preconditions\":{\"uid\":\"" + node.uid() + "\"}}";
        try {
            requests.send("DELETE", path(node), "application/json", body).join();
        } catch (CompletionException e) {
            if (!(e.getCause() instanceof KubernetesClientException api) || api.getCode() != 404
                    && api.getCode() != 409) {
                throw e;
            }
        }
    }

    /**
     * Changes the live object if it is still the one with the node's uid: {@code change} edits it in place and says
     * whether it changed anything; the update is pinned to the version read, and a conflict reads again.
     */
    void edit(GraphNode node, Predicate<HasMetadata> change) {
        edit(node.kind(), node, change);
    }

    private <T extends HasMetadata> void edit(Class<T> kind, GraphNode node, Predicate<HasMetadata> change) {
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            T live = get(kind, node.namespace(), node.name());
            if (live == null || !node.uid().equals(live.getMetadata().getUid()) || !change.test(live)) {
                return;
            }
            try {
                // The read's resourceVersion rides along: a change in between is a 409, not a lost update.
                (namespaced(kind) ? client.resources(kind).inNamespace(node.namespace()) : client.resources(kind))
                        .resource(live).update();
                return;
            } catch (KubernetesClientException e) {
                if (e.getCode() == 404) {
                    return;
                }
                if (e.getCode() != 409) {
                    throw e;
                }
            }
        }
        throw new IllegalStateException(node + " kept changing while the garbage collector edited it");
    }

    private <T extends HasMetadata> Resource<T> resource(Class<T> kind, String namespace, String name) {
        return namespaced(kind) ? client.resources(kind).inNamespace(namespace).withName(name)
                : client.resources(kind).withName(name);
    }

    private static String path(GraphNode node) {
        String apiVersion = HasMetadata.getApiVersion(node.kind());
        StringBuilder path = new StringBuilder(apiVersion.contains("/") ? "apis/" : "api/").append(apiVersion);
        if (namespaced(node.kind())) {
            path.append("/namespaces/").append(encode(node.namespace()));
        }
        return path.append('/').append(HasMetadata.getPlural(node.kind())).append('/').append(encode(node.name()))
                .toString();
    }

    private static String encode(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8);
    }
}
