package io.qube.test;

import io.qube.store.ObjectKey;
import io.qube.store.ObjectWrite;
import io.qube.store.ResourceType;
import io.qube.store.pg.PgObjectStore;
import io.qube.store.pg.PgStoreConfig;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;

/** Starts real store instances for tests and builds small objects to write. */
public final class StoreFixture {

    public static final ResourceType PODS = ResourceType.core("pods");
    public static final ResourceType CONFIGMAPS = ResourceType.core("configmaps");

    private StoreFixture() {
    }

    public static PgObjectStore start(Vertx vertx, PgStoreConfig config) {
        return PgObjectStore.start(vertx, config).await().atMost(Duration.ofSeconds(60));
    }

    public static PgObjectStore start(Vertx vertx, PgConnectOptions database) {
        return start(vertx, PgStoreConfig.defaults(database));
    }

    public static ObjectWrite pod(String namespace, String name, Map<String, String> labels, Map<String, String> fields) {
        return object(PODS, namespace, name, labels, fields, "");
    }

    public static ObjectWrite object(ResourceType type, String namespace, String name, Map<String, String> labels,
                                     Map<String, String> fields, String payload) {
        String body = "{\"kind\":\"Object\",\"metadata\":{\"name\":\"" + name + "\",\"namespace\":\"" + namespace
                + "\"},\"payload\":\"" + payload + "\"}";
        return new ObjectWrite(ObjectKey.of(type, namespace, name), UUID.randomUUID().toString(), labels, fields, body);
    }
}
