package io.qube.launcher;

import io.qube.test.QubeProcesses;
import io.qube.test.TestPostgres;
import io.vertx.pgclient.PgConnectOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The packaged application started the way an operator starts it, with and without a configured database. */
class QubeMainIT {

    private static final Duration STOP = QubeProcesses.STOP;

    private final QubeProcesses processes = new QubeProcesses();

    @AfterEach
    void stopWhatIsStillRunning() throws InterruptedException {
        processes.close();
    }

    private Process start(Path log, Map<String, String> environment, String... args) throws IOException {
        return processes.start(log, environment, args);
    }

    private void awaitReady(Process qube, int port, Path log) {
        processes.awaitReady(qube, port, log);
    }

    private static int freePort() {
        return QubeProcesses.freePort();
    }

    @Test
    void withoutADatasourceRunsAnEmbeddedDatabaseInTheDataDirectoryAndStopsItWithTheProcess() throws Exception {
        Path dataDirectory = TestPostgres.newDataDirectory();
        int port = freePort();
        Path log = dataDirectory.resolve("qube.log");
        Process qube = start(log, Map.of(), "--data-dir", dataDirectory.toString(), "--port", String.valueOf(port));
        awaitReady(qube, port, log);

        Path postgres = dataDirectory.resolve("postgres");
        assertThat(postgres.resolve("PG_VERSION")).exists();
        assertThat(postgres.resolve("postmaster.pid")).exists();
        assertThat(Files.readString(log)).contains("Using the embedded PostgreSQL in " + postgres);

        qube.destroy();
        assertThat(qube.waitFor(STOP.toSeconds(), TimeUnit.SECONDS)).isTrue();
        // The pid file goes only when PostgreSQL has shut down completely.
        assertThat(postgres.resolve("postmaster.pid")).doesNotExist();
    }

    @Test
    void startsAgainAfterBeingKilledWhileItsDatabaseKeptRunning() throws Exception {
        Path dataDirectory = TestPostgres.newDataDirectory();
        int port = freePort();
        String[] args = {"--data-dir", dataDirectory.toString(), "--port", String.valueOf(port)};
        Process killed = start(dataDirectory.resolve("killed.log"), Map.of(), args);
        awaitReady(killed, port, dataDirectory.resolve("killed.log"));
        killed.destroyForcibly();
        assertThat(killed.waitFor(STOP.toSeconds(), TimeUnit.SECONDS)).isTrue();

        Path log = dataDirectory.resolve("qube.log");
        Process qube = start(log, Map.of(), args);
        awaitReady(qube, port, log);
        assertThat(Files.readString(log)).contains("left running in " + dataDirectory.resolve("postgres"));
    }

    @Test
    void withAConfiguredDatasourceUsesItAndNoEmbeddedDatabase() throws Exception {
        PgConnectOptions database = TestPostgres.freshDatabase();
        Path dataDirectory = TestPostgres.newDataDirectory();
        int port = freePort();
        Path log = dataDirectory.resolve("qube.log");
        Process qube = start(log, Map.of(
                        "QUARKUS_DATASOURCE_REACTIVE_URL", TestPostgres.server().reactiveUrl(database.getDatabase()),
                        "QUARKUS_DATASOURCE_USERNAME", EmbeddedDatabase.USER),
                "--data-dir", dataDirectory.toString(), "--port", String.valueOf(port));
        awaitReady(qube, port, log);

        assertThat(Files.readString(log)).contains("Using the configured PostgreSQL at 127.0.0.1:"
                + database.getPort() + "/" + database.getDatabase());
        assertThat(dataDirectory.resolve("postgres")).doesNotExist();
    }

    @Test
    void refusesABadOptionWithAMessage() throws Exception {
        Path log = TestPostgres.newDataDirectory().resolve("qube.log");
        Process qube = start(log, Map.of(), "--port", "70000");

        assertThat(qube.waitFor(STOP.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(qube.exitValue()).isEqualTo(2);
        assertThat(Files.readString(log)).contains("--port must be between 0 and 65535, got 70000");
    }
}
