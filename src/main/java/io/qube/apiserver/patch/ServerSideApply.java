package io.qube.apiserver.patch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qube.apiserver.ApiException;
import io.qube.apiserver.codec.Json;
import io.qube.apiserver.registry.FieldErrors;
import io.qube.apiserver.registry.ResourceDefinition;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Server-side apply ({@code application/apply-patch+yaml}): the applied configuration is the manager's whole intent.
 * <ol>
 * <li>Its fields are checked against the other managers' (Update entries and other appliers): a field another manager
 * owns with a different value is a conflict, answered 409 Conflict listing every one, unless force is set, in which
 * case the manager takes those fields over.</li>
 * <li>It is merged into the live object ({@link AppliedMerge}).</li>
 * <li>Fields the manager applied last time and not now are removed, unless another manager owns them
 * ({@link FieldRemoval}).</li>
 * <li>The manager's Apply entry becomes exactly the applied fields; its time changes only when the apply changes
 * the object, so an identical re-apply changes nothing.</li>
 * </ol>
 * An object without managedFields is taken to be owned by "before-first-apply", as Kubernetes does, so a first apply
 * cannot silently overwrite values nobody recorded.
 */
final class ServerSideApply {

    static final String BEFORE_FIRST_APPLY = "before-first-apply";

    /** One field the applier wants to change that another manager owns. */
    private record Conflict(ManagedFields.Entry owner, FieldPath path) {
    }

    private ServerSideApply() {
    }

    /** The applied object: created from the configuration when live is null, else live with the configuration applied. */
    static ObjectNode apply(ObjectNode live, ObjectNode applied, ModelType type, ResourceDefinition<?> definition,
                            String manager, boolean force, Instant now) {
        checkRequest(applied, definition, manager);
        ObjectNode configuration = withoutNulls(applied);
        Map<FieldPath, JsonNode> appliedFields = ObjectFields.ofApplied(configuration, type);
        ManagedFields.Entry mine = new ManagedFields.Entry(manager, ManagedFields.APPLY, definition.apiVersion(),
                ManagedFields.timestamp(now), null, appliedFields.keySet());
        if (live == null) {
            ManagedFields.write(configuration, List.of(mine));
            return configuration;
        }

        Map<FieldPath, JsonNode> liveFields = ObjectFields.of(live, type);
        List<ManagedFields.Entry> entries = ManagedFields.read(live);
        if (entries.isEmpty()) {
            entries = List.of(new ManagedFields.Entry(BEFORE_FIRST_APPLY, ManagedFields.UPDATE,
                    definition.apiVersion(), mine.time(), null, liveFields.keySet()));
        }
        ManagedFields.Entry previous = null;
        List<ManagedFields.Entry> others = new ArrayList<>();
        List<Conflict> conflicts = new ArrayList<>();
        for (ManagedFields.Entry entry : entries) {
            if (entry.is(manager, ManagedFields.APPLY)) {
                previous = entry;
                continue;
            }
            Set<FieldPath> contested = contested(entry, appliedFields, liveFields);
            contested.forEach(path -> conflicts.add(new Conflict(entry, path)));
            others.add(entry.withFields(ManagedFields.minus(entry.fields(), contested)));
        }
        if (!conflicts.isEmpty() && !force) {
            throw conflictError(conflicts);
        }

        ObjectNode result = AppliedMerge.merge(live.deepCopy(), configuration, type);
        Set<FieldPath> ownedByOthers = new HashSet<>();
        others.forEach(entry -> ownedByOthers.addAll(entry.fields()));
        if (previous != null) {
            Set<FieldPath> released = ManagedFields.minus(previous.fields(), appliedFields.keySet(), ownedByOthers);
            FieldRemoval.remove(result, released, ownedByOthers, type);
        }
        // As in Kubernetes, the entry's time says when this manager last changed the object.
        boolean unchanged = previous != null && result.equals(live);
        others.add(unchanged ? mine.at(previous.time()) : mine);
        ManagedFields.write(result, others);
        return result;
    }

