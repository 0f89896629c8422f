package io.qube.launcher;

import io.qube.store.StoredObject;
import io.qube.store.pg.PgObjectStore;
import io.qube.test.StoreFixture;
import io.qube.test.TestPostgres;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;

import static io.qube.test.StoreFixture.pod;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The embedded PostgreSQL as Qube runs it: durable, and keeping its state in its data directory across restarts. */
class EmbeddedDatabaseTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    private final Vertx vertx = Vertx.vertx();

    @AfterEach
    void stop() {
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    @Test
    void anObjectSurvivesARestartOfStoreAndDatabaseWithItsRevision() {
        Path dataDirectory = TestPostgres.newDataDirectory();
        StoredObject created;
        try (EmbeddedDatabase database = EmbeddedDatabase.start(dataDirectory, 0, EmbeddedDatabase.Mode.DURABLE);
             PgObjectStore store = StoreFixture.start(vertx, database.connectOptions(EmbeddedDatabase.DATABASE))) {
            created = store.create(pod("ns", "kept", Map.of("app", "web"), Map.of())).await().atMost(WAIT);
        }

        try (EmbeddedDatabase database = EmbeddedDatabase.start(dataDirectory, 0, EmbeddedDatabase.Mode.DURABLE);
             PgObjectStore store = StoreFixture.start(vertx, database.connectOptions(EmbeddedDatabase.DATABASE))) {
            StoredObject read = store.get(created.key()).await().atMost(WAIT);
            assertThat(read).isEqualTo(created);
            assertThat(read.body()).isEqualTo(created.body());
            assertThat(store.currentRevision().await().atMost(WAIT)).isEqualTo(created.revision());
        }
    }

    @Test
    void aDurableServerFlushesEveryCommitAndADisposableOneDoesNot() throws SQLException {
        try (EmbeddedDatabase durable = EmbeddedDatabase.start(TestPostgres.newDataDirectory(), 0,
                EmbeddedDatabase.Mode.DURABLE)) {
            assertThat(setting(durable, "fsync")).isEqualTo("on");
            assertThat(setting(durable, "synchronous_commit")).isEqualTo("on");
        }
        assertThat(setting(TestPostgres.server(), "synchronous_commit")).isEqualTo("off");
    }

    @Test
    void aSecondServerOnADirectoryInUseIsRefusedWithAMessage() {
        Path dataDirectory = TestPostgres.newDataDirectory();
        try (EmbeddedDatabase running = EmbeddedDatabase.start(dataDirectory, 0)) {
            assertThatThrownBy(() -> EmbeddedDatabase.start(dataDirectory, 0))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("runs the PostgreSQL in " + dataDirectory);
        }
    }

    private static String setting(EmbeddedDatabase database, String name) throws SQLException {
        try (Connection connection = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + database.port()
                + "/" + EmbeddedDatabase.DATABASE, EmbeddedDatabase.USER, "");
             Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SHOW " + name)) {
            rows.next();
            return rows.getString(1);
        }
    }
}
