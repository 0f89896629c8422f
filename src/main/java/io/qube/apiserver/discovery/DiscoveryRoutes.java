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
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * Serves {@code /version}, {@code /api}, {@code /apis} and the per-group documents, GET only. The documents are built
 * from one registry snapshot and kept until the served kinds change (a CustomResourceDefinition comes or goes): then
 * the next request builds them anew, so their bytes and ETags follow the registry.
 */
@ApplicationScoped
public class DiscoveryRoutes {

    private static final String JSON = "application/json";

    private final ResourceRegistry registry;
    private final AtomicReference<Documents> documents = new AtomicReference<>();

    public DiscoveryRoutes(ResourceRegistry registry) {
        this.registry = registry;
    }

    /** Every discovery document of one registry generation. */
    private record Documents(long generation, Handler<RoutingContext> core, Handler<RoutingContext> groups,
                             Map<String, StaticDocument> byPath) {
    }

    void init(@Observes Router router) {
        StaticDocument version = StaticDocument.json(ServerVersion.current(), JSON);
        router.get("/version").handler(version::send);
        router.get("/api").handler(context -> current().core().handle(context));
        router.get("/apis").handler(context -> current().groups().handle(context));
        Handler<RoutingContext> byPath = context -> {
            StaticDocument document = current().byPath().get(context.normalizedPath());
            if (document == null) {
                context.next();
            } else {
                document.send(context);
            }
        };
        router.get("/api/:version").handler(byPath);
        router.get("/apis/:group").handler(byPath);
        router.get("/apis/:group/:version").handler(byPath);
    }

    /** Whether a discovery document is served at the path now (another method there is then a 405). */
    public boolean serves(String path) {
        return path.equals("/version") || path.equals("/api") || path.equals("/apis")
                || current().byPath().containsKey(path);
    }

    private Documents current() {
        Documents built = documents.get();
        long generation = registry.generation();
        if (built == null || built.generation() != generation) {
            built = build(generation);
            documents.set(built);
        }
        return built;
    }

    private Documents build(long generation) {
        LegacyDiscovery legacy = new LegacyDiscovery(registry);
        AggregatedDiscovery aggregated = new AggregatedDiscovery(registry);
        Map<String, StaticDocument> byPath = new HashMap<>();
        for (String coreVersion : registry.versions("")) {
            byPath.put("/api/" + coreVersion, StaticDocument.json(legacy.resources("", coreVersion), JSON));
        }
        for (String group : registry.groups()) {
            byPath.put("/apis/" + group, StaticDocument.json(legacy.group(group), JSON));
            for (String groupVersion : registry.versions(group)) {
                byPath.put("/apis/" + group + "/" + groupVersion,
                        StaticDocument.json(legacy.resources(group, groupVersion), JSON));
            }
        }
        return new Documents(generation, negotiated(legacy::coreVersions, aggregated::core),
                negotiated(legacy::groups, aggregated::groups), Map.copyOf(byPath));
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
