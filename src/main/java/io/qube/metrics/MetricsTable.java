package io.qube.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qube.apiserver.codec.Json;

import java.util.List;

/** NodeMetrics and PodMetrics as a meta.k8s.io Table ({@code kubectl get nodemetrics}): name, cpu, memory, window. */
final class MetricsTable {

    private MetricsTable() {
    }

    static ObjectNode of(List<ObjectNode> items, boolean pods) {
        ObjectNode table = Json.MAPPER.createObjectNode();
        table.put("kind", "Table").put("apiVersion", "meta.k8s.io/v1");
        table.putObject("metadata");
        ArrayNode columns = table.putArray("columnDefinitions");
        column(columns, "Name", "string", "name");
        column(columns, "CPU", "string", "cpu usage");
        column(columns, "Memory", "string", "memory working set");
        column(columns, "Window", "string", "the interval the usage was measured over");
        ArrayNode rows = table.putArray("rows");
        for (ObjectNode item : items) {
            long nanoCores = 0;
            long bytes = 0;
            List<JsonNode> usages = new java.util.ArrayList<>();
            if (pods) {
                item.path("containers").forEach(container -> usages.add(container.path("usage")));
            } else {
                usages.add(item.path("usage"));
            }
            for (JsonNode usage : usages) {
                nanoCores += parse(usage.path("cpu").asText(), "n", 1);
                bytes += parse(usage.path("memory").asText(), "Ki", 1024);
            }
            ObjectNode row = rows.addObject();
            row.putArray("cells").add(item.path("metadata").path("name").asText()).add(Quantities.cpu(nanoCores))
                    .add(Quantities.memory(bytes)).add(item.path("window").asText());
            ObjectNode object = row.putObject("object");
            object.put("kind", "PartialObjectMetadata").put("apiVersion", "meta.k8s.io/v1");
            object.set("metadata", item.path("metadata").deepCopy());
        }
        return table;
    }

    private static void column(ArrayNode columns, String name, String type, String description) {
        columns.addObject().put("name", name).put("type", type).put("format", name.equals("Name") ? "name" : "")
                .put("description", description).put("priority", 0);
    }

    /** Reads back the figures this package wrote (a number with an optional suffix). */
    private static long parse(String quantity, String suffix, long unit) {
        return quantity.endsWith(suffix) ? Long.parseLong(quantity.substring(0, quantity.length() - suffix.length()))
                * unit : Long.parseLong(quantity);
    }
}
