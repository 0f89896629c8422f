package io.qube.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qube.apiserver.codec.Timestamps;

import java.nio.ByteBuffer;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.UUID;

/** The metadata fields only the server sets: uid, timestamps, generation. Clients' values for them are ignored. */
final class SystemFields {

    /**
     * UUID.randomUUID draws from one SecureRandom that every thread shares (a lock, mixing in /dev/urandom), which
     * showed in the create path's profile; each thread has its own generator instead, seeded by the system.
     */
    private static final ThreadLocal<SecureRandom> RANDOM = ThreadLocal.withInitial(() -> {
        try {
            return SecureRandom.getInstance("SHA1PRNG");
        } catch (NoSuchAlgorithmException e) {
            return new SecureRandom();
        }
    });

    private SystemFields() {
    }

    /** A random (version 4) UUID, as Kubernetes gives every object. */
    static String newUid() {
        byte[] bytes = new byte[16];
        RANDOM.get().nextBytes(bytes);
        bytes[6] = (byte) (bytes[6] & 0x0f | 0x40);
        bytes[8] = (byte) (bytes[8] & 0x3f | 0x80);
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        return new UUID(buffer.getLong(), buffer.getLong()).toString();
    }

    static String now() {
        return timestamp(Instant.now());
    }

    /** A metav1.Time: RFC 3339 in UTC, to the second. */
    static String timestamp(Instant at) {
        return Timestamps.seconds(at);
    }

    static void forCreate(ObjectNode metadata, boolean generation) {
        metadata.put("uid", newUid());
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
