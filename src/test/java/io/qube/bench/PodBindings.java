package io.qube.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.parsetools.RecordParser;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Watches all pods and notes when each was first seen bound (spec.nodeName set). It also plays the kubelet for the
 * pods a predicate names: a pod marked for deletion is deleted at once (grace period 0), as a kubelet finishing a
 * preempted pod would, since no agent runs these nodes.
 */
final class PodBindings implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient watchClient;
    private final HttpClient deleteClient;
    private final Map<String, Long> boundAt = new ConcurrentHashMap<>();
    private final Predicate<String> finishDeletion;

    private PodBindings(Vertx vertx, int port, Predicate<String> finishDeletion) {
        this.watchClient = vertx.createHttpClient(new HttpClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port));
        this.deleteClient = vertx.createHttpClient(new HttpClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port));
        this.finishDeletion = finishDeletion;
    }

    /** Starts watching from {@code resourceVersion}; {@code finishDeletion} gets "namespace/name". */
    static PodBindings watch(Vertx vertx, int port, String resourceVersion, Predicate<String> finishDeletion)
            throws Exception {
        PodBindings bindings = new PodBindings(vertx, port, finishDeletion);
        bindings.watchClient.request(HttpMethod.GET, "/api/v1/pods?watch=true&resourceVersion=" + resourceVersion)
                .compose(request -> request.send())
                .onSuccess(response -> {
                    RecordParser lines = RecordParser.newDelimited("\n", response);
                    lines.handler(bindings::onEvent);
                })
                .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        return bindings;
    }

    private void onEvent(Buffer line) {
        String text = line.toString();
        boolean bound = text.contains("\"nodeName\":\"");
        boolean deleting = text.contains("\"deletionTimestamp\"");
        if (!bound && !deleting) {
            return;
        }
        long now = System.nanoTime();
        JsonNode object;
        try {
            object = JSON.readTree(text).path("object");
        } catch (IOException e) {
            throw new IllegalStateException("unreadable watch event: " + text, e);
        }
        String key = object.path("metadata").path("namespace").asText() + "/" + object.path("metadata").path("name").asText();
        if (bound) {
            boundAt.putIfAbsent(key, now);
        }
        if (deleting && finishDeletion.test(key)) {
            deleteClient.request(HttpMethod.DELETE, "/api/v1/namespaces/" + object.path("metadata").path("namespace")
                            .asText() + "/pods/" + object.path("metadata").path("name").asText())
                    .compose(request -> request.putHeader("Content-Type", "application/json")
                            .send("{\"gracePeriodSeconds\":0}"))
                    .compose(response -> response.body());
        }
    }

    /** When the pod was first seen bound (System.nanoTime()), or null. */
    Long boundAt(String key) {
        return boundAt.get(key);
    }

    @Override
    public void close() {
        watchClient.close();
        deleteClient.close();
    }
}
