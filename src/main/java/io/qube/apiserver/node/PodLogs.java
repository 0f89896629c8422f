package io.qube.apiserver.node;

import com.fasterxml.jackson.databind.JsonNode;
import io.qube.apiserver.ApiException;
import io.qube.apiserver.codec.Json;
import io.qube.store.ObjectKey;
import io.qube.store.ObjectStore;
import io.qube.store.ResourceType;
import io.qube.store.StoreException;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.RequestOptions;
import io.vertx.ext.web.RoutingContext;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * {@code GET pods/<name>/log}: the options checked as Kubernetes checks them, the container chosen (the only one,
 * or the one named), then the log streamed from the agent of the pod's node ({@code /containerLogs/...} on the
 * node's advertised endpoint), as the kubelet's stream passes through kube-apiserver.
 */
public final class PodLogs {

    private static final Set<String> FORWARDED = Set.of("follow", "previous", "timestamps", "tailLines",
            "sinceSeconds", "sinceTime", "limitBytes");

    private final ObjectStore store;
    private final ResourceType pods;
    private final ResourceType nodes;
    private final HttpClient agents;

    public PodLogs(ObjectStore store, ResourceType pods, ResourceType nodes, HttpClient agents) {
        this.store = store;
        this.pods = pods;
        this.nodes = nodes;
        this.agents = agents;
    }

    /** @param failure how a failure is answered (a Status) */
    public void handle(RoutingContext context, String namespace, String name, Consumer<Throwable> failure) {
        MultiMap query = context.queryParams();
        try {
            check(query);
        } catch (ApiException e) {
            failure.accept(e);
            return;
        }
        store.get(ObjectKey.of(pods, namespace, name))
                .map(stored -> tree(stored.body()))
                .flatMap(pod -> {
                    String container = container(pod, name, query.get("container"));
                    String node = pod.path("spec").path("nodeName").asText("");
                    if (node.isEmpty()) {
                        throw ApiException.badRequest("pod " + name + " does not have a host assigned");
                    }
                    return store.get(ObjectKey.of(nodes, null, node))
                            .onFailure(StoreException.class).transform(e -> ((StoreException) e).reason()
                                    == StoreException.Reason.NOT_FOUND ? ApiException.notFound("", "nodes", node) : e)
                            .map(stored -> {
                        NodeAddress address = NodeAddress.of(tree(stored.body()));
                        if (address == null) {
                            throw ApiException.badRequest("node " + node + " advertises no endpoint for logs");
                        }
                        return new Target(address, "/containerLogs/" + encode(namespace) + "/" + encode(name) + "/"
                                + encode(container) + forwardedQuery(query));
                    });
                })
                .subscribe().with(target -> proxy(context, target, failure), failure);
    }

    private record Target(NodeAddress address, String path) {
    }

    private void proxy(RoutingContext context, Target target, Consumer<Throwable> failure) {
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setHost(target.address().host())
                .setPort(target.address().port()).setURI(target.path());
        agents.request(options)
                .compose(request -> request.send())
                .onSuccess(response -> relay(context, response, failure))
                .onFailure(e -> failure.accept(new ApiException(503, "ServiceUnavailable", "the agent of the pod's "
                        + "node at " + target.address().host() + ":" + target.address().port() + " did not answer: "
                        + e.getMessage(), null, null, null, null)));
    }

    private static void relay(RoutingContext context, HttpClientResponse response, Consumer<Throwable> failure) {
        HttpServerResponse out = context.response();
        if (response.statusCode() != 200) {
            response.body().onComplete(body -> {
                String message = body.succeeded() ? body.result().toString(StandardCharsets.UTF_8) : "";
                int code = response.statusCode();
                String reason = code == 404 ? "NotFound" : code == 400 ? "BadRequest" : "InternalError";
                failure.accept(new ApiException(code, reason, message, null, null, null, null));
            });
            return;
        }
        out.setChunked(true).putHeader("Content-Type", "text/plain").setStatusCode(200);
        // Headers first, so a follower sees the stream open before the first line.
        out.write(io.vertx.core.buffer.Buffer.buffer());
        out.closeHandler(v -> response.request().connection().close());
        response.handler(out::write);
        response.endHandler(v -> {
            if (!out.ended()) {
                out.end();
            }
        });
        response.exceptionHandler(e -> {
            if (!out.ended()) {
                out.end();
            }
        });
    }

    /** Kubernetes' validation of PodLogOptions. */
    private static void check(MultiMap query) {
        List<String> problems = new ArrayList<>();
        positive(query, "tailLines", true, problems);
        positive(query, "limitBytes", false, problems);
        positive(query, "sinceSeconds", false, problems);
        if (query.get("sinceSeconds") != null && query.get("sinceTime") != null) {
            problems.add("at most one of `sinceTime` or `sinceSeconds` may be specified");
        }
        if (query.get("sinceTime") != null) {
            try {
                java.time.Instant.parse(query.get("sinceTime"));
            } catch (java.time.format.DateTimeParseException e) {
                problems.add("sinceTime: Invalid value: \"" + query.get("sinceTime") + "\": must be RFC 3339");
            }
        }
        if (!problems.isEmpty()) {
            throw ApiException.badRequest(String.join(", ", problems));
        }
    }

    private static void positive(MultiMap query, String name, boolean zeroAllowed, List<String> problems) {
        String value = query.get(name);
        if (value == null) {
            return;
        }
        try {
            long number = Long.parseLong(value);
            if (number < 0 || number == 0 && !zeroAllowed) {
                problems.add(name + ": Invalid value: " + number + ": must be " + (zeroAllowed
                        ? "greater than or equal to 0" : "greater than 0"));
            }
        } catch (NumberFormatException e) {
            problems.add(name + ": Invalid value: \"" + value + "\": must be an integer");
        }
    }

    /** The container the request means, as Kubernetes picks it. */
    private static String container(JsonNode pod, String name, String asked) {
        List<String> containers = names(pod.path("spec").path("containers"));
        List<String> init = names(pod.path("spec").path("initContainers"));
        List<String> ephemeral = names(pod.path("spec").path("ephemeralContainers"));
        if (asked == null || asked.isEmpty()) {
            if (containers.size() == 1) {
                return containers.get(0);
            }
            String message = "a container name must be specified for pod " + name + ", choose one of: "
                    + list(containers);
            if (!init.isEmpty()) {
                message += " or one of the init containers: " + list(init);
            }
            throw ApiException.badRequest(message);
        }
        if (!containers.contains(asked) && !init.contains(asked) && !ephemeral.contains(asked)) {
            throw ApiException.badRequest("container " + asked + " is not valid for pod " + name);
        }
        return asked;
    }

    private static List<String> names(JsonNode containers) {
        List<String> names = new ArrayList<>();
        containers.forEach(container -> names.add(container.path("name").asText()));
        return names;
    }

    private static String list(List<String> names) {
        return names.stream().collect(Collectors.joining(" ", "[", "]"));
    }

    private static String forwardedQuery(MultiMap query) {
        String forwarded = query.entries().stream().filter(entry -> FORWARDED.contains(entry.getKey()))
                .map(entry -> encode(entry.getKey()) + "=" + encode(entry.getValue()))
                .collect(Collectors.joining("&"));
        return forwarded.isEmpty() ? "" : "?" + forwarded;
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static JsonNode tree(String body) {
        try {
            return Json.MAPPER.readTree(body);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
