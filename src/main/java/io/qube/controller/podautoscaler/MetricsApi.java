package io.qube.controller.podautoscaler;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Pods' usage from the metrics.k8s.io/v1beta1 PodMetrics of the API, as Kubernetes' resource metrics client reads
 * it: one list by the scale's selector; a pod counts only when every one of its containers reports the resource.
 * The answer is read as JSON, so nothing here depends on which process serves that API.
 */
final class MetricsApi implements PodMetricsSource {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final Pattern DURATION_PART = Pattern.compile("([0-9]*\\.?[0-9]+)(ns|us|µs|ms|s|m|h)");

    private final HttpClient http;
    private final URI base;

    MetricsApi(KubernetesClient client) {
        this.http = client.getHttpClient();
        this.base = URI.create(client.getConfiguration().getMasterUrl());
    }

    @Override
    public PodUsage resourceUsage(String namespace, String selector, String resource) throws MetricsUnavailable {
        JsonNode list = get("apis/metrics.k8s.io/v1beta1/namespaces/" + encode(namespace) + "/pods?labelSelector="
                + encode(selector));
        JsonNode items = list.path("items");
        if (!items.isArray() || items.isEmpty()) {
            throw new MetricsUnavailable("no metrics returned from resource metrics API");
        }
        Map<String, PodMetric> byPod = new HashMap<>();
        for (JsonNode item : items) {
            sum(item, resource).ifPresent(milli -> byPod.put(item.path("metadata").path("name").asText(),
                    new PodMetric(milli, timestamp(item), window(item.path("window").asText("")))));
        }
        return new PodUsage(byPod, timestamp(items.get(0)));
    }

    /** The pod's usage summed over its containers, or nothing when one of them lacks the resource. */
    private static OptionalLong sum(JsonNode item, String resource) {
        JsonNode containers = item.path("containers");
        if (!containers.isArray() || containers.isEmpty()) {
            return OptionalLong.empty();
        }
        long sum = 0;
        for (JsonNode container : containers) {
            JsonNode usage = container.path("usage").path(resource);
            if (!usage.isTextual()) {
                return OptionalLong.empty();
            }
            sum += ReplicaCalculator.milli(new Quantity(usage.asText()));
        }
        return OptionalLong.of(sum);
    }

    private JsonNode get(String path) throws MetricsUnavailable {
        HttpRequest request = http.newHttpRequestBuilder().uri(base.resolve(path)).header("Accept", "application/json")
                .build();
        HttpResponse<String> response;
        try {
            response = http.sendAsync(request, String.class).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MetricsUnavailable("unable to fetch metrics from resource metrics API: interrupted");
        } catch (ExecutionException | TimeoutException e) {
            throw new MetricsUnavailable("unable to fetch metrics from resource metrics API: " + e.getMessage());
        }
        try {
            if (response.code() == 404) {
                // client-go's words for a resource the API does not serve.
                throw new MetricsUnavailable("unable to fetch metrics from resource metrics API: the server could "
                        + "not find the requested resource (get pods.metrics.k8s.io)");
            }
            JsonNode body = JSON.readTree(response.body() == null ? "" : response.body());
            if (!response.isSuccessful()) {
                throw new MetricsUnavailable("unable to fetch metrics from resource metrics API: "
                        + body.path("message").asText("the server responded with status " + response.code()));
            }
            return body;
        } catch (IOException e) {
            throw new MetricsUnavailable("unable to fetch metrics from resource metrics API: " + e.getMessage());
        }
    }

    private static Instant timestamp(JsonNode item) {
        String text = item.path("timestamp").asText("");
        return text.isEmpty() ? Instant.EPOCH : Instant.parse(text);
    }

    /** A Go duration as metav1.Duration writes it ("30s", "1m0s", "10.5s", "500ms"); nothing readable is zero. */
    static Duration window(String text) {
        Matcher part = DURATION_PART.matcher(text);
        double nanos = 0;
        while (part.find()) {
            double amount = Double.parseDouble(part.group(1));
            nanos += amount * switch (part.group(2)) {
                case "ns" -> 1;
                case "us", "µs" -> 1e3;
                case "ms" -> 1e6;
                case "s" -> 1e9;
                case "m" -> 60e9;
                default -> 3600e9;
            };
        }
        return Duration.ofNanos((long) nanos);
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }
}
