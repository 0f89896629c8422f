package io.qube.apiserver.node;

import io.qube.apiserver.ApiException;
import io.vertx.core.http.HttpClient;
import io.vertx.ext.web.RoutingContext;

import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * {@code pods/<name>/portforward}, relayed to the agent's {@code /portForward/...} by {@link AgentSockets} as
 * WebSockets: SPDY tunnelled in one (kubectl's default since 1.31) and the channel protocol with {@code ?ports=}
 * (fabric8). A plain SPDY upgrade (kubectl before 1.31, or with {@code KUBECTL_PORT_FORWARD_WEBSOCKETS=false}) is
 * refused with a 400: it is a POST, and Vert.x hands over the raw connection only of a GET or CONNECT.
 */
public final class PodPortForward {

    private static final List<String> ACCEPTED = List.of(ChannelSubprotocols.SPDY_PORT_FORWARD,
            ChannelSubprotocols.CHANNELS.get(0), ChannelSubprotocols.CHANNELS.get(1));

    private final PodLookup lookup;
    private final AgentSockets sockets;

    public PodPortForward(PodLookup lookup, HttpClient agents) {
        this.lookup = lookup;
        this.sockets = new AgentSockets(agents);
    }

    /** @param failure how a failure before the upgrade is answered (a Status) */
    public void handle(RoutingContext context, String namespace, String name, Consumer<Throwable> failure) {
        String path = "/portForward/" + PodTarget.encode(namespace) + "/" + PodTarget.encode(name);
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
            protocol = AgentSockets.subprotocol(context, "portforward", ACCEPTED);
        } catch (NumberFormatException e) {
            failure.accept(ApiException.badRequest("ports must be numbers: " + e.getMessage()));
            return;
        } catch (ApiException e) {
            failure.accept(e);
            return;
        }
        context.request().pause();
        // SPDY names its ports per stream; the channel protocol names them in the query, passed on as they came.
        String query = ports.stream().map(port -> "ports=" + PodTarget.encode(port)).collect(Collectors.joining("&"));
        lookup.pod(namespace, name)
                .subscribe().with(target -> sockets.relay(context, target, path + (query.isEmpty() ? ""
                        : "?" + query), protocol, failure), failure);
    }
}
