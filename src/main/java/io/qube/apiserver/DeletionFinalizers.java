package io.qube.apiserver;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;

/**
 * The finalizers through which a delete's propagation policy reaches the garbage collector, as in Kubernetes:
 * Orphan leaves {@value #ORPHAN} (the collector frees the dependents, then the object goes), Foreground leaves
 * {@value #FOREGROUND} (the object stays until its blocking dependents are gone), Background neither (the object
 * goes now and the collector removes the dependents after). A delete without a policy keeps what the object has.
 */
final class DeletionFinalizers {

    static final String ORPHAN = "orphan";
    static final String FOREGROUND = "foregroundDeletion";

    private DeletionFinalizers() {
    }

    /** The object's finalizers once the policy is applied. */
    static List<String> after(ObjectNode object, String policy) {
        List<String> finalizers = new ArrayList<>();
        object.path("metadata").path("finalizers").forEach(f -> finalizers.add(f.asText()));
        if (policy == null) {
            return finalizers;
        }
        String wanted = switch (policy) {
            case "Orphan" -> ORPHAN;
            case "Foreground" -> FOREGROUND;
            default -> null;
        };
        finalizers.removeIf(f -> (f.equals(ORPHAN) || f.equals(FOREGROUND)) && !f.equals(wanted));
        if (wanted != null && !finalizers.contains(wanted)) {
            finalizers.add(wanted);
        }
        return finalizers;
    }

    /** Whether the policy changes the object's finalizers. */
    static boolean changes(ObjectNode object, String policy) {
        List<String> current = new ArrayList<>();
        object.path("metadata").path("finalizers").forEach(f -> current.add(f.asText()));
        return !current.equals(after(object, policy));
    }

    /** Sets the object's finalizers as the policy wants them (none: the field goes). */
    static void apply(ObjectNode object, String policy) {
        List<String> finalizers = after(object, policy);
        ObjectNode metadata = object.withObjectProperty("metadata");
        if (finalizers.isEmpty()) {
            metadata.remove("finalizers");
            return;
        }
        ArrayNode list = metadata.putArray("finalizers");
        finalizers.forEach(list::add);
    }
}
