package io.qube.apiserver;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qube.apiserver.codec.Json;
import io.qube.apiserver.registry.FieldErrors;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;

import org.jboss.logging.Logger;

import java.util.List;

/** Writing answers: JSON bodies, Warning headers, and failures as Kubernetes Status objects. */
final class Responses {

    static final String JSON = "application/json";
    private static final Logger LOG = Logger.getLogger(Responses.class);

    private Responses() {
    }

    static void json(RoutingContext context, int code, String body, List<String> warnings) {
        HttpServerResponse response = context.response();
        if (response.ended() || response.closed()) {
            return;
        }
        for (String warning : warnings) {
            response.headers().add("Warning", "299 - \"" + warning.replace("\"", "\\\"") + "\"");
        }
        response.setStatusCode(code).putHeader("Content-Type", JSON).end(body);
    }

    static void json(RoutingContext context, int code, String body) {
        json(context, code, body, List.of());
    }

    static void failure(RoutingContext context, Throwable failure) {
        if (!(failure instanceof ApiException)) {
            LOG.error("request failed: " + context.request().method() + " " + context.request().path(), failure);
        }
        json(context, statusCode(failure), status(failure).toString());
    }

    static int statusCode(Throwable failure) {
        return failure instanceof ApiException api ? api.code() : 500;
    }

    /** A Status for any failure; unexpected ones say only that something went wrong (the log has the rest). */
    static ObjectNode status(Throwable failure) {
        ObjectNode status = Json.MAPPER.createObjectNode();
        status.put("kind", "Status").put("apiVersion", "v1");
        status.putObject("metadata");
        status.put("status", "Failure");
        if (failure instanceof ApiException api) {
            status.put("message", api.getMessage());
            if (api.reason() != null) {
                status.put("reason", api.reason()); // Kubernetes gives some failures no reason
            }
            if (api.name() != null || api.kind() != null || !api.causes().isEmpty()) {
                ObjectNode details = status.putObject("details");
                if (api.name() != null) {
                    details.put("name", api.name());
                }
                if (api.group() != null && !api.group().isEmpty()) {
                    details.put("group", api.group());
                }
                if (api.kind() != null) {
                    details.put("kind", api.kind());
                }
                if (!api.causes().isEmpty()) {
                    ArrayNode causes = details.putArray("causes");
                    for (FieldErrors.Cause cause : api.causes()) {
                        ObjectNode shown = causes.addObject().put("reason", cause.reason())
                                .put("message", cause.message());
                        if (cause.field() != null) {
                            shown.put("field", cause.field()); // a cause may concern no field
                        }
                    }
                }
            }
            status.put("code", api.code());
        } else {
            status.put("message", "Internal error occurred: " + failure.getClass().getSimpleName())
                    .put("reason", "InternalError").put("code", 500);
        }
        return status;
    }
}
