package io.qube.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qube.apiserver.ApiException;
import io.qube.apiserver.RequestInfo;
import io.qube.apiserver.codec.Json;
import io.qube.apiserver.registry.ResourceRegistry;
import io.qube.store.FieldSelector;
import io.qube.store.IndexedFields;
import io.qube.store.LabelSelector;
import io.qube.store.ListPage;
import io.qube.store.ListRequest;
import io.qube.store.ObjectStore;
import io.qube.store.StoredObject;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * {@code /apis/metrics.k8s.io/v1beta1}: NodeMetrics and PodMetrics computed from the scraper's latest figures, never
 * stored. Lists select Nodes and Pods from the watch cache with the request's label and field selectors and answer
 * for those that have figures (so {@code labelSelector} matches the pods' own labels, as metrics-server does); a get
 * of an object without figures is a 404. Read-only: get and list, JSON or Table.
 */
@ApplicationScoped
public class MetricsApi {

    static final String GROUP = "metrics.k8s.io";
    static final String API_VERSION = GROUP + "/v1beta1";

    private final MetricsScraper scraper;
    private final ObjectStore store;
    private final ResourceRegistry registry;
    private final IndexedFields indexedFields;

    public MetricsApi(MetricsScraper scraper, ObjectStore store, ResourceRegistry registry,
                      IndexedFields indexedFields) {
        this.scraper = scraper;
        this.store = store;
        this.registry = registry;
        this.indexedFields = indexedFields;
    }

    /** @param rest the path after {@code /apis/metrics.k8s.io/v1beta1/} */
    public void handle(RoutingContext context, String rest, Consumer<Throwable> failure) {
        RequestInfo request;
        try {
            request = RequestInfo.parse(GROUP, "v1beta1", rest, registry);
            if (!context.request().method().equals(HttpMethod.GET) || request.subresource() != null
                    || request.legacyWatch() || "true".equals(context.queryParams().get("watch"))) {
                throw ApiException.methodNotAllowed("the server does not allow this method on the requested "
                        + "resource (" + context.request().method() + " " + context.normalizedPath() + ")");
            }
        } catch (RuntimeException e) {
            failure.accept(e);
            return;
        }
        boolean pods = request.definition().kind().equals("PodMetrics");
        String objects = pods ? "Pod" : "Node";
        ListRequest selection;
        try {
            var type = registry.findKind("v1", objects).orElseThrow().storeType();
            List<FieldSelector.Requirement> fields = new ArrayList<>(FieldSelector.parse(
                    context.queryParams().get("fieldSelector"), type, indexedFields).requirements());
            if (request.name() != null) {
                fields.add(new FieldSelector.Requirement(FieldSelector.NAME, true, request.name()));
            }
            selection = new ListRequest(type, request.namespace(),
                    LabelSelector.parse(context.queryParams().get("labelSelector")), new FieldSelector(fields), 0,
                    null);
        } catch (RuntimeException e) {
            failure.accept(e instanceof io.qube.store.StoreException store ? ApiException.badRequest(store.getMessage())
                    : e);
            return;
        }
        boolean table = accepts(context, "as=Table");
        scraper.figures().chain(figures -> store.listCached(selection, false).map(page -> {
            List<ObjectNode> items = pods ? podMetrics(page, figures) : nodeMetrics(page, figures);
            if (request.name() != null) {
                if (items.isEmpty()) {
                    String shown = pods ? request.namespace() + "/" + request.name() : request.name();
                    throw ApiException.notFound(GROUP, pods ? "podmetrics" : "nodemetrics", shown);
                }
                return table ? MetricsTable.of(items, pods) : items.get(0);
            }
            return table ? MetricsTable.of(items, pods) : list(request.definition().listKind(), items);
        })).subscribe().with(body -> context.response().setStatusCode(200)
                .putHeader("Content-Type", "application/json").end(body.toString()), failure);
    }

    private List<ObjectNode> nodeMetrics(ListPage page, Map<String, NodeSummary> figures) {
        List<ObjectNode> items = new ArrayList<>();
        for (StoredObject node : page.items()) {
            NodeSummary summary = figures.get(node.key().name());
            if (summary == null || summary.node() == null) {
                continue;
            }
            ObjectNode item = item("NodeMetrics", tree(node), summary.node().time());
            ObjectNode usage = item.putObject("usage");
            usage.put("cpu", Quantities.cpu(summary.node().nanoCores()));
            usage.put("memory", Quantities.memory(summary.node().workingSetBytes()));
            items.add(item);
        }
        return items;
    }

    private List<ObjectNode> podMetrics(ListPage page, Map<String, NodeSummary> figures) {
        List<ObjectNode> items = new ArrayList<>();
        for (StoredObject stored : page.items()) {
            JsonNode pod = tree(stored);
            NodeSummary summary = figures.get(pod.path("spec").path("nodeName").asText(""));
            if (summary == null) {
                continue;
            }
            for (NodeSummary.PodUsage usage : summary.pods()) {
                if (usage.namespace().equals(stored.key().namespace()) && usage.name().equals(stored.key().name())) {
                    ObjectNode item = item("PodMetrics", pod, usage.time());
                    ArrayNode containers = item.putArray("containers");
                    for (NodeSummary.ContainerUsage container : usage.containers()) {
                        ObjectNode entry = containers.addObject();
                        entry.put("name", container.name());
                        entry.putObject("usage").put("cpu", Quantities.cpu(container.usage().nanoCores()))
                                .put("memory", Quantities.memory(container.usage().workingSetBytes()));
                    }
                    items.add(item);
                }
            }
        }
        return items;
    }

    /** The item's metadata is its object's name, namespace and labels, created now (it is computed on request). */
    private ObjectNode item(String kind, JsonNode object, Instant time) {
        ObjectNode item = Json.MAPPER.createObjectNode();
        item.put("kind", kind).put("apiVersion", API_VERSION);
        ObjectNode metadata = item.putObject("metadata");
        JsonNode source = object.path("metadata");
        metadata.put("name", source.path("name").asText());
        if (source.hasNonNull("namespace")) {
            metadata.put("namespace", source.path("namespace").asText());
        }
        metadata.put("creationTimestamp", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        if (source.has("labels")) {
            metadata.set("labels", source.get("labels").deepCopy());
        }
        item.put("timestamp", time.truncatedTo(ChronoUnit.SECONDS).toString());
        item.put("window", Quantities.duration(scraper.window()));
        return item;
    }

    private static ObjectNode list(String kind, List<ObjectNode> items) {
        ObjectNode list = Json.MAPPER.createObjectNode();
        list.put("kind", kind).put("apiVersion", API_VERSION);
        list.putObject("metadata");
        list.putArray("items").addAll(items);
        return list;
    }

    private static boolean accepts(RoutingContext context, String part) {
        String accept = context.request().getHeader("Accept");
        return accept != null && accept.contains(part);
    }

    private static JsonNode tree(StoredObject stored) {
        try {
            return Json.MAPPER.readTree(stored.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
