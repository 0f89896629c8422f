package io.qube.store.pg;

import io.qube.store.ObjectKey;
import io.qube.store.ResourceType;
import io.qube.store.StoredObject;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;

import java.util.HashMap;
import java.util.Map;

/** Turns rows of {@link Sql#OBJECT_COLUMNS} into stored objects, and maps into the JSON text the SQL expects. */
final class Rows {

    private Rows() {
    }

    static StoredObject object(Row row) {
        ObjectKey key = new ObjectKey(new ResourceType(row.getString("api_group"), row.getString("resource")),
                row.getString("namespace"), row.getString("name"));
        return new StoredObject(key, row.getString("uid"), row.getLong("revision"), row.getLong("create_revision"),
                stringMap((JsonObject) row.getValue("labels")), stringMap((JsonObject) row.getValue("fields")),
                row.getString("body"));
    }

    static Map<String, String> stringMap(JsonObject json) {
        if (json == null || json.isEmpty()) {
            return Map.of();
        }
        Map<String, String> map = new HashMap<>(json.size() * 2);
        json.forEach(e -> map.put(e.getKey(), String.valueOf(e.getValue())));
        return map;
    }

    static Map<String, String> stringMap(String jsonText) {
        return jsonText == null ? Map.of() : stringMap(new JsonObject(jsonText));
    }

    static String json(Map<String, String> map) {
        return map.isEmpty() ? "{}" : new JsonObject(new HashMap<>(map)).encode();
    }
}
