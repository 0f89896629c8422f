package io.qube.apiserver.openapi;

import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.qube.apiserver.codec.Json;
import io.qube.apiserver.discovery.MediaRange;
import io.qube.apiserver.discovery.StaticDocument;
import io.qube.apiserver.registry.ResourceRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.util.function.Function;

/**
 * Serves {@code /openapi/v2}, the {@code /openapi/v3} index and each group version's v3 document, GET only, in JSON.
 * The documents are generated on a worker thread (the first time, while the server starts, takes about a second,
 * mostly loading the model classes), and requests that come earlier wait for them. They are generated again when the
 * served kinds change (a CustomResourceDefinition comes or goes), so their hashes change with them.
 */
@ApplicationScoped
public class OpenApiRoutes {

    /**
     * The names under which Kubernetes serves the protobuf form of /openapi/v2 (kube-openapi's handler). Kubernetes'
     * object encoding, application/vnd.kubernetes.protobuf, is not one of them: there it is a 406.
     */
    private static final java.util.Set<String> PROTOBUF_SUBTYPES = java.util.Set.of(
            "com.github.proto-openapi.spec.v2@v1.0+protobuf", "com.github.proto-openapi.spec.v2.v1.0+protobuf");

    private final ResourceRegistry registry;
    private final Vertx vertx;
    private Future<OpenApiDocuments> documents;
    private long documentsGeneration;

    public OpenApiRoutes(ResourceRegistry registry, Vertx vertx) {
        this.registry = registry;
        this.vertx = vertx;
    }

    void init(@Observes Router router) {
        router.get("/openapi/v2").handler(context -> {
            // One URL, two forms: a cache must not answer a protobuf request with a stored JSON one (kube-openapi
            // sends the same header).
            context.response().putHeader(HttpHeaders.VARY, "Accept");
            send(context, current(), generated ->
                    wantsProtobuf(context) ? generated.swaggerProtobuf() : generated.swagger());
        });
        router.get("/openapi/v3").handler(context -> send(context, current(), OpenApiDocuments::index));
        router.getWithRegex("/openapi/v3/(apis?/.+)").handler(context -> {
            String path = context.pathParam("param0");
            Future<OpenApiDocuments> documents = current();
            send(context, documents, generated -> generated.groupVersion(path), context::next);
        });
        current();
    }

    /** The documents of the registry's current generation, generated (once) when it changed. */
    private synchronized Future<OpenApiDocuments> current() {
        long generation = registry.generation();
        if (documents == null || generation != documentsGeneration) {
            documentsGeneration = generation;
            documents = vertx.executeBlocking(() -> OpenApiDocuments.generate(registry));
        }
        return documents;
    }

    private static void send(RoutingContext context, Future<OpenApiDocuments> documents,
                             Function<OpenApiDocuments, StaticDocument> document) {
        send(context, documents, document, () -> { });
    }

    /** @param missing what to do when the documents have no such document (a group version not served) */
    private static void send(RoutingContext context, Future<OpenApiDocuments> documents,
                             Function<OpenApiDocuments, StaticDocument> document, Runnable missing) {
        if (!documents.isComplete()) {
            Context requestContext = Vertx.currentContext();
            documents.onComplete(done -> requestContext.runOnContext(ignored -> send(context, documents, document,
                    missing)));
        } else if (documents.failed()) {
            context.fail(documents.cause());
        } else {
            StaticDocument found = document.apply(documents.result());
            if (found == null) {
                missing.run();
            } else {
                serve(context, found);
            }
        }
    }

    /**
     * Whether the first acceptable clause of the Accept header that names a form we serve is the protobuf form of
     * the v2 document (kube-openapi knows it by two names); JSON otherwise.
     */
    private static boolean wantsProtobuf(RoutingContext context) {
        for (MediaRange range : MediaRange.parse(context.request().getHeader(HttpHeaders.ACCEPT))) {
            if (range.includes("application", "json")) {
                return false;
            }
            if (range.type().equals("application") && PROTOBUF_SUBTYPES.contains(range.subtype())) {
                return true;
            }
        }
        return false;
    }

    private static void serve(RoutingContext context, StaticDocument document) {
        // A client that accepts none of the forms we write gets 406, as from Kubernetes, rather than bytes it would
        // fail to parse.
        String accept = context.request().getHeader(HttpHeaders.ACCEPT);
        boolean protobuf = document.contentType().equals(OpenApiDocuments.PROTOBUF);
        if (!protobuf && !MediaRange.accepts(accept, "application", "json")) {
            notAcceptable(context);
            return;
        }
        // A URL with the current hash names these exact bytes forever (the v3 index links such URLs).
        boolean pinned = document.hash().equals(context.request().getParam("hash"));
        context.response().putHeader(HttpHeaders.CACHE_CONTROL,
                pinned ? "public, max-age=31536000, immutable" : "no-cache, private");
        document.send(context);
    }

    private static void notAcceptable(RoutingContext context) {
        Object status = new StatusBuilder().withStatus("Failure").withCode(406).withReason("NotAcceptable")
                .withMessage("only application/json (and for /openapi/v2 "
                + OpenApiDocuments.PROTOBUF + ") is served here").build();
        context.response().setStatusCode(406).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .end(Buffer.buffer(Json.MAPPER.valueToTree(status).toString()));
    }
}
