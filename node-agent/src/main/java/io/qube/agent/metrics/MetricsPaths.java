package io.qube.agent.metrics;

import io.qube.agent.runtime.ContainerRuntime;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

import java.util.Map;

/**
 * The kubelet's {@code GET /metrics} (Prometheus text 0.0.4) and {@code GET /healthz[/<check>][?verbose]} on the node's
 * endpoint, answered as the kubelet answers them: {@code ok}, or 500 listing {@code [+]}/{@code [-]} per check and
 * {@code healthz check failed}. Both look at the runtime, so they are answered off the event loop.
 */
public final class MetricsPaths {

    private static final String TEXT = "text/plain; charset=utf-8";
    private static final String PROMETHEUS = "text/plain; version=0.0.4; charset=utf-8";

    private final KubeletMetrics metrics;
    private final RunningSandboxes sandboxes;
    private final NodeHealth health;

    /** @param runtime what a scrape counts the running pods and containers of (not counted as runtime calls) */
    public MetricsPaths(KubeletMetrics metrics, ContainerRuntime runtime, NodeHealth health) {
        this(metrics, runtime::sandboxes, health);
    }

    /** @param sandboxes what a scrape counts the running pods and containers of (a simulated node's pods) */
    public MetricsPaths(KubeletMetrics metrics, RunningSandboxes sandboxes, NodeHealth health) {
        this.metrics = metrics;
        this.sandboxes = sandboxes;
        this.health = health;
    }

    /** @return whether the request was one of these paths (then it is answered) */
    public boolean serve(HttpServerRequest request) {
        String path = request.path();
        if (!request.method().name().equals("GET")
                || !path.equals("/metrics") && !path.equals("/healthz") && !path.startsWith("/healthz/")) {
            return false;
        }
        Vertx vertx = Vertx.currentContext().owner();
        vertx.executeBlocking(() -> path.equals("/metrics") ? scrape() : healthz(path,
                request.params().contains("verbose")), false).onComplete(done -> {
            HttpServerResponse response = request.response();
            if (done.failed()) {
                answer(response, 500, TEXT, "internal server error: " + done.cause().getMessage());
            } else {
                answer(response, done.result().status(), done.result().type(), done.result().body());
            }
        });
        return true;
    }

    private Answer scrape() throws java.io.IOException {
        metrics.runtimeHolds(sandboxes.list());
        return new Answer(200, PROMETHEUS, metrics.scrape());
    }

    private Answer healthz(String path, boolean verbose) {
        Map<String, String> results = health.check();
        if (path.startsWith("/healthz/")) {
            String name = path.substring("/healthz/".length());
            if (!results.containsKey(name)) {
                return new Answer(404, TEXT, "404 page not found");
            }
            String failure = results.get(name);
            return failure == null ? new Answer(200, TEXT, "ok")
                    : new Answer(500, TEXT, "internal server error: " + failure);
        }
        boolean healthy = results.values().stream().allMatch(java.util.Objects::isNull);
        if (healthy && !verbose) {
            return new Answer(200, TEXT, "ok");
        }
        StringBuilder body = new StringBuilder();
        // As Kubernetes' healthz: reasons are withheld from the summary, /healthz/<check> tells them.
        results.forEach((name, failure) -> body.append(failure == null ? "[+]" + name + " ok\n"
                : "[-]" + name + " failed: reason withheld\n"));
        body.append(healthy ? "healthz check passed\n" : "healthz check failed\n");
        return new Answer(healthy ? 200 : 500, TEXT, body.toString());
    }

    private static void answer(HttpServerResponse response, int status, String type, String body) {
        response.setStatusCode(status).putHeader("Content-Type", type).putHeader("X-Content-Type-Options", "nosniff")
                .end(body);
    }

    private record Answer(int status, String type, String body) {
    }
}
