package io.qube.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.qube.apiserver.codec.Json;
import io.qube.test.EmbeddedPostgresResource;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * One change delivered to many watchers over real HTTP: every watcher, chunked or WebSocket, gets every event of
 * its selection once and in order, all of them the very same bytes; and a client that stops reading is ended with
 * Expired while the others carry on.
 */
@QuarkusTest
@TestProfile(WatchFanOutTest.SmallWatcherBuffer.class)
@WithTestResource(EmbeddedPostgresResource.class)
class WatchFanOutTest {

    static final int WATCHER_BUFFER = 20;

    /** A watcher may fall only 20 events behind, so that a client that stops reading is cut off soon. */
    public static class SmallWatcherBuffer implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("qube.watch.watcher-buffer", Integer.toString(WATCHER_BUFFER));
        }
    }

    @TestHTTPResource("/")
    URL server;

    @Test
    void everyWatcherGetsTheSameEventsInOrderWhileObjectsEnterAndLeaveTheSelection() throws Exception {
        String namespace = "fan-out";
        String configMaps = createNamespace(namespace);
        String version = given().get(configMaps).path("metadata.resourceVersion");
        String query = "?watch=true&labelSelector=fan%3Din&resourceVersion=" + version;
        List<LineWatch> chunked = new ArrayList<>();
        List<FrameWatch> sockets = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            chunked.add(LineWatch.open(server, configMaps + query));
        }
        for (int i = 0; i < 2; i++) {
            sockets.add(FrameWatch.open(server, configMaps + query));
        }
        // Each object's own history, written by several clients at once: in, out, in again, changed, deleted;
        // and objects that are created outside the selection and only enter it later.
        Map<String, List<String>> expected = new LinkedHashMap<>();
        IntStream.range(0, 40).parallel().forEach(i -> {
            String name = "obj-" + i;
            if (i % 4 == 3) {
                create(configMaps, name, "out");
                label(configMaps, name, "in");
            } else {
                create(configMaps, name, "in");
                label(configMaps, name, "out");
                label(configMaps, name, "in");
                given().contentType("application/merge-patch+json").body("{\"data\":{\"n\":\"" + i + "\"}}")
                        .patch(configMaps + "/" + name).then().statusCode(200);
                given().delete(configMaps + "/" + name).then().statusCode(200);
            }
        });
        for (int i = 0; i < 40; i++) {
            expected.put("obj-" + i, i % 4 == 3 ? List.of("ADDED")
                    : List.of("ADDED", "DELETED", "ADDED", "MODIFIED", "DELETED"));
        }
        int events = expected.values().stream().mapToInt(List::size).sum();
        await().atMost(Duration.ofSeconds(60)).until(() -> chunked.stream().allMatch(w -> w.lines.size() >= events)
                && sockets.stream().allMatch(w -> w.frames.size() >= events));

        List<String> first = List.copyOf(chunked.get(0).lines);
        assertThat(first).hasSize(events);
        assertThat(typesByName(first)).isEqualTo(expected);
        assertThat(revisions(first)).isSorted().doesNotHaveDuplicates();
        for (LineWatch watch : chunked) {
            assertThat(watch.lines).containsExactlyElementsOf(first);
        }
        for (FrameWatch watch : sockets) {
            assertThat(watch.frames).containsExactlyElementsOf(first.stream().map(line -> line + "\n").toList());
        }
        chunked.forEach(LineWatch::close);
        sockets.forEach(FrameWatch::close);
    }

    @Test
    void aClientThatStopsReadingIsEndedWithExpiredWhileAnotherGetsEverything() throws Exception {
        String namespace = "fan-slow";
        String configMaps = createNamespace(namespace);
        String version = given().get(configMaps).path("metadata.resourceVersion");
        String path = configMaps + "?watch=true&resourceVersion=" + version;
        LineWatch reading = LineWatch.open(server, path);
        try (Socket stalled = new Socket()) {
            // A small receive window, and nothing read until the end: the server's buffers fill up.
            stalled.setReceiveBufferSize(4096);
            stalled.connect(new InetSocketAddress(server.getHost(), server.getPort()));
            stalled.setSoTimeout((int) Duration.ofSeconds(60).toMillis());
            stalled.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: " + server.getHost()
                    + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            // 15 MB of events: more than the socket buffers (4 MiB at most here), the 16 events the stream
            // asks for ahead and the watcher's buffer of 20 can hold.
            String data = "x".repeat(100_000);
            int objects = 150;
            for (int i = 0; i < objects; i++) {
                given().contentType(ContentType.JSON).body("{\"metadata\":{\"name\":\"big-" + i + "\"},"
                        + "\"data\":{\"d\":\"" + data + "\"}}").post(configMaps).then().statusCode(201);
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> reading.lines.size() >= objects);
            assertThat(reading.lines).hasSize(objects).allMatch(line -> line.startsWith("{\"type\":\"ADDED\""));

            String received = readUntil(stalled.getInputStream(), "\"reason\":\"Expired\"");
            String error = received.substring(received.lastIndexOf("{\"type\":\"ERROR\""));
            assertThat(error).contains("\"code\":410");
            assertThat(received).contains("big-0").doesNotContain("big-" + (objects - 1) + "\"");
        }
        reading.close();
    }

    private String createNamespace(String namespace) {
        given().contentType(ContentType.JSON).body("{\"metadata\":{\"name\":\"" + namespace + "\"}}")
                .post("/api/v1/namespaces").then().statusCode(201);
        return "/api/v1/namespaces/" + namespace + "/configmaps";
    }

    private static void create(String configMaps, String name, String fan) {
        given().contentType(ContentType.JSON).body("{\"metadata\":{\"name\":\"" + name + "\",\"labels\":{\"fan\":\""
                + fan + "\"}}}").post(configMaps).then().statusCode(201);
    }

    private static void label(String configMaps, String name, String fan) {
        given().contentType("application/merge-patch+json").body("{\"metadata\":{\"labels\":{\"fan\":\"" + fan
                + "\"}}}").patch(configMaps + "/" + name).then().statusCode(200);
    }

    private static Map<String, List<String>> typesByName(List<String> lines) {
        Map<String, List<String>> types = new LinkedHashMap<>();
        for (String line : lines) {
            JsonNode event = parse(line);
            types.computeIfAbsent(event.path("object").path("metadata").path("name").asText(), n -> new ArrayList<>())
                    .add(event.path("type").asText());
        }
        return types;
    }

    private static List<Long> revisions(List<String> lines) {
        return lines.stream().map(line -> parse(line).path("object").path("metadata").path("resourceVersion")
                .asLong()).toList();
    }

    private static JsonNode parse(String line) {
        try {
            return Json.MAPPER.readTree(line);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads the raw response (chunk framing included) until {@code marker} has arrived. */
    private static String readUntil(InputStream in, String marker) throws IOException {
        StringBuilder received = new StringBuilder();
        byte[] buffer = new byte[64 * 1024];
        while (received.indexOf(marker) < 0) {
            int n = in.read(buffer);
            if (n < 0) {
                break;
            }
            received.append(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
        }
        return received.toString();
    }

    /** A chunked watch whose lines a thread of its own collects. */
    private static final class LineWatch {
        final List<String> lines = new CopyOnWriteArrayList<>();
        private final InputStream body;

        private LineWatch(InputStream body) {
            this.body = body;
            Thread reader = new Thread(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
                    for (String line = in.readLine(); line != null; line = in.readLine()) {
                        lines.add(line);
                    }
                } catch (IOException closed) {
                    // the test closes the stream
                }
            });
            reader.start();
        }

        static LineWatch open(URL server, String path) throws Exception {
            HttpResponse<InputStream> response = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(server + path.substring(1))).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            assertThat(response.statusCode()).isEqualTo(200);
            return new LineWatch(response.body());
        }

        /** Closing the body ends the request; the reader thread then stops. */
        void close() {
            try {
                body.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** A WebSocket watch collecting its text messages (each may arrive in parts). */
    private static final class FrameWatch implements WebSocket.Listener {
        final List<String> frames = new CopyOnWriteArrayList<>();
        private final StringBuilder partial = new StringBuilder();
        private WebSocket socket;

        static FrameWatch open(URL server, String path) throws Exception {
            FrameWatch watch = new FrameWatch();
            watch.socket = HttpClient.newHttpClient().newWebSocketBuilder()
                    .buildAsync(URI.create(server.toString().replace("http://", "ws://") + path.substring(1)), watch)
                    .get();
            return watch;
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                frames.add(partial.toString());
                partial.setLength(0);
            }
            ws.request(1);
            return null;
        }

        void close() {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "done");
        }
    }
}
