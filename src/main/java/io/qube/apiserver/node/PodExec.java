package io.qube.apiserver.node;

import com.fasterxml.jackson.databind.JsonNode;
import io.qube.apiserver.ApiException;
import io.qube.store.ObjectStore;
import io.qube.store.ResourceType;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.ext.web.RoutingContext;

import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * {@code pods/<name>/exec} over a WebSocket ({@code v5.channel.k8s.io} or {@code v4.channel.k8s.io}): checked as
 * kube-apiserver checks it, then a WebSocket to the agent of the pod's node ({@code /exec/...}, same subprotocol)
 * and every message relayed both ways until either side closes. SPDY, kubectl's fallback, is not served.
 */
public final class PodExec {

    private static final Set<String> FORWARDED = Set.of("command", "stdin", "stdout", "stderr", "tty");

    private final ObjectStore store;
    private final ResourceType pods;
    private final ResourceType nodes;
    private final HttpClient agents;

    public PodExec(ObjectStore store, ResourceType pods, ResourceType nodes, HttpClient agents) {
        this.store = store;
        this.pods = pods;
        this.nodes = nodes;
        this.agents = agents;
    }

    /** @param failure how a failure before the upgrade is answered (a Status) */
    public void handle(RoutingContext context, String namespace, String name, Consumer<Throwable> failure) {
        MultiMap query = context.queryParams();
        if (query.getAll("command").isEmpty()) {
            failure.accept(ApiException.badRequest("you must specify at least 1 command"));
            return;
        }
        if (!"websocket".equalsIgnoreCase(context.request().getHeader("Upgrade"))) {
            failure.accept(ApiException.badRequest("Upgrade request required: Qube serves exec as a WebSocket ("
                    + String.join(", ", ChannelSubprotocols.SERVED) + "), not over SPDY"));
            return;
        }
        String protocol = ChannelSubprotocols.chosen(context.request().getHeader("Sec-WebSocket-Protocol"));
        if (protocol == null) {
            failure.accept(ApiException.badRequest("exec needs one of the WebSocket subprotocols "
                    + String.join(", ", ChannelSubprotocols.SERVED)));
            return;
        }
        // The request must stay unread until it is upgraded: pause it while the pod and the agent are looked up.
        context.request().pause();
        PodTarget.find(store, pods, nodes, namespace, name, query.get("container"), PodExec::running)
                .subscribe().with(target -> connect(context, target, query, protocol, failure), failure);
    }

    private void connect(RoutingContext context, PodTarget target, MultiMap query, String protocol,
                         Consumer<Throwable> failure) {
        WebSocketConnectOptions options = new WebSocketConnectOptions().setHost(target.node().host())
                .setPort(target.node().port()).setURI(target.agentPath("exec") + forwardedQuery(query))
                .setSubProtocols(List.of(protocol));
        agents.webSocket(options)
                .onSuccess(agent -> upgrade(context, agent))
                .onFailure(e -> failure.accept(e instanceof UpgradeRejectedException rejected
                        // The agent's own refusal (no such container, not running) reaches the client as its Status.
                        ? new ApiException(rejected.getStatus(),
                                rejected.getStatus() == 404 ? "NotFound" : "BadRequest",
                                rejected.getBody() == null ? e.getMessage() : rejected.getBody().toString(),
                                null, null, null, null)
                        : target.unavailable(e)));
    }

    private static void running(JsonNode pod) {
        String phase = pod.path("status").path("phase").asText("");
        if (phase.equals("Succeeded") || phase.equals("Failed")) {
            throw ApiException.badRequest("cannot exec into a container in a completed pod; current phase is "
                    + phase);
        }
    }

    private static void upgrade(RoutingContext context, WebSocket agent) {
        context.request().toWebSocket().onSuccess(client -> {
            client.binaryMessageHandler(agent::writeBinaryMessage);
            agent.binaryMessageHandler(client::writeBinaryMessage);
            client.closeHandler(v -> agent.close());
            agent.closeHandler(v -> client.close());
        }).onFailure(e -> agent.close());
    }

    private static String forwardedQuery(MultiMap query) {
        return "?" + query.entries().stream().filter(entry -> FORWARDED.contains(entry.getKey()))
                .map(entry -> PodTarget.encode(entry.getKey()) + "=" + PodTarget.encode(entry.getValue()))
                .collect(Collectors.joining("&"));
    }
}
