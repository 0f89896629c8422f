package io.qube.apiserver;

import io.qube.apiserver.discovery.DiscoveryRoutes;
import io.qube.apiserver.node.NodeProxy;
import io.qube.metrics.MetricsApi;
import io.qube.apiserver.registry.ResourceRegistry;
import io.qube.store.IndexedFields;
import io.qube.store.ObjectStore;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

/** Mounts the object API on the HTTP router: {@code /api/v1/...} and {@code /apis/<group>/<version>/...}. */
@ApplicationScoped
public class ApiRoutes {

    private static final Logger LOG = Logger.getLogger(ApiRoutes.class);

    @Inject
    ObjectStore store;

    @Inject
    ResourceRegistry registry;

    @Inject
    IndexedFields indexedFields;

    @Inject
    Vertx vertx;

    @Inject
    DiscoveryRoutes discovery;

    @Inject
    MetricsApi metrics;

    @Produces
    @Singleton
    static IndexedFields indexedFields() {
        return IndexedFields.kubernetesDefaults();
    }

    void install(@Observes Router router) {
        ObjectHandlers handlers = new ObjectHandlers(store, registry, indexedFields, vertx);
        handlers.bootstrap().await().atMost(java.time.Duration.ofSeconds(60));
        BodyHandler readBody = BodyHandler.create(false).setBodyLimit(ObjectStore.MAX_BODY_BYTES);
        // An upgrade has no body: a WebSocket (fabric8's watches, exec, port-forward) must find the request unread
        // to upgrade it, and kubectl's plain SPDY port-forward is answered by its handler, not as a form.
        Handler<RoutingContext> bodies = context -> {
            if (context.request().getHeader("Upgrade") != null) {
                context.next();
            } else if (isForm(context.request().getHeader("Content-Type"))) {
                // The body reader would decode a form (and fail on long fields); no API request takes one.
                Responses.failure(context, new ApiException(415, "UnsupportedMediaType", "the body of the request "
                        + "was in an unknown format - accepted media types include: application/json, "
                        + "application/yaml, application/vnd.kubernetes.protobuf", null, null, null, null));
            } else {
                readBody.handle(context);
            }
        };
        NodeProxy nodeProxy = new NodeProxy(store, registry.findKind("v1", "Node").orElseThrow().storeType(),
                vertx.createHttpClient());
        router.routeWithRegex("^/api/v1/nodes/([^/]+)/proxy(/.*)?$").handler(bodies).handler(context ->
                nodeProxy.handle(context, context.pathParam("param0"), context.pathParam("param1"),
                        failure -> Responses.failure(context, failure)))
                .failureHandler(ApiRoutes::failure);
        router.routeWithRegex("^/apis/metrics\\.k8s\\.io/v1beta1/(.+)$").handler(context -> metrics.handle(context,
                context.pathParam("param0"), failure -> Responses.failure(context, failure)))
                .failureHandler(ApiRoutes::failure);
        router.routeWithRegex("^/api/v1/(.+)$").handler(bodies).handler(context ->
                handlers.handle(context, "", "v1", context.pathParam("param0")))
                .failureHandler(ApiRoutes::failure);
        router.routeWithRegex("^/apis/([^/]+)/([^/]+)/(.+)$").handler(bodies).handler(context ->
                handlers.handle(context, context.pathParam("param0"), context.pathParam("param1"),
                        context.pathParam("param2")))
                .failureHandler(ApiRoutes::failure);
        // Last of all routes: whatever nothing else answered gets a Status, never the HTTP layer's HTML page.
        router.route().last().handler(context -> Responses.failure(context, unknownPath(router, discovery,
                context)));
    }

    /**
     * As Kubernetes: 405 on a path served with another method (the discovery and OpenAPI documents are GET only),
     * else 404 "the server could not find the requested resource".
     */
    private static ApiException unknownPath(Router router, DiscoveryRoutes discovery, RoutingContext context) {
        String path = context.normalizedPath();
        boolean served = discovery.serves(path)
                || router.getRoutes().stream().anyMatch(route -> path.equals(route.getPath()));
        if (served) {
            return ApiException.methodNotAllowed("the server does not allow this method on the requested resource ("
                    + context.request().method() + " " + path + ")");
        }
        return new ApiException(404, "NotFound", "the server could not find the requested resource", null, null,
                null, null);
    }

    private static boolean isForm(String contentType) {
        String type = contentType == null ? "" : contentType.trim().toLowerCase(java.util.Locale.ROOT);
        return type.startsWith("application/x-www-form-urlencoded") || type.startsWith("multipart/");
    }

    /** Failures raised before a handler answers (an oversized body, a bug) still get a Status. */
    private static void failure(RoutingContext context) {
        Throwable failure = context.failure();
        if (context.statusCode() == 413) {
            failure = new ApiException(413, "RequestEntityTooLarge", "the request body is larger than "
                    + ObjectStore.MAX_BODY_BYTES + " bytes", null, null, null, null);
        } else if (failure == null) {
            failure = new ApiException(context.statusCode(), "BadRequest", "the request could not be read", null,
                    null, null, null);
        } else if (!(failure instanceof ApiException)) {
            LOG.error("request failed: " + context.request().method() + " " + context.request().path(), failure);
        }
        Responses.failure(context, failure);
    }
}
