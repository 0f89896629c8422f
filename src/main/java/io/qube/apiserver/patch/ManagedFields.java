package io.qube.apiserver.patch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qube.apiserver.codec.Json;
import io.qube.apiserver.codec.Timestamps;
import io.qube.apiserver.registry.ResourceDefinition;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * {@code metadata.managedFields}: which manager owns which fields, as Kubernetes records them (FieldsV1). Apply entries
 * are written by {@link ServerSideApply}; every other write records an Update entry here: the writer takes the fields
 * it added or changed from whoever owned them, and removed fields leave every entry.
 */
public final class ManagedFields {

    static final String APPLY = "Apply";
    static final String UPDATE = "Update";

    /** Kubernetes' order of entries: Apply before Update, then oldest first, then by manager. */
    private static final Comparator<Entry> ORDER = Comparator.comparing(Entry::operation)
            .thenComparing(entry -> Objects.requireNonNullElse(entry.time(), ""))
            .thenComparing(Entry::manager);

    /** One entry of managedFields. */
    record Entry(String manager, String operation, String apiVersion, String time, String subresource,
                 Set<FieldPath> fields) {

        Entry withFields(Set<FieldPath> owned) {
            return new Entry(manager, operation, apiVersion, time, subresource, owned);
        }

        Entry at(String when) {
            return new Entry(manager, operation, apiVersion, when, subresource, fields);
        }

        boolean is(String name, String op) {
            return manager.equals(name) && operation.equals(op);
        }

        private ObjectNode toJson() {
            return entryJson(manager, operation, apiVersion, time, subresource, FieldsV1.write(fields));
        }
    }

    private ManagedFields() {
    }

    private static ObjectNode entryJson(String manager, String operation, String apiVersion, String time,
                                        String subresource, ObjectNode fieldsV1) {
        ObjectNode json = Json.MAPPER.createObjectNode().put("manager", manager).put("operation", operation)
                .put("apiVersion", apiVersion);
        if (time != null) {
            json.put("time", time);
        }
        json.put("fieldsType", "FieldsV1").set("fieldsV1", fieldsV1);
        if (subresource != null) {
            json.put("subresource", subresource);
        }
        return json;
    }

    /**
     * Records a write that is not an apply (a create, an update, a JSON, merge or strategic merge patch) made by
     * {@code manager}: sets {@code after}'s managedFields and returns {@code after}. {@code before} is null for a create.
     * Without a manager nothing is recorded. As in Kubernetes, managedFields the writer changed are taken as they are
     * sent; an empty list keeps the stored ones; a list of one empty entry ({@code [{}]}) clears them.
     */
    public static ObjectNode recordUpdate(ObjectNode before, ObjectNode after, ResourceDefinition<?> definition,
                                          String manager, Instant now) {
        return recordUpdate(before, after, ModelType.of(definition.type()), definition.apiVersion(), manager, now);
    }

    static ObjectNode recordUpdate(ObjectNode before, ObjectNode after, ModelType type, String apiVersion,
                                   String manager, Instant now) {
        JsonNode sent = after.path("metadata").path("managedFields");
        if (sent.isArray() && sent.size() == 1 && sent.get(0).isEmpty()) {
            write(after, List.of());
            return after;
        }
        boolean hasManager = manager != null && !manager.isBlank();
        if (before == null && sent.isEmpty() && hasManager) {
            return recordCreate(after, type, apiVersion, manager, now);
        }
        List<Entry> entries = sent.isEmpty() ? read(before) : read(after);
        if (!hasManager) {
            write(after, entries);
            return after;
        }
        ObjectFields.Changes changes = ObjectFields.changes(before == null ? after.objectNode() : before, after, type);
        Set<FieldPath> changed = changes.changed();
        Set<FieldPath> removed = changes.removed();

        List<Entry> updated = new ArrayList<>();
        Entry previous = null;
        for (Entry entry : entries) {
            if (entry.is(manager, UPDATE)) {
                previous = entry;
            } else {
                updated.add(entry.withFields(minus(entry.fields(), changed, removed)));
            }
        }
        Set<FieldPath> owned = new LinkedHashSet<>(previous == null ? Set.of() : previous.fields());
        owned.removeAll(removed);
        owned.addAll(changed);
        // As in Kubernetes, the entry's time says when this manager last set a value.
        String time = changed.isEmpty() && previous != null ? previous.time() : timestamp(now);
        updated.add(new Entry(manager, UPDATE, apiVersion, time, null, owned));
        write(after, updated);
        return after;
    }

    /**
     * The common create: no managedFields sent, nothing stored before, so the writer owns every field and its entry
     * is the only one. The same result as the general path, without computing its path sets and differences.
     */
    private static ObjectNode recordCreate(ObjectNode after, ModelType type, String apiVersion, String manager,
                                           Instant now) {
        ObjectNode fieldsV1 = FieldsV1.ofObject(after, type);
        ObjectNode metadata = metadataOf(after);
        if (fieldsV1.isEmpty()) {
            metadata.remove("managedFields");
        } else {
            metadata.putArray("managedFields").add(entryJson(manager, UPDATE, apiVersion, timestamp(now), null,
                    fieldsV1));
        }
        return after;
    }

    static List<Entry> read(JsonNode object) {
        List<Entry> entries = new ArrayList<>();
        if (object == null) {
            return entries;
        }
        for (JsonNode json : object.path("metadata").path("managedFields")) {
            if (json.path("manager").isTextual() && json.path("operation").isTextual()) {
                entries.add(new Entry(json.get("manager").asText(), json.get("operation").asText(),
                        json.path("apiVersion").asText(null), json.path("time").asText(null),
                        json.path("subresource").asText(null), FieldsV1.read(json.get("fieldsV1"))));
            }
        }
        return entries;
    }

    /** Writes the entries that own something, in Kubernetes' order; none removes managedFields. */
    static void write(ObjectNode object, List<Entry> entries) {
        ObjectNode metadata = metadataOf(object);
        List<Entry> owning = entries.stream().filter(entry -> !entry.fields().isEmpty()).sorted(ORDER).toList();
        if (owning.isEmpty()) {
            metadata.remove("managedFields");
            return;
        }
        ArrayNode list = metadata.putArray("managedFields");
        owning.forEach(entry -> list.add(entry.toJson()));
    }

    private static ObjectNode metadataOf(ObjectNode object) {
        return object.get("metadata") instanceof ObjectNode existing ? existing : object.putObject("metadata");
    }

    /** RFC 3339 in whole seconds, as Kubernetes writes times. */
    static String timestamp(Instant now) {
        return Timestamps.seconds(now);
    }

    @SafeVarargs
    static Set<FieldPath> minus(Set<FieldPath> fields, Set<FieldPath>... taken) {
        Set<FieldPath> left = new LinkedHashSet<>(fields);
        for (Set<FieldPath> set : taken) {
            left.removeAll(set);
        }
        return left;
    }
}
