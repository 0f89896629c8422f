package io.qube.apiserver.table;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.qube.apiserver.codec.Json;
import io.qube.apiserver.registry.ResourceDefinition;
import io.qube.apiserver.registry.TableColumn;

import java.time.Clock;
import java.time.Instant;
import java.util.List;

/**
 * Renders objects as a meta.k8s.io/v1 {@code Table}, the answer to kubectl's
 * {@code Accept: application/json;as=Table;v=v1;g=meta.k8s.io}. Like Kubernetes, every row carries every cell, the
 * wide ones included; kubectl hides priority-1 columns unless asked for {@code -o wide}. Cells that are durations
 * (AGE, "5m ago") are computed against this renderer's clock when the table is rendered.
 */
public final class TableRenderer {

    static final String API_VERSION = "meta.k8s.io/v1";

    private final Clock clock;

    public TableRenderer() {
        this(Clock.systemUTC());
    }

    public TableRenderer(Clock clock) {
        this.clock = clock;
    }

    /**
     * The table of a list: one row per object, in the order given, with the list's resourceVersion and continue
     * token (null or empty when there is no next page) in its metadata.
     */
    public <T extends HasMetadata> ObjectNode list(ResourceDefinition<T> definition, List<? extends T> objects,
                                                   String resourceVersion, String continueToken,
                                                   IncludeObject includeObject) {
        ObjectNode metadata = Json.MAPPER.createObjectNode();
        putIfPresent(metadata, "resourceVersion", resourceVersion);
        putIfPresent(metadata, "continue", continueToken);
        return table(definition, objects, metadata, true, includeObject);
    }

    /**
     * The table of one object: the answer to a GET of that object, or the object of one watch event. Kubernetes
     * sends a watch's column definitions with its first event only, and kubectl then lays out later events' rows
     * with the columns it already has; it also accepts them repeated. The table's resourceVersion is the object's.
     */
    public <T extends HasMetadata> ObjectNode single(ResourceDefinition<T> definition, T object,
                                                     IncludeObject includeObject, boolean withColumnDefinitions) {
        ObjectNode metadata = Json.MAPPER.createObjectNode();
        putIfPresent(metadata, "resourceVersion",
                object.getMetadata() == null ? null : object.getMetadata().getResourceVersion());
        return table(definition, List.of(object), metadata, withColumnDefinitions, includeObject);
    }

    private <T extends HasMetadata> ObjectNode table(ResourceDefinition<T> definition, List<? extends T> objects,
                                                     ObjectNode metadata, boolean withColumnDefinitions,
                                                     IncludeObject includeObject) {
        List<TableColumn<? super T>> columns = columnsOf(definition);
        ObjectNode table = Json.MAPPER.createObjectNode();
        table.put("kind", "Table");
        table.put("apiVersion", API_VERSION);
        table.set("metadata", metadata);
        ArrayNode definitions = table.putArray("columnDefinitions");
        if (withColumnDefinitions) {
            for (TableColumn<? super T> column : columns) {
                definitions.addObject()
                        .put("name", column.name())
                        .put("type", column.type())
                        .put("format", column.format())
                        .put("description", column.description())
                        .put("priority", column.priority());
            }
        }
        ArrayNode rows = table.putArray("rows");
        Instant now = clock.instant();
        for (T object : objects) {
            ObjectNode row = rows.addObject();
            ArrayNode cells = row.putArray("cells");
            for (TableColumn<? super T> column : columns) {
                addCell(cells, column, column.cell().value(object, now));
            }
            switch (includeObject) {
                case METADATA -> row.set("object", partialObjectMetadata(object));
                case OBJECT -> row.set("object", wholeObject(definition, object));
                case NONE -> { }
            }
        }
        return table;
    }

    /** A kind without columns of its own gets NAME and AGE, as kubectl shows for objects it has no printer for. */
    private static <T extends HasMetadata> List<TableColumn<? super T>> columnsOf(ResourceDefinition<T> definition) {
        if (!definition.columns().isEmpty()) {
            return definition.columns();
        }
        return List.of(CommonColumns.name(), CommonColumns.age());
    }

    private static void addCell(ArrayNode cells, TableColumn<?> column, Object value) {
        if (value == null) {
            cells.addNull();
        } else if (value instanceof String text) {
            cells.add(text);
        } else if (value instanceof Boolean flag) {
            cells.add(flag);
        } else if (value instanceof Integer number) {
            cells.add(number);
        } else if (value instanceof Long number) {
            cells.add(number);
        } else if (value instanceof Number number) {
            cells.add(number.doubleValue());
        } else {
            throw new IllegalStateException("column " + column.name() + " gave a " + value.getClass().getName()
                    + "; a cell must be a String, Number or Boolean");
        }
    }

    private static ObjectNode partialObjectMetadata(HasMetadata object) {
        ObjectNode partial = Json.MAPPER.createObjectNode();
        partial.put("kind", "PartialObjectMetadata");
        partial.put("apiVersion", API_VERSION);
        partial.set("metadata", Json.MAPPER.valueToTree(object.getMetadata()));
        return partial;
    }

    /** The object as a GET returns it; kind and apiVersion come from the definition even if the model left them out. */
    private static ObjectNode wholeObject(ResourceDefinition<?> definition, HasMetadata object) {
        ObjectNode whole = Json.MAPPER.valueToTree(object);
        whole.put("apiVersion", definition.apiVersion());
        whole.put("kind", definition.kind());
        return whole;
    }

    private static void putIfPresent(ObjectNode node, String field, String value) {
        if (value != null && !value.isEmpty()) {
            node.put(field, value);
        }
    }
}
