package io.qube.ha;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A watcher of a namespace's ConfigMaps behaving as client-go's reflector does: list, then watch from the list's
 * resourceVersion; when its apiserver goes away, watch again from the last resourceVersion it saw through the next
 * apiserver; on 410 Expired, list again. It keeps everything it saw: the events and the lists.
 */
final class FollowingWatcher extends Thread {

    /** An event as received. */
    record Event(String type, String name, long revision) {
    }

    /** A (re)list: its resourceVersion and each object's resourceVersion in it. */
    record Listing(long revision, Map<String, Long> objects) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final String namespace;
    private final int[] ports;
    private final List<Event> events = new CopyOnWriteArrayList<>();
    private final List<Listing> listings = new CopyOnWriteArrayList<>();
    private final AtomicInteger reconnects = new AtomicInteger();
    private volatile long lastRevision;
    private volatile boolean stopped;
    private int server;

    FollowingWatcher(String namespace, int[] ports, int first) {
        super("watcher-" + first);
        setDaemon(true);
        this.namespace = namespace;
        this.ports = ports.clone();
        this.server = first;
    }

    /** Lists at once, so that the watch starts before the load does; the watch itself runs on this thread. */
    void begin() {
        relist();
        start();
    }

    @Override
    public void run() {
        while (!stopped) {
            try {
                if (!watchOnce()) {
                    relist();
                }
            } catch (IOException | UncheckedIOException gone) {
                // The apiserver died under the watch or refuses connections: resume through the next one.
                reconnects.incrementAndGet();
                server = (server + 1) % ports.length;
            } catch (InterruptedException interrupted) {
                return;
            }
        }
    }

    /** Watches until the stream ends; false when the apiserver said the resourceVersion is too old (410). */
    private boolean watchOnce() throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(base() + "?watch=1&resourceVersion=" + lastRevision))
                .build();
        HttpResponse<Stream<String>> response = http.send(request, HttpResponse.BodyHandlers.ofLines());
        if (response.statusCode() == 410) {
            response.body().close();
            return false;
        }
        if (response.statusCode() != 200) {
            response.body().close();
            throw new IOException("watch answered " + response.statusCode());
        }
        try (Stream<String> lines = response.body()) {
            Iterator<String> it = lines.iterator();
            while (it.hasNext() && !stopped) {
                JsonNode event = JSON.readTree(it.next());
                String type = event.path("type").asText();
                JsonNode object = event.path("object");
                if (type.equals("ERROR")) {
                    if (object.path("code").asInt() == 410) {
                        return false;
                    }
                    throw new IOException("watch error " + object);
                }
                long revision = object.path("metadata").path("resourceVersion").asLong();
                events.add(new Event(type, object.path("metadata").path("name").asText(), revision));
                lastRevision = revision;
            }
        }
        return true;
    }

    /** Lists through the current apiserver (the next ones if it is gone) and resumes from the list's version. */
    private void relist() {
        while (!stopped) {
            try {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(base())).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    JsonNode list = JSON.readTree(response.body());
                    Map<String, Long> objects = new HashMap<>();
                    for (JsonNode item : list.path("items")) {
                        objects.put(item.path("metadata").path("name").asText(),
                                item.path("metadata").path("resourceVersion").asLong());
                    }
                    long revision = list.path("metadata").path("resourceVersion").asLong();
                    listings.add(new Listing(revision, objects));
                    lastRevision = revision;
                    return;
                }
            } catch (IOException gone) {
                reconnects.incrementAndGet();
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                return;
            }
            server = (server + 1) % ports.length;
        }
    }

    private String base() {
        return "http://127.0.0.1:" + ports[server] + "/api/v1/namespaces/" + namespace + "/configmaps";
    }

    void finish() {
        stopped = true;
        interrupt();
    }

    long lastRevision() {
        return lastRevision;
    }

    List<Event> events() {
        return List.copyOf(events);
    }

    List<Listing> listings() {
        return List.copyOf(listings);
    }

    int reconnects() {
        return reconnects.get();
    }

    /** The first list's resourceVersion: what happened after it is what this watcher must have seen. */
    long startRevision() {
        return listings.get(0).revision();
    }
}
