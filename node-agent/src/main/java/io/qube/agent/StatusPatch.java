package io.qube.agent;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * An object's status written as one merge patch of its core/v1 {@code status} subresource (pods, nodes), without
 * decoding the object the API answers with: the agent keeps nothing of it, and decoding it cost the simulated
 * agent about a sixth of its CPU at 10,000 pods.
 */
public final class StatusPatch {

    private StatusPatch() {
    }

    /** @throws KubernetesClientException with the HTTP code (404 when the object is gone) if the write fails */
    public static void write(KubernetesClient client, HasMetadata object) {
        String namespace = object.getMetadata().getNamespace();
        String path = "api/v1/" + (namespace == null ? "" : "namespaces/" + encode(namespace) + "/")
                + HasMetadata.getPlural(object.getClass()) + "/" + encode(object.getMetadata().getName()) + "/status";
        HttpClient http = client.getHttpClient();
        HttpRequest request = http.newHttpRequestBuilder()
                .uri(URI.create(client.getConfiguration().getMasterUrl()).resolve(path))
                .method("PATCH", "application/merge-patch+json", client.getKubernetesSerialization().asJson(object))
                .build();
        HttpResponse<String> response;
        try {
            response = http.sendAsync(request, String.class)
                    .get(client.getConfiguration().getRequestTimeout(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KubernetesClientException("interrupted writing the status of " + path, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new KubernetesClientException("writing the status of " + path + ": " + e.getMessage(), e);
        }
        if (!response.isSuccessful()) {
            throw new KubernetesClientException("writing the status of " + path + ": " + response.code() + " "
                    + response.body(), response.code(), null);
        }
    }

    private static String encode(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8);
    }
}
