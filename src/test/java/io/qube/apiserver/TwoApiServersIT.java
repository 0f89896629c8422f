package io.qube.apiserver;

import io.qube.test.QubeProcesses;
import io.qube.test.TestPostgres;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Two apiserver processes on one database are one cluster: what is written through one is seen through the other. */
class TwoApiServersIT {

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void writesThroughOneServerReachWatchesAndReadsOnTheOther() throws Exception {
        Map<String, String> environment = TestPostgres.environmentForFreshDatabase();
        try (QubeProcesses processes = new QubeProcesses()) {
            int[] ports = {QubeProcesses.freePort(), QubeProcesses.freePort()};
            for (int port : ports) {
                Path directory = TestPostgres.newDataDirectory();
                Path log = directory.resolve("qube.log");
                Process qube = processes.start(log, environment, "--data-dir", directory.toString(),
                        "--port", Integer.toString(port));
                processes.awaitReady(qube, port, log);
            }
            String first = "http://127.0.0.1:" + ports[0] + "/api/v1/namespaces/default/configmaps";
            String second = "http://127.0.0.1:" + ports[1] + "/api/v1/namespaces/default/configmaps";

            String list = send("GET", second, null).body();
            String version = list.replaceAll("(?s).*\"resourceVersion\":\"(\\d+)\".*", "$1");
            HttpResponse<InputStream> watch = http.send(HttpRequest.newBuilder(URI.create(second
                    + "?watch=1&resourceVersion=" + version)).build(), HttpResponse.BodyHandlers.ofInputStream());
            List<String> events = new CopyOnWriteArrayList<>();
            Thread reader = new Thread(() -> {
                try (BufferedReader lines = new BufferedReader(new InputStreamReader(watch.body(),
                        StandardCharsets.UTF_8))) {
                    lines.lines().forEach(events::add);
                } catch (java.io.IOException | java.io.UncheckedIOException ended) {
                    // the server stops at the end of the test
                }
            });
            reader.setDaemon(true);
            reader.start();

            HttpResponse<String> created = send("POST", first,
                    "{\"metadata\":{\"name\":\"shared\"},\"data\":{\"via\":\"first\"}}");
            assertThat(created.statusCode()).isEqualTo(201);
            await().atMost(Duration.ofSeconds(30)).until(() -> !events.isEmpty());
            assertThat(events.get(0)).startsWith("{\"type\":\"ADDED\"").contains("\"via\":\"first\"");

            HttpResponse<String> updated = send("PUT", second + "/shared",
                    "{\"metadata\":{\"name\":\"shared\"},\"data\":{\"via\":\"second\"}}");
            assertThat(updated.statusCode()).isEqualTo(200);
            assertThat(send("GET", first + "/shared", null).body()).contains("\"via\":\"second\"");
            assertThat(send("GET", first, null).body()).contains("\"via\":\"second\"");
            await().atMost(Duration.ofSeconds(30)).until(() -> events.size() >= 2);
            assertThat(events.get(1)).startsWith("{\"type\":\"MODIFIED\"").contains("\"via\":\"second\"");

            // Checked on the packaged application: in a @QuarkusTest the byte-count summaries do not show up even
            // without ByteCountMetrics. Request timers stay; the summaries recorded on every write are not registered.
            String metrics = send("GET", "http://127.0.0.1:" + ports[1] + "/q/metrics", null).body();
            assertThat(metrics).contains("http_server_requests_seconds_count{method=\"GET\"")
                    .contains("http_server_connections_seconds")
                    .doesNotContain("http_server_bytes_written").doesNotContain("http_server_bytes_read");
        }
    }

    private HttpResponse<String> send(String method, String url, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json");
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body));
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
