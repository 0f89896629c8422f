package io.qube.test;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.vertx.pgclient.PgConnectOptions;

import java.util.Map;

/** Points a {@code @QuarkusTest} application at a fresh database on the tests' embedded PostgreSQL. */
public class EmbeddedPostgresResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        PgConnectOptions database = TestPostgres.freshDatabase();
        return Map.of(
                "quarkus.datasource.reactive.url", TestPostgres.server().reactiveUrl(database.getDatabase()),
                "quarkus.datasource.username", database.getUser());
    }

    @Override
    public void stop() {
        // The embedded server is shared by the whole test JVM and stops with it; the database is left for inspection.
    }
}
