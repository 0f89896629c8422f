package io.qube.apiserver.node;

import io.qube.apiserver.ApiException;
import io.qube.apiserver.RequestMetrics;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.ext.web.RoutingContext;

import java.util.List;
import java.util.function.Consumer;

/**
 * A client's WebSocket joined to one to the agent of the pod's node, for exec and port-forward: the agent's socket is opened first (with the subprotocol the client's upgrade will get), so a
 * refusal is still answered as a Status; then the client's request is upgraded and every message relayed both ways
 * until either side closes.
 */
final class AgentSockets {

    private final HttpClient agents;

    AgentSockets(HttpClient agents) {
        this.agents = agents;
    }

    /** The subprotocol of the client's offer this server takes, or a 400 saying which it serves. */
    static String subprotocol(RoutingContext context, String operation, List<String> accepted) {
        if (!"websocket".equalsIgnoreCase(context.request().getHeader("Upgrade"))) {
            throw ApiException.badRequest("Upgrade request required: Qube serves " + operation + " as a WebSocket ("
                    + String.join(", ", accepted) + ")"
                    + (accepted.contains(ChannelSubprotocols.SPDY_PORT_FORWARD) ? "" : ", not over SPDY"));
        }
        String protocol = ChannelSubprotocols.chosen(context.request().getHeader("Sec-WebSocket-Protocol"), accepted);
        if (protocol == null) {
            throw ApiException.badRequest(operation + " needs one of the WebSocket subprotocols "
                    + String.join(", ", accepted));
        }
        return protocol;
    }

    void relay(RoutingContext context, PodTarget target, String path, String protocol, Consumer<Throwable> failure) {
        connect(target, path, protocol, failure, agent -> upgrade(context, agent));
    }

    private void connect(PodTarget target, String path, String protocol, Consumer<Throwable> failure,
                         Consumer<WebSocket> connected) {
        WebSocketConnectOptions options = new WebSocketConnectOptions().setHost(target.node().host())
                .setPort(target.node().port()).setURI(path).setSubProtocols(List.of(protocol));
        agents.webSocket(options)
                .onSuccess(connected::accept)
                .onFailure(e -> failure.accept(e instanceof UpgradeRejectedException rejected
                        // The agent's own refusal (no such container, not running) reaches the client as a Status.
                        ? new ApiException(rejected.getStatus(),
                                rejected.getStatus() == 404 ? "NotFound" : "BadRequest",
                                rejected.getBody() == null ? e.getMessage() : rejected.getBody().toString(),
                                null, null, null, null)
                        : target.unavailable(e)));
    }

    private static void upgrade(RoutingContext context, WebSocket agent) {
        context.request().toWebSocket().onSuccess(client -> {
            client.binaryMessageHandler(agent::writeBinaryMessage);
            agent.binaryMessageHandler(client::writeBinaryMessage);
            RequestMetrics.onClose(context, client, v -> agent.close());
            agent.closeHandler(v -> client.close());
        }).onFailure(e -> agent.close());
    }
}
