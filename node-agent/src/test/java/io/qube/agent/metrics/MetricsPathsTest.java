package io.qube.agent.metrics;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/** /metrics and /healthz over real HTTP, answered as the kubelet answers them. */
class MetricsPathsTest {

    private final FakeRuntime runtime = new FakeRuntime();
    private final AtomicReference<Instant> renewed = new AtomicReference<>(Instant.now());
    private final KubeletMetrics metrics = new KubeletMetrics("node-a");
    private final HttpClient http = HttpClient.newHttpClient();
    private Vertx vertx;
    private HttpServer server;

    @BeforeEach
    void serve() throws Exception {
        vertx = Vertx.vertx();
        MetricsPaths paths = new MetricsPaths(metrics, runtime, new NodeHealth(runtime, renewed::get));
        server = vertx.createHttpServer().requestHandler(request -> {
            if (!paths.serve(request)) {
                request.response().setStatusCode(404).end("404 page not found");
            }
        }).listen(0).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @AfterEach
    void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void aFailingCheckMakesHealthz500WithTheKubeletsLines() throws Exception {
        runtime.failing = true;

        HttpResponse<String> health = get("/healthz");
        assertThat(health.statusCode()).isEqualTo(500);
        assertThat(health.body()).isEqualTo("[+]ping ok\n[-]runtime failed: reason withheld\n[+]api ok\n"
                + "healthz check failed\n");
        HttpResponse<String> runtimeCheck = get("/healthz/runtime");
        assertThat(runtimeCheck.statusCode()).isEqualTo(500);
        assertThat(runtimeCheck.body()).isEqualTo("internal server error: the runtime could not list its sandboxes: "
                + "runtime down");
        assertThat(get("/healthz/ping").body()).isEqualTo("ok");
    }

    @Test
    void healthyIsOk() throws Exception {
        HttpResponse<String> health = get("/healthz");
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).isEqualTo("ok");
        assertThat(health.headers().firstValue("Content-Type")).hasValue("text/plain; charset=utf-8");
    }

    @Test
    void aScrapeCountsWhatTheRuntimeHoldsWithoutCountingItsOwnLook() throws Exception {
        HttpResponse<String> scrape = get("/metrics");

        assertThat(scrape.statusCode()).isEqualTo(200);
        assertThat(runtime.calls).containsExactly("sandboxes");
        PrometheusSamples samples = PrometheusSamples.parse(scrape.body());
        assertThat(samples.value("kubelet_running_pods")).isEqualTo(0.0);
        assertThat(samples.value("kubelet_runtime_operations_total")).isNull();
    }

    @Test
    void otherPathsAndMethodsAreNotTheirs() throws Exception {
        assertThat(get("/metrics/resource").statusCode()).isEqualTo(404);
        HttpResponse<String> post = http.send(HttpRequest.newBuilder(uri("/metrics"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(404);
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.actualPort() + path);
    }
}
