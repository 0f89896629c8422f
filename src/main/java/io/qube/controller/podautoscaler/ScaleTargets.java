package io.qube.controller.podautoscaler;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.autoscaling.v1.Scale;
import io.fabric8.kubernetes.api.model.autoscaling.v2.CrossVersionObjectReference;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The scale subresource of whatever an autoscaler targets, reached as Kubernetes' scale client does: the target's
 * apiVersion and kind are mapped to a resource through discovery (so Deployments, ReplicaSets, StatefulSets and
 * custom resources with a scale subresource all work), then its {@code .../scale} is read and replaced.
 */
final class ScaleTargets {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    /** A scale target could not be read or written; the message says why in Kubernetes' words. */
    static final class ScaleFailed extends Exception {
        ScaleFailed(String message) {
            super(message);
        }
    }

    /** A target's scale and the path it was read from, where an update goes. */
    record Found(Scale scale, String path) {
    }

    private final KubernetesClient client;
    private final HttpClient http;
    private final URI base;
    /** Kind to plural resource name, per group/version, from discovery; refreshed when a kind is not in it. */
    private final Map<String, Map<String, String>> resources = new ConcurrentHashMap<>();

    ScaleTargets(KubernetesClient client) {
        this.client = client;
        this.http = client.getHttpClient();
        this.base = URI.create(client.getConfiguration().getMasterUrl());
    }

    Found get(String namespace, CrossVersionObjectReference ref) throws ScaleFailed {
        String groupVersion = ref.getApiVersion() == null ? "" : ref.getApiVersion();
        if (groupVersion.isEmpty() || groupVersion.chars().filter(c -> c == '/').count() > 1) {
            throw new ScaleFailed("unexpected GroupVersion string: " + groupVersion);
        }
        String plural = plural(groupVersion, ref.getKind());
        String path = (groupVersion.contains("/") ? "apis/" : "api/") + groupVersion + "/namespaces/"
                + encode(namespace) + "/" + plural + "/" + encode(ref.getName()) + "/scale";
        HttpResponse<String> response = send("GET", path, null);
        if (!response.isSuccessful()) {
            throw new ScaleFailed(message(response));
        }
        return new Found(client.getKubernetesSerialization().unmarshal(response.body(), Scale.class), path);
    }

    void update(Found found, int replicas) throws ScaleFailed {
        Scale scale = found.scale();
        scale.getSpec().setReplicas(replicas);
        HttpResponse<String> response = send("PUT", found.path(), client.getKubernetesSerialization().asJson(scale));
        if (!response.isSuccessful()) {
            throw new ScaleFailed(message(response));
        }
    }

    private String plural(String groupVersion, String kind) throws ScaleFailed {
        String known = resources.getOrDefault(groupVersion, Map.of()).get(kind);
        if (known != null) {
            return known;
        }
        HttpResponse<String> response = send("GET", (groupVersion.contains("/") ? "apis/" : "api/") + groupVersion,
                null);
        Map<String, String> byKind = new HashMap<>();
        if (response.isSuccessful()) {
            for (JsonNode resource : read(response).path("resources")) {
                String name = resource.path("name").asText();
                if (!name.contains("/")) {
                    byKind.put(resource.path("kind").asText(), name);
                }
            }
            resources.put(groupVersion, Map.copyOf(byKind));
        }
        String plural = byKind.get(kind);
        if (plural == null) {
            String group = groupVersion.contains("/") ? groupVersion.substring(0, groupVersion.indexOf('/')) : "";
            throw new ScaleFailed("no matches for kind \"" + kind + "\" in group \"" + group + "\"");
        }
        return plural;
    }

    private HttpResponse<String> send(String method, String path, String body) throws ScaleFailed {
        HttpRequest.Builder request = http.newHttpRequestBuilder().uri(base.resolve(path))
                .header("Accept", "application/json");
        if (body != null) {
            request.method(method, "application/json", body);
        }
        try {
            return http.sendAsync(request.build(), String.class).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ScaleFailed("interrupted");
        } catch (ExecutionException | TimeoutException e) {
            throw new ScaleFailed(String.valueOf(e.getMessage()));
        }
    }

    /** The API's own message from its Status answer. */
    private static String message(HttpResponse<String> response) {
        return read(response).path("message").asText("the server responded with status " + response.code());
    }

    private static JsonNode read(HttpResponse<String> response) {
        try {
            return JSON.readTree(response.body() == null ? "{}" : response.body());
        } catch (IOException e) {
            return JSON.createObjectNode();
        }
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }
}
