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
 * {@code pods/<name>/exec} and {@code pods/<name>/attach} over a WebSocket ({@code v5.channel.k8s.io} or
 * {@code v4.channel.k8s.io}), checked as kube-apiserver checks them (a command for exec, a pod that has not
 * completed, a container of the pod, ephemeral ones included), then relayed to the agent's {@code /exec/...} or
 * {@code /attach/...} by {@link AgentSockets}. SPDY, kubectl's fallback, is not served.
 */
public final class PodExec {

    private static final Set<String> STREAMS = Set.of("stdin", "stdout", "stderr", "tty");

    private final PodLookup lookup;
    private final AgentSockets sockets;

    public PodExec(PodLookup lookup, HttpClient agents) {
        this.lookup = lookup;
        this.sockets = new AgentSockets(agents);
    }

    /** {@code pods/exec}. @param failure how a failure before the upgrade is answered (a Status) */
    public void handle(RoutingContext context, String namespace, String name, Consumer<Throwable> failure) {
        if (context.queryParams().getAll("command").isEmpty()) {
            failure.accept(ApiException.badRequest("you must specify at least 1 command"));
            return;
        }
        relay(context, namespace, name, "exec", "exec into", failure);
    }

    /** {@code pods/attach}: the running container's own stdin and output. */
    public void attach(RoutingContext context, String namespace, String name, Consumer<Throwable> failure) {
        relay(context, namespace, name, "attach", "attach to", failure);
    }

    /** @param verb how the refusal for a completed pod words the operation */
    private void relay(RoutingContext context, String namespace, String name, String operation, String verb,
                       Consumer<Throwable> failure) {
        MultiMap query = context.queryParams();
        String protocol;
        try {
            protocol = AgentSockets.subprotocol(context, operation, ChannelSubprotocols.CHANNELS);
        } catch (ApiException e) {
            failure.accept(e);
            return;
        }
        // The request must stay unread until it is upgraded: pause it while the pod and the agent are looked up.
        context.request().pause();
        lookup.container(namespace, name, query.get("container"), pod -> running(pod, verb))
                .subscribe().with(target -> sockets.relay(context, target, target.agentPath(operation)
                        + forwardedQuery(query, operation), protocol, failure), failure);
    }

    private static void running(JsonNode pod, String verb) {
        String phase = pod.path("status").path("phase").asText("");
        if (phase.equals("Succeeded") || phase.equals("Failed")) {
            throw ApiException.badRequest("cannot " + verb + " a container in a completed pod; current phase is "
                    + phase);
        }
    }

    private static String forwardedQuery(MultiMap query, String operation) {
        return "?" + query.entries().stream().filter(entry -> STREAMS.contains(entry.getKey())
                        || operation.equals("exec") && entry.getKey().equals("command"))
                .map(entry -> PodTarget.encode(entry.getKey()) + "=" + PodTarget.encode(entry.getValue()))
                .collect(Collectors.joining("&"));
    }
}
