package io.qube.apiserver.node;

import io.qube.apiserver.ApiException;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.RequestOptions;
import io.vertx.ext.web.RoutingContext;

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

    private final PodLookup lookup;
    private final HttpClient agents;

    public PodLogs(PodLookup lookup, HttpClient agents) {
        this.lookup = lookup;
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
        lookup.container(namespace, name, query.get("container"), pod -> { })
                .subscribe().with(target -> proxy(context, target, target.agentPath("containerLogs")
                        + forwardedQuery(query), failure), failure);
    }

    private void proxy(RoutingContext context, PodTarget target, String path, Consumer<Throwable> failure) {
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setHost(target.node().host())
                .setPort(target.node().port()).setURI(path);
        agents.request(options)
                .compose(request -> request.send())
                .onSuccess(response -> relay(context, response, failure))
                .onFailure(e -> failure.accept(target.unavailable(e)));
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




    private static String forwardedQuery(MultiMap query) {
        String forwarded = query.entries().stream().filter(entry -> FORWARDED.contains(entry.getKey()))
                .map(entry -> PodTarget.encode(entry.getKey()) + "=" + PodTarget.encode(entry.getValue()))
                .collect(Collectors.joining("&"));
        return forwarded.isEmpty() ? "" : "?" + forwarded;
    }


}
