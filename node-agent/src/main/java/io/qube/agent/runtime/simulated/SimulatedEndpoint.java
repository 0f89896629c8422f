package io.qube.agent.runtime.simulated;

import io.qube.agent.endpoint.Listening;
import io.qube.agent.metrics.MetricsPaths;
import io.qube.agent.metrics.NodeHealth;
import io.qube.agent.stats.StatsEndpoint;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;

import java.io.IOException;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * The endpoint of every simulated node of the agent: one HTTP server on one port for all of them (thousands of
 * nodes need not hold thousands of ports). Each node's InternalIP is a loopback address of its own, so a request's
 * local address tells which node it was sent to: the apiserver's {@code nodes/<name>/proxy} and the resource metrics
 * scraper, which connect to a Node's InternalIP and advertised port, reach that node's {@code /metrics},
 * {@code /healthz}, {@code /stats/summary} and {@code /metrics/resource}, answered by the same paths as a real
 * node's. Logs, exec, attach and port-forward have nothing to reach: 404.
 */
public final class SimulatedEndpoint implements AutoCloseable {

    private final HttpServer server;

    private SimulatedEndpoint(HttpServer server) {
        this.server = server;
    }

    /**
     * @param nodeIps     each node's InternalIP, by node name
     * @param memory      each node's memory capacity in bytes, by node name
     * @param lastRenewal when each node's Lease was last renewed (its health's api check)
     * @param port        0 picks a free one
     */
    public static SimulatedEndpoint start(Vertx vertx, SimulatedStats stats, Map<String, String> nodeIps,
                                          Map<String, Long> memory, Function<String, Instant> lastRenewal, int port)
            throws IOException {
        Map<String, NodePaths> byAddress = new HashMap<>();
        nodeIps.forEach((node, ip) -> byAddress.put(ip, new NodePaths(
                new StatsEndpoint(node, () -> stats.snapshot(node, Instant.now()), memory.get(node)),
                new MetricsPaths(stats.metrics(node), () -> stats.sandboxes(node),
                        new NodeHealth(() -> stats.sandboxes(node), () -> lastRenewal.apply(node))))));
        HttpServer server = vertx.createHttpServer().requestHandler(request -> route(request, byAddress));
        return new SimulatedEndpoint(Listening.listen(server, port, "the simulated nodes' endpoint"));
    }

    public int port() {
        return server.actualPort();
    }

    private static void route(HttpServerRequest request, Map<String, NodePaths> byAddress) {
        NodePaths node = byAddress.get(request.localAddress().hostAddress());
        if (node == null || !node.stats().handle(request) && !node.metrics().serve(request)) {
            request.response().setStatusCode(404).putHeader("Content-Type", "text/plain").end("404 page not found");
        }
    }

    private record NodePaths(StatsEndpoint stats, MetricsPaths metrics) {
    }

    @Override
    public void close() {
        server.close();
    }
}
