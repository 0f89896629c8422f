package io.qube.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * A benchmark's instrument: a plain watch of one namespace's pods that reports each pod's name the first time it
 * is seen Running. It reads each event as a JSON tree, not as a typed Pod, so that measuring costs the machine
 * little beside what is measured (a typed fabric8 watch cost about as much CPU as the agent at 10,000 pods).
 */
final class RunningWatch implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Stream<String> lines;
    private final Thread reader;

    private RunningWatch(Stream<String> lines, Consumer<String> running) {
        this.lines = lines;
        this.reader = new Thread(() -> {
            try {
                lines.forEach(line -> {
                    try {
                        JsonNode object = JSON.readTree(line).path("object");
                        if ("Running".equals(object.path("status").path("phase").asText())) {
                            running.accept(object.path("metadata").path("name").asText());
                        }
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
            } catch (RuntimeException ended) {
                // closed by close(), or the server ended the watch: the benchmark's deadline reports what is missing
            }
        }, "running-watch");
        reader.setDaemon(true);
        reader.start();
    }

    /** Opens the watch and returns once the server has answered it, so nothing created after is missed. */
    static RunningWatch open(String url, String namespace, Consumer<String> running) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url + "/api/v1/namespaces/" + namespace
                + "/pods?watch=true&allowWatchBookmarks=false")).build();
        HttpResponse<Stream<String>> response = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
                .build().sendAsync(request, HttpResponse.BodyHandlers.ofLines()).get(60, TimeUnit.SECONDS);
        if (response.statusCode() != 200) {
            throw new IllegalStateException("the watch of " + namespace + " answered " + response.statusCode());
        }
        return new RunningWatch(response.body(), running);
    }

    @Override
    public void close() {
        lines.close();
    }
}