    /** The fields of entry that the configuration sets to another value than the live one. */
    private static Set<FieldPath> contested(ManagedFields.Entry entry, Map<FieldPath, JsonNode> appliedFields,
                                            Map<FieldPath, JsonNode> liveFields) {
        Set<FieldPath> contested = new LinkedHashSet<>();
        for (FieldPath path : entry.fields()) {
            JsonNode wanted = appliedFields.get(path);
            JsonNode current = liveFields.get(path);
            if (wanted != null && current != null && !JsonValues.same(wanted, current)) {
                contested.add(path);
            }
        }
        return contested;
    }

    private static void checkRequest(ObjectNode applied, ResourceDefinition<?> definition, String manager) {
        if (manager == null || manager.isBlank()) {
            throw ApiException.invalid("meta.k8s.io", "PatchOptions", "",
                    new FieldErrors().required("fieldManager", "is required for apply patch"));
        }
        JsonNode managedFields = applied.path("metadata").path("managedFields");
        if (!managedFields.isMissingNode() && !managedFields.isNull()) {
            throw ApiException.badRequest("metadata.managedFields must be nil");
        }
        String apiVersion = applied.path("apiVersion").asText("");
        String kind = applied.path("kind").asText("");
        if (!apiVersion.equals(definition.apiVersion()) || !kind.equals(definition.kind())) {
            throw ApiException.badRequest("an apply patch must name its apiVersion and kind, here \""
                    + definition.apiVersion() + "\" and \"" + definition.kind() + "\"; it names \"" + apiVersion
                    + "\" and \"" + kind + "\"");
        }
    }

    /** The configuration without null values: in an apply, leaving a field out is how it is given up. */
    private static ObjectNode withoutNulls(ObjectNode applied) {
        ObjectNode copy = Json.MAPPER.createObjectNode();
        applied.properties().forEach(field -> {
            if (!field.getValue().isNull()) {
                copy.set(field.getKey(), withoutNulls(field.getValue()));
            }
        });
        return copy;
    }

    private static JsonNode withoutNulls(JsonNode value) {
        if (value instanceof ObjectNode object) {
            return withoutNulls(object);
        }
        if (value instanceof ArrayNode list) {
            ArrayNode copy = Json.MAPPER.createArrayNode();
            list.forEach(item -> {
                if (!item.isNull()) {
                    copy.add(withoutNulls(item));
                }
            });
            return copy;
        }
        return value;
    }

    /**
     * Kubernetes' answer: "Apply failed with N conflicts: ...", a FieldManagerConflict cause per field, and kubectl
     * then explains --force-conflicts.
     */
    private static ApiException conflictError(List<Conflict> conflicts) {
        conflicts.sort(Comparator.comparing((Conflict conflict) -> conflict.owner().manager())
                .thenComparing(conflict -> conflict.path().toString()));
        List<FieldErrors.Cause> causes = conflicts.stream()
                .map(conflict -> new FieldErrors.Cause("FieldManagerConflict",
                        "conflict with " + describe(conflict.owner()), conflict.path().toString()))
                .toList();
        String message;
        if (conflicts.size() == 1) {
            Conflict only = conflicts.get(0);
            message = "Apply failed with 1 conflict: conflict with " + describe(only.owner()) + ": " + only.path();
        } else {
            Map<String, List<String>> byOwner = new LinkedHashMap<>();
            conflicts.forEach(conflict -> byOwner.computeIfAbsent(describe(conflict.owner()), owner -> new ArrayList<>())
                    .add("- " + conflict.path()));
            message = "Apply failed with " + conflicts.size() + " conflicts: " + byOwner.entrySet().stream()
                    .map(owner -> "conflicts with " + owner.getKey() + ":\n" + String.join("\n", owner.getValue()))
                    .collect(Collectors.joining("\n"));
        }
        return new ApiException(409, "Conflict", message, null, null, null, causes);
    }

    /** How Kubernetes names a manager in a conflict: an Update names its API version and time. */
    private static String describe(ManagedFields.Entry owner) {
        String name = "\"" + owner.manager() + "\"";
        if (!owner.operation().equals(ManagedFields.UPDATE)) {
            return name;
        }
        return name + " using " + owner.apiVersion() + (owner.time() == null ? "" : " at " + owner.time());
    }
}
