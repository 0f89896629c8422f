package io.qube.ha;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A client writing ConfigMaps (a create, then every third write an update of one it made before) through one
 * apiserver, moving on to the next when its apiserver cannot be reached, and keeping every write the API
 * acknowledged with the resourceVersion it answered. A write whose answer was lost is not acknowledged: it may or
 * may not have happened, as for any Kubernetes client.
 */
final class AckingWriter implements Runnable {

    /** An acknowledged write: the object and the resourceVersion the API answered. */
    record Ack(String name, long revision) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final String id;
    private final String namespace;
    private final int[] ports;
    private final Queue<Ack> acks = new ConcurrentLinkedQueue<>();
    private final Map<String, Long> latest = new ConcurrentHashMap<>();
    private final List<String> created = new ArrayList<>();
    private final AtomicInteger unanswered = new AtomicInteger();
    private int server;
    private int sequence;

    /** @param first the index in {@code ports} of the apiserver to write through first */
    AckingWriter(String id, String namespace, int[] ports, int first) {
        this.id = id;
        this.namespace = namespace;
        this.ports = ports.clone();
        this.server = first;
    }

    /** One write; called at a steady rate by a scheduler, never concurrently with itself. */
    @Override
    public void run() {
        sequence++;
        boolean update = sequence % 3 == 0 && !created.isEmpty();
        String name = update ? created.get(ThreadLocalRandom.current().nextInt(created.size())) : id + "-" + sequence;
        String base = "http://127.0.0.1:" + ports[server] + "/api/v1/namespaces/" + namespace + "/configmaps";
        String body = "{\"metadata\":{\"name\":\"" + name + "\"},\"data\":{\"write\":\"" + sequence + "\"}}";
        HttpRequest request = HttpRequest.newBuilder(URI.create(update ? base + "/" + name : base))
                .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
                .method(update ? "PUT" : "POST", HttpRequest.BodyPublishers.ofString(body)).build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() / 100 == 2) {
                long revision = JSON.readTree(response.body()).path("metadata").path("resourceVersion").asLong();
                acks.add(new Ack(name, revision));
                latest.merge(name, revision, Math::max);
                if (!update) {
                    created.add(name);
                }
            } else {
                unanswered.incrementAndGet();
                if (response.statusCode() >= 500) {
                    server = (server + 1) % ports.length;
                }
            }
        } catch (IOException lost) {
            // The apiserver died under the request, or is down: the outcome is unknown; try the next one.
            unanswered.incrementAndGet();
            server = (server + 1) % ports.length;
        } catch (InterruptedException stopped) {
            Thread.currentThread().interrupt();
        }
    }

    /** Every acknowledged write, in acknowledgement order. */
    List<Ack> acks() {
        return List.copyOf(acks);
    }

    /** Each object's newest acknowledged resourceVersion. */
    Map<String, Long> latest() {
        return Map.copyOf(latest);
    }

    int acknowledged() {
        return acks.size();
    }

    /** Writes refused or whose answer never came. */
    int unanswered() {
        return unanswered.get();
    }
}
