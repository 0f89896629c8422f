package io.qube.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import io.qube.apiserver.codec.Json;
import io.qube.apiserver.node.NodeAddress;
import io.qube.apiserver.registry.ResourceRegistry;
import io.qube.store.ListRequest;
import io.qube.store.ObjectStore;
import io.qube.store.ResourceType;
import io.qube.store.StoredObject;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Fetches {@code /stats/summary} from the agent of every Ready node, all at once and each within the scrape timeout,
 * every resolution interval, and keeps each node's latest figures in memory, as metrics-server does. Each apiserver
 * process scrapes on its own (nothing is shared or stored); it starts with the first metrics request, which waits
 * for that first round, so a process nobody asks for metrics never scrapes. A node that fails is skipped (its
 * figures dropped) and logged when it starts failing.
 */
@ApplicationScoped
public class MetricsScraper {

    private static final Logger LOG = Logger.getLogger(MetricsScraper.class);

    private final ObjectStore store;
    private final ResourceType nodes;
    private final Vertx vertx;
    private final MetricsSettings settings;
    private final Map<String, NodeSummary> latest = new ConcurrentHashMap<>();
    private final Set<String> failing = ConcurrentHashMap.newKeySet();
    private Uni<Void> firstRound;
    private HttpClient agents;

    public MetricsScraper(ObjectStore store, ResourceRegistry registry, Vertx vertx, MetricsSettings settings) {
        this.store = store;
        this.nodes = registry.findKind("v1", "Node").orElseThrow().storeType();
        this.vertx = vertx;
        this.settings = settings;
    }

    /** The latest figures by node name, once the first round has ended. */
    Uni<Map<String, NodeSummary>> figures() {
        return started().map(done -> Map.copyOf(latest));
    }

    /** The window the figures stand for: the scrape interval. */
    java.time.Duration window() {
        return settings.resolution();
    }

    private synchronized Uni<Void> started() {
        if (firstRound == null) {
            agents = vertx.createHttpClient(new HttpClientOptions()
                    .setConnectTimeout((int) settings.scrapeTimeout().toMillis()));
            firstRound = round().memoize().indefinitely();
            long period = Math.max(1, settings.resolution().toMillis());
            vertx.setPeriodic(period, period, id -> round().subscribe().with(done -> { }, e -> { }));
        }
        return firstRound;
    }

    /** One round over every Ready node; never fails (a node that does not answer is skipped). */
    private Uni<Void> round() {
        return store.listCached(ListRequest.all(nodes), false).onItem().transformToUni(page -> {
            Set<String> ready = new HashSet<>();
            List<Uni<Void>> scrapes = new ArrayList<>();
            for (StoredObject stored : page.items()) {
                JsonNode node = tree(stored);
                NodeAddress address = node == null ? null : NodeAddress.of(node);
                if (address != null && ready(node)) {
                    String name = stored.key().name();
                    ready.add(name);
                    scrapes.add(scrape(name, address));
                }
            }
            latest.keySet().retainAll(ready);
            failing.retainAll(ready);
            return scrapes.isEmpty() ? Uni.createFrom().voidItem()
                    : Uni.join().all(scrapes).andCollectFailures().replaceWithVoid();
        }).onFailure().recoverWithItem(e -> {
            LOG.warnf("resource metrics: the nodes could not be listed: %s", e.getMessage());
            return null;
        }).replaceWithVoid();
    }

    private Uni<Void> scrape(String name, NodeAddress address) {
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setHost(address.host())
                .setPort(address.port()).setURI("/stats/summary");
        return Uni.createFrom().completionStage(() -> agents.request(options)
                        .compose(request -> request.send())
                        .compose(response -> response.statusCode() == 200 ? response.body()
                                : io.vertx.core.Future.failedFuture("HTTP " + response.statusCode()))
                        .toCompletionStage())
                .ifNoItem().after(settings.scrapeTimeout()).fail()
                .map(body -> NodeSummary.parse(summary(body.getBytes())))
                .onItem().invoke(summary -> {
                    latest.put(name, summary);
                    if (failing.remove(name)) {
                        LOG.infof("resource metrics: node %s answers again", name);
                    }
                })
                .onFailure().recoverWithItem(e -> {
                    latest.remove(name);
                    if (failing.add(name)) {
                        LOG.warnf("resource metrics: node %s skipped, its agent at %s:%d did not answer: %s", name,
                                address.host(), address.port(), e.getMessage());
                    }
                    return null;
                })
                .replaceWithVoid();
    }

    private static boolean ready(JsonNode node) {
        for (JsonNode condition : node.path("status").path("conditions")) {
            if (condition.path("type").asText().equals("Ready")) {
                return condition.path("status").asText().equals("True");
            }
        }
        return false;
    }

    private static JsonNode summary(byte[] body) {
        try {
            return Json.MAPPER.readTree(body);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("the summary is not JSON: " + e.getMessage(), e);
        }
    }

    private static JsonNode tree(StoredObject stored) {
        try {
            return Json.MAPPER.readTree(stored.body());
        } catch (IOException e) {
            return null;
        }
    }
}
