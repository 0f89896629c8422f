package io.qube.apiserver;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.qube.apiserver.codec.Json;
import io.qube.store.StoredObject;

import java.util.Collection;

/** Reading cached objects that admission consults (priority, storage and ingress classes) as JSON trees. */
final class StoredTrees {

    private StoredTrees() {
    }

    /** The object of that name among {@code objects}, or null. */
    static JsonNode named(Collection<StoredObject> objects, String name) {
        for (StoredObject stored : objects) {
            if (stored.key().name().equals(name)) {
                return parse(stored);
            }
        }
        return null;
    }

    /**
     * The default among classes (storage or ingress classes): one with any of the annotations set to "true"; when
     * several are, the newest, and on a tie the name that sorts first, as Kubernetes breaks it. Null if none.
     */
    static JsonNode newestMarked(Collection<StoredObject> classes, String... annotations) {
        JsonNode chosen = null;
        for (StoredObject stored : classes) {
            JsonNode candidate = parse(stored);
            JsonNode present = candidate.path("metadata").path("annotations");
            boolean marked = false;
            for (String annotation : annotations) {
                marked |= present.path(annotation).asText("").equals("true");
            }
            if (marked && (chosen == null || newer(candidate, chosen))) {
                chosen = candidate;
            }
        }
        return chosen;
    }

    private static boolean newer(JsonNode candidate, JsonNode chosen) {
        int byTime = candidate.path("metadata").path("creationTimestamp").asText("")
                .compareTo(chosen.path("metadata").path("creationTimestamp").asText(""));
        return byTime > 0 || byTime == 0 && candidate.path("metadata").path("name").asText("")
                .compareTo(chosen.path("metadata").path("name").asText("")) < 0;
    }

    static JsonNode parse(StoredObject stored) {
        try {
            return Json.MAPPER.readTree(stored.body());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored object " + stored.key() + " is not JSON", e);
        }
    }
}
