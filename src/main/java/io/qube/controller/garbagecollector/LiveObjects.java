package io.qube.controller.garbagecollector;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.qube.client.ApiRequests;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletionException;
import java.util.function.Predicate;

/**
 * The collector's reads and writes against the API itself, never its caches: an owner is declared gone only when
 * the API says so, and every write is conditional on the object being the one the collector judged (its uid, or
 * its resourceVersion). Objects are read and written untyped, whatever their kind, built-in or custom: the
 * collector only touches their metadata, and an untyped object goes back as it came.
 */
final class LiveObjects {

    private static final int ATTEMPTS = 5;

    private final KubernetesClient client;
    private final ApiRequests requests;

    LiveObjects(KubernetesClient client) {
        this.client = client;
        this.requests = new ApiRequests(client);
    }

    /** The object of this kind and name as the API has it now, or null. */
    HasMetadata get(ResourceDefinitionContext kind, String namespace, String name) {
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
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            GenericKubernetesResource live = resource(node.kind(), node.namespace(), node.name()).get();
            if (live == null || !node.uid().equals(live.getMetadata().getUid()) || !change.test(live)) {
                return;
            }
            try {
                // The read's resourceVersion rides along: a change in between is a 409, not a lost update.
                objects(node.kind(), node.namespace()).resource(live).update();
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

    private Resource<GenericKubernetesResource> resource(ResourceDefinitionContext kind, String namespace,
                                                         String name) {
        return objects(kind, namespace).withName(name);
    }

    private NonNamespaceOperation<GenericKubernetesResource, GenericKubernetesResourceList,
            Resource<GenericKubernetesResource>> objects(ResourceDefinitionContext kind, String namespace) {
        return kind.isNamespaceScoped() ? client.genericKubernetesResources(kind).inNamespace(namespace)
                : client.genericKubernetesResources(kind);
    }

    private static String path(GraphNode node) {
        ResourceDefinitionContext kind = node.kind();
        String group = kind.getGroup();
        StringBuilder path = new StringBuilder(group == null || group.isEmpty() ? "api/" : "apis/" + group + "/")
                .append(kind.getVersion());
        if (kind.isNamespaceScoped()) {
            path.append("/namespaces/").append(encode(node.namespace()));
        }
        return path.append('/').append(kind.getPlural()).append('/').append(encode(node.name())).toString();
    }

    private static String encode(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8);
    }
}
