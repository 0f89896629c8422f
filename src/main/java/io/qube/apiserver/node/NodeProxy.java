package io.qube.apiserver.node;

import io.qube.apiserver.ApiException;
import io.qube.apiserver.codec.Json;
import io.qube.store.ObjectKey;
import io.qube.store.ObjectStore;
import io.qube.store.ResourceType;
import io.qube.store.StoreException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.RequestOptions;
import io.vertx.ext.web.RoutingContext;

import java.io.IOException;
import java.util.Set;
import java.util.function.Consumer;

/**
 * {@code nodes/<name>/proxy[/<path>]}: the request passed to the node agent's endpoint (the kubelet's port) at that
 * path with its query, method and body, and its answer passed back, as kube-apiserver proxies to a kubelet (so
 * {@code kubectl get --raw /api/v1/nodes/N/proxy/stats/summary} reads the agent's summary). A missing Node is a
 * 404; a Node that advertises no endpoint, or whose agent does not answer, a 503.
 */
public final class NodeProxy {

    /** Hop-by-hop headers stay on their own connection. */
    private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "transfer-encoding", "upgrade",
            "proxy-connection", "te", "trailer", "content-length");

    private final ObjectStore store;
    private final ResourceType nodes;
    private final HttpClient agents;

    public NodeProxy(ObjectStore store, ResourceType nodes, HttpClient agents) {
        this.store = store;
        this.nodes = nodes;
        this.agents = agents;
    }

    /**
     * @param name    the node's name as in the path ({@code name:port} is accepted; the port is the Node's)
     * @param path    the rest of the path after {@code proxy}, or null
     * @param failure how a failure is answered (a Status)
     */
    public void handle(RoutingContext context, String name, String path, Consumer<Throwable> failure) {
        String node = name.contains(":") ? name.substring(0, name.indexOf(':')) : name;
        String target = (path == null || path.isEmpty() ? "/" : path)
                + (context.request().query() == null ? "" : "?" + context.request().query());
        store.get(ObjectKey.of(nodes, null, node))
                .onFailure(StoreException.class).transform(e -> ((StoreException) e).reason()
                        == StoreException.Reason.NOT_FOUND ? ApiException.notFound("", "nodes", node) : e)
                .subscribe().with(stored -> {
                    NodeAddress address;
                    try {
                        address = NodeAddress.of(Json.MAPPER.readTree(stored.body()));
                    } catch (IOException e) {
                        failure.accept(e);
                        return;
                    }
                    if (address == null) {
                        failure.accept(unavailable("node " + node + " advertises no endpoint of its agent"));
                        return;
                    }
                    forward(context, address, target, failure);
                }, failure);
    }

    private void forward(RoutingContext context, NodeAddress address, String target, Consumer<Throwable> failure) {
        RequestOptions options = new RequestOptions().setMethod(context.request().method()).setHost(address.host())
                .setPort(address.port()).setURI(target);
        context.request().headers().forEach(header -> {
            String key = header.getKey().toLowerCase(java.util.Locale.ROOT);
            if (!HOP_BY_HOP.contains(key) && !key.equals("host") && !key.equals("authorization")) {
                options.addHeader(header.getKey(), header.getValue());
            }
        });
        Buffer body = context.body() == null || context.body().buffer() == null ? Buffer.buffer()
                : context.body().buffer();
        agents.request(options)
                .compose(request -> request.send(body))
                .compose(response -> response.body().map(bytes -> new Answer(response, bytes)))
                .onSuccess(answer -> relay(context.response(), answer.response(), answer.body()))
                .onFailure(e -> failure.accept(unavailable("error trying to reach the agent of the node at "
                        + address.host() + ":" + address.port() + ": " + e.getMessage())));
    }

    private record Answer(HttpClientResponse response, Buffer body) {
    }

    private static void relay(HttpServerResponse out, HttpClientResponse response, Buffer body) {
        if (out.ended() || out.closed()) {
            return;
        }
        response.headers().forEach(header -> {
            if (!HOP_BY_HOP.contains(header.getKey().toLowerCase(java.util.Locale.ROOT))) {
                out.putHeader(header.getKey(), header.getValue());
            }
        });
        out.setStatusCode(response.statusCode()).end(body);
    }

    private static ApiException unavailable(String message) {
        return new ApiException(503, "ServiceUnavailable", message, null, null, null, null);
    }
}
