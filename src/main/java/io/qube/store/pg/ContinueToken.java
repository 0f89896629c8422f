package io.qube.store.pg;

import io.qube.store.StoreException;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** Where the next page of a list starts, and the revision whose state all pages show; opaque to clients. */
record ContinueToken(long revision, String namespace, String name) {

    String encode() {
        String json = new JsonObject().put("rv", revision).put("ns", namespace).put("name", name).encode();
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    static ContinueToken decode(String token) {
        try {
            JsonObject json = new JsonObject(new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8));
            Long revision = json.getLong("rv");
            String namespace = json.getString("ns");
            String name = json.getString("name");
            if (revision == null || revision <= 0 || namespace == null || name == null) {
                throw invalid();
            }
            return new ContinueToken(revision, namespace, name);
        } catch (IllegalArgumentException | DecodeException | ClassCastException e) {
            throw invalid();
        }
    }

    private static StoreException invalid() {
        return new StoreException(StoreException.Reason.BAD_REQUEST, "invalid continue token");
    }
}
