package io.qube.store;

import java.util.Map;

/**
 * The new state of an object in a create or update.
 *
 * @param uid    for a create, the new object's uid; an update keeps the stored uid (see {@link Preconditions})
 * @param labels the labels to index for selectors (metadata.labels of the body)
 * @param fields the indexed field values (see {@link IndexedFields#extract})
 * @param body   the object serialized as JSON
 */
public record ObjectWrite(ObjectKey key, String uid, Map<String, String> labels, Map<String, String> fields,
                          String body) {

    public ObjectWrite {
        labels = labels == null ? Map.of() : labels;
        fields = fields == null ? Map.of() : fields;
        if (key == null || body == null) {
            throw new IllegalArgumentException("key and body are required");
        }
    }
}
