package io.qube.launcher;

import io.qube.store.StoredObject;
import io.qube.store.pg.PgObjectStore;
import io.qube.test.StoreFixture;
import io.qube.test.TestPostgres;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.qube.test.StoreFixture.pod;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The readiness and liveness checks against a store on a real PostgreSQL that becomes unreachable, or whose change
 * log the watch cache cannot read for a while.
 */
class StoreReadinessCheckTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    private final Vertx vertx = Vertx.vertx();
    private EmbeddedDatabase ownServer;
    private PgObjectStore store;

    @AfterEach
    void stop() {
        if (store != null) {
            store.close();
        }
        vertx.close().toCompletionStage().toCompletableFuture().join();
        if (ownServer != null) {
            ownServer.close();
        }
    }

    @Test
    void notReadyWhileTheDatabaseIsDownAndReadyAgainWhenItIsBackWhileStayingLive() {
        Path dataDirectory = TestPostgres.newDataDirectory();
        ownServer = EmbeddedDatabase.start(dataDirectory, 0);
        int port = ownServer.port();
        store = StoreFixture.start(vertx, ownServer.connectOptions(EmbeddedDatabase.DATABASE));
        StoreReadinessCheck readiness = new StoreReadinessCheck(store);
        StoreLivenessCheck liveness = new StoreLivenessCheck(store);
        assertThat(check(readiness).getStatus()).isEqualTo(HealthCheckResponse.Status.UP);

        ownServer.close();
        await().atMost(WAIT).untilAsserted(() -> {
            HealthCheckResponse response = check(readiness);
            assertThat(response.getStatus()).isEqualTo(HealthCheckResponse.Status.DOWN);
            assertThat(data(response)).containsEntry("listening", false);
            assertThat((String) data(response).get("database")).startsWith("unreachable: ");
        });
        assertThat(liveness.call().getStatus()).isEqualTo(HealthCheckResponse.Status.UP);

        ownServer = EmbeddedDatabase.start(dataDirectory, port);
        await().atMost(WAIT).untilAsserted(() ->
                assertThat(check(readiness).getStatus()).isEqualTo(HealthCheckResponse.Status.UP));
        StoredObject created = store.create(pod("ns", "after-outage", Map.of(), Map.of())).await().atMost(WAIT);
        HealthCheckResponse response = check(readiness);
        assertThat(response.getStatus()).isEqualTo(HealthCheckResponse.Status.UP);
        assertThat(data(response)).containsEntry("database", "reachable").containsEntry("watch", "caught up")
                .containsEntry("listening", true);
        assertThat((long) data(response).get("appliedRevision")).isGreaterThanOrEqualTo(created.revision());
    }

    @Test
    void notReadyWhileTheWatchCacheCannotReadACommittedRevision() throws Exception {
        PgConnectOptions database = TestPostgres.freshDatabase();
        store = StoreFixture.start(vertx, database);
        StoreReadinessCheck readiness = new StoreReadinessCheck(store);
        assertThat(check(readiness).getStatus()).isEqualTo(HealthCheckResponse.Status.UP);

        // Another process's write commits while an exclusive lock queued behind it waits to hold every reader of
        // the log back: the database is at the write's revision, this process's cache cannot get there. (Its own
        // writes would not show it: the writing process applies them to its cache without reading the log.)
        try (PgObjectStore otherProcess = StoreFixture.start(vertx, database);
             Connection holdWriters = connect(database); Connection holdReaders = connect(database);
             Connection observer = connect(database)) {
            execute(holdWriters, "LOCK TABLE qube_log IN SHARE MODE");
            CompletableFuture<StoredObject> write = otherProcess.create(pod("ns", "lagging", Map.of(), Map.of()))
                    .subscribeAsCompletionStage();
            await().atMost(WAIT).until(() -> waitingForTheLog(observer, "RowExclusiveLock"));
            CompletableFuture<Void> readersHeld = CompletableFuture.runAsync(() ->
                    execute(holdReaders, "LOCK TABLE qube_log IN ACCESS EXCLUSIVE MODE"));
            await().atMost(WAIT).until(() -> waitingForTheLog(observer, "AccessExclusiveLock"));
            holdWriters.commit();
            long revision = write.get(WAIT.toSeconds(), TimeUnit.SECONDS).revision();
            readersHeld.get(WAIT.toSeconds(), TimeUnit.SECONDS);

            HealthCheckResponse behind = check(readiness);
            assertThat(behind.getStatus()).isEqualTo(HealthCheckResponse.Status.DOWN);
            assertThat(data(behind)).containsEntry("database", "reachable")
                    .containsEntry("databaseRevision", revision).containsEntry("listening", true);
            assertThat((String) data(behind).get("watch")).startsWith("behind the database");
            assertThat((long) data(behind).get("appliedRevision")).isLessThan(revision);
            holdReaders.rollback();
        }
        await().atMost(WAIT).untilAsserted(() ->
                assertThat(check(readiness).getStatus()).isEqualTo(HealthCheckResponse.Status.UP));
    }

    private static HealthCheckResponse check(StoreReadinessCheck readiness) {
        // The check bounds each of its two steps itself; this only guards the test against a hang.
        return readiness.call().await().atMost(Duration.ofSeconds(10));
    }

    private static Map<String, Object> data(HealthCheckResponse response) {
        return response.getData().orElseThrow();
    }

    private static Connection connect(PgConnectOptions database) throws SQLException {
        Connection connection = DriverManager.getConnection("jdbc:postgresql://" + database.getHost() + ":"
                + database.getPort() + "/" + database.getDatabase(), database.getUser(), "");
        connection.setAutoCommit(false);
        execute(connection, "SET lock_timeout = '60s'");
        return connection;
    }

    private static void execute(Connection connection, String sql) {
        try (Statement statement = connection.createStatement()) {
            statement.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("SQL failed: " + sql, e);
        }
    }

    /** Whether a lock of {@code mode} on the change log is waiting to be granted. */
    private static boolean waitingForTheLog(Connection observer, String mode) throws SQLException {
        try (PreparedStatement statement = observer.prepareStatement("SELECT count(*) FROM pg_locks"
                + " WHERE relation = 'qube_log'::regclass AND mode = ? AND NOT granted")) {
            statement.setString(1, mode);
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                boolean waiting = rows.getInt(1) > 0;
                observer.rollback();
                return waiting;
            }
        }
    }
}
