package io.qube.agent.stats;

import io.qube.agent.stats.ResourceSampler.Snapshot;
import io.vertx.core.http.HttpServerRequest;

import java.util.function.Supplier;

/**
 * The node endpoint's resource paths, as the kubelet's: {@code GET /stats/summary} (JSON) and
 * {@code GET /metrics/resource} (Prometheus text), both from the latest snapshot
 * (the sampler's, or a simulated node's).
 */
public final class StatsEndpoint {

    private final String nodeName;
    private final Supplier<Snapshot> latest;
    private final long nodeMemoryBytes;

    public StatsEndpoint(String nodeName, ResourceSampler sampler, long nodeMemoryBytes) {
        this(nodeName, sampler::latest, nodeMemoryBytes);
    }

    /** @param latest the node's latest figures (a simulated node computes them from its usage model) */
    public StatsEndpoint(String nodeName, Supplier<Snapshot> latest, long nodeMemoryBytes) {
        this.nodeName = nodeName;
        this.latest = latest;
        this.nodeMemoryBytes = nodeMemoryBytes;
    }

    /** Answers the request when it is one of these paths; false leaves it to the endpoint's other routes. */
    public boolean handle(HttpServerRequest request) {
        String path = request.path();
        if (!path.equals("/stats/summary") && !path.equals("/stats/summary/") && !path.equals("/metrics/resource")) {
            return false;
        }
        if (!request.method().name().equals("GET")) {
            request.response().setStatusCode(405).putHeader("Content-Type", "text/plain")
                    .end("405 method not allowed");
            return true;
        }
        if (path.startsWith("/stats")) {
            request.response().putHeader("Content-Type", "application/json")
                    .end(SummaryJson.of(nodeName, latest.get(), nodeMemoryBytes).toString());
        } else {
            request.response().putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
                    .end(ResourceMetricsText.of(latest.get()));
        }
        return true;
    }
}
