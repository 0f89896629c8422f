package io.qube.client;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpRequest;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;

/**
 * Writes to the API without blocking a thread and without decoding the answer: the scheduler and controllers make
 * many small writes (bindings, status patches, events) whose answers they do not need, since their informers bring
 * the result anyway.
 */
public final class ApiRequests {

    private final KubernetesClient client;
    private final HttpClient http;
    private final URI base;

    public ApiRequests(KubernetesClient client) {
        this.client = client;
        this.http = client.getHttpClient();
        this.base = URI.create(client.getConfiguration().getMasterUrl());
    }

    /** Completes when the API accepted the write; fails with a KubernetesClientException carrying its code. */
    public CompletableFuture<Void> send(String method, String path, String contentType, String body) {
        HttpRequest request = http.newHttpRequestBuilder().uri(base.resolve(path)).method(method, contentType, body)
                .build();
        return http.sendAsync(request, String.class).thenApply(response -> {
            if (!response.isSuccessful()) {
                throw new KubernetesClientException(method + " " + path + ": " + response.code() + " " + response.body(),
                        response.code(), null);
            }
            return null;
        });
    }

    public String json(Object value) {
        return client.getKubernetesSerialization().asJson(value);
    }

    /** The path of a namespaced core/v1 object, or of its subresource when one is given. */
    public static String corePath(String namespace, String plural, String name, String subresource) {
        return "api/v1/namespaces/" + encode(namespace) + "/" + plural + (name == null ? "" : "/" + encode(name))
                + (subresource == null ? "" : "/" + subresource);
    }

    /** The path of a cluster-scoped core/v1 object. */
    public static String corePath(String plural, String name) {
        return "api/v1/" + plural + "/" + encode(name);
    }

    private static String encode(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8);
    }
}
