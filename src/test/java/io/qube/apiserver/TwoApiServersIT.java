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

/**
 * Two apiserver processes on one database are one cluster: what is written through one is seen through the other,
 * and both stand behind the kubernetes service without undoing each other's writes.
 */
class TwoApiServersIT {

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void writesThroughOneServerReachWatchesAndReadsOnTheOther() throws Exception {
        Map<String, String> environment = TestPostgres.environmentForFreshDatabase();
        try (QubeProcesses processes = new QubeProcesses()) {
            int[] ports = processes.startApiServers(environment, 2);
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

    @Test
    void bothStandBehindTheKubernetesServiceAndAStoppedOneLeavesIt() throws Exception {
        Map<String, String> environment = new java.util.HashMap<>(TestPostgres.environmentForFreshDatabase());
        // Reconciled every second, so that fighting apiservers would show within the few seconds watched; the
        // leases last long enough that a renewal slowed by a busy machine does not let one lapse meanwhile.
        environment.put("QUBE_APISERVER_ENDPOINT_RECONCILE_INTERVAL", "1s");
        environment.put("QUBE_APISERVER_ENDPOINT_LEASE_DURATION", "10s");
        try (QubeProcesses processes = new QubeProcesses()) {
            int[] ports = {QubeProcesses.freePort(), QubeProcesses.freePort()};
            Process[] servers = new Process[2];
            for (int i = 0; i < 2; i++) {
                Path directory = TestPostgres.newDataDirectory();
                Path log = directory.resolve("qube.log");
                servers[i] = processes.start(log, environment, "--data-dir", directory.toString(),
                        "--port", Integer.toString(ports[i]));
                processes.awaitReady(servers[i], ports[i], log);
            }
            int low = Math.min(ports[0], ports[1]);
            int high = Math.max(ports[0], ports[1]);
            String api = "http://127.0.0.1:" + ports[0] + "/api/v1/namespaces/default/";

            // One subset per port (each apiserver at 127.0.0.1), the service leading to the lower port.
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                String endpoints = send("GET", api + "endpoints/kubernetes", null).body();
                assertThat(endpoints).contains("\"port\":" + low).contains("\"port\":" + high)
                        .contains("\"ip\":\"127.0.0.1\"");
                assertThat(send("GET", api + "services/kubernetes", null).body()).contains("\"targetPort\":" + low);
                String slices = send("GET", "http://127.0.0.1:" + ports[1]
                        + "/apis/discovery.k8s.io/v1/namespaces/default/endpointslices", null).body();
                assertThat(slices).contains("\"name\":\"kubernetes\"").contains("\"name\":\"kubernetes-" + high + "\"");
            });
            String service = version(send("GET", api + "services/kubernetes", null).body());
            String endpoints = version(send("GET", api + "endpoints/kubernetes", null).body());
            // Neither rewrites what the other wrote: the versions hold through several reconcile rounds.
            await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                assertThat(version(send("GET", api + "services/kubernetes", null).body())).as("service rewritten")
                        .isEqualTo(service);
                assertThat(version(send("GET", api + "endpoints/kubernetes", null).body())).as("endpoints rewritten")
                        .isEqualTo(endpoints);
            });

            // The second stops: once its lease expires, the first lists itself alone.
            servers[1].destroy();
            servers[1].waitFor();
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                String alone = send("GET", api + "endpoints/kubernetes", null).body();
                assertThat(alone).contains("\"port\":" + ports[0]).doesNotContain("\"port\":" + ports[1]);
                assertThat(send("GET", api + "services/kubernetes", null).body())
                        .contains("\"targetPort\":" + ports[0]);
            });
        }
    }

    private static String version(String object) {
        return object.replaceAll("(?s).*?\"resourceVersion\":\"(\\d+)\".*", "$1");
    }

    private HttpResponse<String> send(String method, String url, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json");
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body));
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
