package io.qube.apiserver.crd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Collection;
import java.util.HashSet;
import java.util.Set;

/**
 * What Kubernetes' naming and establishing controllers make of a CRD's status: its requested names are accepted
 * unless another CRD of the group has accepted them (NamesAccepted False with PluralConflict, SingularConflict,
 * ShortNamesConflict, KindConflict or ListKindConflict; names accepted before stay), and a CRD whose names are
 * accepted is Established. A CRD being deleted is Terminating.
 */
public final class NamingConditions {

    public static final String NAMES_ACCEPTED = "NamesAccepted";
    public static final String ESTABLISHED = "Established";
    public static final String TERMINATING = "Terminating";

    private NamingConditions() {
    }

    /**
     * The status the CRD should have. Conditions keep their lastTransitionTime unless their status changes.
     *
     * @param others every other CRD, as stored
     * @param now    the time of a transition, as Kubernetes writes it (RFC 3339, seconds)
     */
    public static ObjectNode desired(ObjectNode crd, Collection<ObjectNode> others, String now) {
        ObjectNode status = crd.path("status") instanceof ObjectNode current ? current.deepCopy()
                : crd.objectNode();
        String group = crd.path("spec").path("group").asText();
        Set<String> resources = new HashSet<>();
        Set<String> kinds = new HashSet<>();
        for (ObjectNode other : others) {
            if (other.path("spec").path("group").asText().equals(group)
                    && !other.path("metadata").path("name").equals(crd.path("metadata").path("name"))) {
                JsonNode accepted = other.path("status").path("acceptedNames");
                add(resources, accepted.path("plural"));
                add(resources, accepted.path("singular"));
                accepted.path("shortNames").forEach(s -> add(resources, s));
                add(kinds, accepted.path("kind"));
                add(kinds, accepted.path("listKind"));
            }
        }
        JsonNode requested = crd.path("spec").path("names");
        ObjectNode accepted = status.path("acceptedNames") instanceof ObjectNode a ? a.deepCopy() : crd.objectNode();
        String reason = null;
        String message = null;
        String conflict = conflict(requested.path("plural"), accepted.path("plural"), resources);
        if (conflict != null) {
            reason = "PluralConflict";
            message = conflict;
        } else {
            accepted.set("plural", requested.path("plural"));
        }
        conflict = conflict(requested.path("singular"), accepted.path("singular"), resources);
        if (conflict != null) {
            reason = "SingularConflict";
            message = conflict;
        } else {
            accepted.set("singular", requested.path("singular"));
        }
        String shortConflict = null;
        Set<String> acceptedShort = new HashSet<>();
        accepted.path("shortNames").forEach(s -> acceptedShort.add(s.asText()));
        for (JsonNode shortName : requested.path("shortNames")) {
            if (!acceptedShort.contains(shortName.asText()) && resources.contains(shortName.asText())) {
                shortConflict = "\"" + shortName.asText() + "\" is already in use";
            }
        }
        if (shortConflict != null) {
            reason = "ShortNamesConflict";
            message = shortConflict;
        } else {
            copyOrRemove(accepted, "shortNames", requested.path("shortNames"));
        }
        String kindConflict = conflict(requested.path("kind"), accepted.path("kind"), kinds);
        String listKindConflict = conflict(requested.path("listKind"), accepted.path("listKind"), kinds);
        if (kindConflict != null) {
            reason = "KindConflict";
            message = kindConflict;
        } else if (listKindConflict != null) {
            reason = "ListKindConflict";
            message = listKindConflict;
        } else {
            accepted.set("kind", requested.path("kind"));
            accepted.set("listKind", requested.path("listKind"));
        }
        copyOrRemove(accepted, "categories", requested.path("categories"));
        status.set("acceptedNames", accepted);
        boolean namesAccepted = reason == null;
        setCondition(status, NAMES_ACCEPTED, namesAccepted ? "True" : "False",
                namesAccepted ? "NoConflicts" : reason, namesAccepted ? "no conflicts found" : message, now);
        JsonNode established = condition(status, ESTABLISHED);
        if (namesAccepted && !"True".equals(established.path("status").asText())) {
            setCondition(status, ESTABLISHED, "True", "InitialNamesAccepted", "the initial names have been accepted",
                    now);
        } else if (established.isMissingNode()) {
            setCondition(status, ESTABLISHED, "False", "NotAccepted", "not all names are accepted", now);
        }
        if (crd.path("metadata").hasNonNull("deletionTimestamp")) {
            setCondition(status, TERMINATING, "True", "InstanceDeletionInProgress",
                    "CustomResourceDefinition marked for deletion; instance deletion in progress", now);
        }
        return status;
    }

    /** Whether the CRD's status says it is served. */
    public static boolean isEstablished(JsonNode crd) {
        return "True".equals(condition(crd.path("status"), ESTABLISHED).path("status").asText());
    }

    private static String conflict(JsonNode requested, JsonNode accepted, Set<String> used) {
        String name = requested.asText("");
        if (name.equals(accepted.asText("")) || !used.contains(name)) {
            return null;
        }
        return "\"" + name + "\" is already in use";
    }

    private static void add(Set<String> names, JsonNode name) {
        if (name.isTextual() && !name.asText().isEmpty()) {
            names.add(name.asText());
        }
    }

    private static void copyOrRemove(ObjectNode target, String field, JsonNode value) {
        if (value.isArray() && !value.isEmpty()) {
            target.set(field, value.deepCopy());
        } else {
            target.remove(field);
        }
    }

    private static JsonNode condition(JsonNode status, String type) {
        for (JsonNode condition : status.path("conditions")) {
            if (condition.path("type").asText().equals(type)) {
                return condition;
            }
        }
        return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
    }

    private static void setCondition(ObjectNode status, String type, String value, String reason, String message,
                                     String now) {
        ArrayNode conditions = status.withArrayProperty("conditions");
        ObjectNode condition = null;
        for (JsonNode existing : conditions) {
            if (existing.path("type").asText().equals(type)) {
                condition = (ObjectNode) existing;
            }
        }
        if (condition == null) {
            condition = conditions.addObject().put("type", type);
        }
        if (!value.equals(condition.path("status").asText()) || !condition.has("lastTransitionTime")) {
            condition.put("lastTransitionTime", now);
        }
        condition.put("status", value).put("reason", reason).put("message", message);
    }
}
