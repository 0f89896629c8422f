package io.qube.apiserver;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.qube.apiserver.codec.Json;
import io.qube.store.StoredObject;

import java.util.Collection;

/** Reading cached objects that admission consults (priority classes, storage classes) as JSON trees. */
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

    static JsonNode parse(StoredObject stored) {
        try {
            return Json.MAPPER.readTree(stored.body());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored object " + stored.key() + " is not JSON", e);
        }
    }
}
