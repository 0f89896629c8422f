package io.qube.test;

import io.qube.launcher.DatasourceUrl;
import io.qube.launcher.EmbeddedDatabase;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.vertx.pgclient.PgConnectOptions;

import java.util.Map;

/** Gives a {@code @QuarkusTest} application a fresh database of its own on the tests' PostgreSQL. */
public class EmbeddedPostgresResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        PgConnectOptions database = TestPostgres.freshDatabase();
        return Map.of(
                DatasourceUrl.PROPERTY, TestPostgres.server().reactiveUrl(database.getDatabase()),
                DatasourceUrl.USERNAME_PROPERTY, EmbeddedDatabase.USER);
    }

    @Override
    public void stop() {
        // The tests' server stops with the test JVM; the database is left for a look after a failure.
    }
}
