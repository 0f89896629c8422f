package io.qube.apiserver.node;

import io.qube.apiserver.ApiException;
import io.vertx.core.http.HttpClient;
import io.vertx.ext.web.RoutingContext;

import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * {@code pods/<name>/portforward} over a WebSocket ({@code v4.channel.k8s.io}, as fabric8 and client-go's
 * WebSocket forwarder speak it, with {@code ?ports=}), relayed to the agent's {@code /portForward/...} by
 * {@link AgentSockets}. SPDY, which kubectl 1.32 speaks here (plain or tunnelled in a WebSocket), is not served
 * yet.
 */
public final class PodPortForward {

    private final PodLookup lookup;
    private final AgentSockets sockets;

    public PodPortForward(PodLookup lookup, HttpClient agents) {
        this.lookup = lookup;
        this.sockets = new AgentSockets(agents);
    }

    /** @param failure how a failure before the upgrade is answered (a Status) */
    public void handle(RoutingContext context, String namespace, String name, Consumer<Throwable> failure) {
        List<String> ports = context.queryParams().getAll("ports");
        String protocol;
        try {
            for (String port : ports) {
                for (String one : port.split(",")) {
                    int number = Integer.parseInt(one.trim());
                    if (number < 1 || number > 65535) {
                        throw ApiException.badRequest("port " + number + " must be between 1 and 65535");
                    }
                }
            }
            protocol = AgentSockets.subprotocol(context, "portforward");
        } catch (NumberFormatException e) {
            failure.accept(ApiException.badRequest("ports must be numbers: " + e.getMessage()));
            return;
        } catch (ApiException e) {
            failure.accept(e);
            return;
        }
        context.request().pause();
        String query = ports.stream().map(port -> "ports=" + PodTarget.encode(port)).collect(Collectors.joining("&"));
        lookup.pod(namespace, name)
                .subscribe().with(target -> sockets.relay(context, target, "/portForward/"
                        + PodTarget.encode(namespace) + "/" + PodTarget.encode(name) + (query.isEmpty() ? ""
                        : "?" + query), protocol, failure), failure);
    }
}
