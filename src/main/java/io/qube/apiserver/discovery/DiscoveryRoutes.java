package io.qube.apiserver.discovery;

import io.qube.apiserver.registry.ResourceRegistry;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Serves {@code /version}, {@code /api}, {@code /apis} and the per-group documents on exact paths, GET only. Every
 * document is built once at start: the served kinds are fixed while the server runs.
 */
@ApplicationScoped
public class DiscoveryRoutes {

    private static final String JSON = "application/json";

    private final ResourceRegistry registry;

    public DiscoveryRoutes(ResourceRegistry registry) {
        this.registry = registry;
    }

    void init(@Observes Router router) {
        StaticDocument version = StaticDocument.json(ServerVersion.current(), JSON);
        router.get("/version").handler(version::send);

        LegacyDiscovery legacy = new LegacyDiscovery(registry);
        AggregatedDiscovery aggregated = new AggregatedDiscovery(registry);
        router.get("/api").handler(negotiated(legacy::coreVersions, aggregated::core));
        router.get("/apis").handler(negotiated(legacy::groups, aggregated::groups));

        for (String coreVersion : registry.versions("")) {
            serve(router, "/api/" + coreVersion, legacy.resources("", coreVersion));
        }
        for (String group : registry.groups()) {
            serve(router, "/apis/" + group, legacy.group(group));
            for (String groupVersion : registry.versions(group)) {
                serve(router, "/apis/" + group + "/" + groupVersion, legacy.resources(group, groupVersion));
            }
        }
    }

    private static void serve(Router router, String path, Object document) {
        router.get(path).handler(StaticDocument.json(document, JSON)::send);
    }

    /**
     * A document that answers in the legacy or an aggregated form, whichever the Accept header prefers. The legacy
     * form names the address the client reached the server at, so it is kept per address (a server has few).
     */
    private static Handler<RoutingContext> negotiated(Function<String, Object> legacy,
                                                      Function<DiscoveryFormat, Object> aggregated) {
        Map<DiscoveryFormat, StaticDocument> forms = new EnumMap<>(DiscoveryFormat.class);
        for (DiscoveryFormat format : DiscoveryFormat.values()) {
            if (format != DiscoveryFormat.LEGACY) {
                forms.put(format, StaticDocument.json(aggregated.apply(format), format.contentType()));
            }
        }
        Map<String, StaticDocument> legacyByAddress = new ConcurrentHashMap<>();
        return context -> {
            DiscoveryFormat format = DiscoveryFormat.negotiate(context.request().getHeader(HttpHeaders.ACCEPT));
            // Caches must not hand the aggregated form to a client that asked for the legacy one, or back.
            context.response().putHeader(HttpHeaders.VARY, HttpHeaders.ACCEPT);
            if (format == DiscoveryFormat.LEGACY) {
                legacyByAddress.computeIfAbsent(serverAddress(context), address -> StaticDocument.json(
                        legacy.apply(address), format.contentType())).send(context);
            } else {
                forms.get(format).send(context);
            }
        };
    }

    private static String serverAddress(RoutingContext context) {
        SocketAddress local = context.request().localAddress();
        String host = local.hostAddress() == null ? local.host() : local.hostAddress();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + local.port();
    }
}
