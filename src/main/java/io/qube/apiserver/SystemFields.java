package io.qube.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qube.apiserver.codec.Timestamps;

import java.time.Instant;
import java.util.UUID;

/** The metadata fields only the server sets: uid, timestamps, generation. Clients' values for them are ignored. */
final class SystemFields {

    private SystemFields() {
    }

    static String now() {
        return timestamp(Instant.now());
    }

    /** A metav1.Time: RFC 3339 in UTC, to the second. */
    static String timestamp(Instant at) {
        return Timestamps.seconds(at);
    }

    static void forCreate(ObjectNode metadata, boolean generation) {
        metadata.put("uid", UUID.randomUUID().toString());
        metadata.put("creationTimestamp", now());
        metadata.remove("resourceVersion");
        metadata.remove("deletionTimestamp");
        metadata.remove("deletionGracePeriodSeconds");
        if (generation) {
            metadata.put("generation", 1);
        } else {
            metadata.remove("generation");
        }
    }

    /** Keeps the stored object's system fields, whatever the new version says. */
    static void forUpdate(ObjectNode metadata, ObjectNode stored) {
        for (String field : new String[] {"uid", "creationTimestamp", "deletionTimestamp",
                "deletionGracePeriodSeconds", "generation"}) {
            JsonNode value = stored.get(field);
            if (value == null) {
                metadata.remove(field);
            } else {
                metadata.set(field, value);
            }
        }
    }
}
