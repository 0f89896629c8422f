package io.qube.apiserver.node;

import com.fasterxml.jackson.databind.JsonNode;
import io.qube.apiserver.ApiException;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpClient;
import io.vertx.ext.web.RoutingContext;

import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * {@code pods/<name>/exec} over a WebSocket ({@code v5.channel.k8s.io} or {@code v4.channel.k8s.io}), checked as
 * kube-apiserver checks it (a command, a pod that has not completed, a container), then relayed to the agent's
 * {@code /exec/...} by {@link AgentSockets}. SPDY, kubectl's fallback, is not served.
 */
public final class PodExec {

    private static final Set<String> FORWARDED = Set.of("command", "stdin", "stdout", "stderr", "tty");

    private final PodLookup lookup;
    private final AgentSockets sockets;

    public PodExec(PodLookup lookup, HttpClient agents) {
        this.lookup = lookup;
        this.sockets = new AgentSockets(agents);
    }

    /** @param failure how a failure before the upgrade is answered (a Status) */
    public void handle(RoutingContext context, String namespace, String name, Consumer<Throwable> failure) {
        MultiMap query = context.queryParams();
        String protocol;
        try {
            if (query.getAll("command").isEmpty()) {
                throw ApiException.badRequest("you must specify at least 1 command");
            }
            protocol = AgentSockets.subprotocol(context, "exec", ChannelSubprotocols.CHANNELS);
        } catch (ApiException e) {
            failure.accept(e);
            return;
        }
        // The request must stay unread until it is upgraded: pause it while the pod and the agent are looked up.
        context.request().pause();
        lookup.container(namespace, name, query.get("container"), PodExec::running)
                .subscribe().with(target -> sockets.relay(context, target, target.agentPath("exec")
                        + forwardedQuery(query), protocol, failure), failure);
    }

    private static void running(JsonNode pod) {
        String phase = pod.path("status").path("phase").asText("");
        if (phase.equals("Succeeded") || phase.equals("Failed")) {
            throw ApiException.badRequest("cannot exec into a container in a completed pod; current phase is "
                    + phase);
        }
    }

    private static String forwardedQuery(MultiMap query) {
        return "?" + query.entries().stream().filter(entry -> FORWARDED.contains(entry.getKey()))
                .map(entry -> PodTarget.encode(entry.getKey()) + "=" + PodTarget.encode(entry.getValue()))
                .collect(Collectors.joining("&"));
    }
}
