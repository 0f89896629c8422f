package io.qube.launcher;

import io.qube.test.TestPostgres;
import io.vertx.pgclient.PgConnectOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The packaged application started the way an operator starts it, with and without a configured database. */
class QubeMainIT {

    private static final Path APPLICATION = Path.of("target", "quarkus-app", "quarkus-run.jar");
    private static final Duration START = Duration.ofSeconds(120);
    private static final Duration STOP = Duration.ofSeconds(60);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final List<Process> started = new ArrayList<>();

    @AfterEach
    void stopWhatIsStillRunning() throws InterruptedException {
        for (Process qube : started) {
            qube.destroy();
            qube.waitFor(STOP.toSeconds(), TimeUnit.SECONDS);
        }
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

    private Process start(Path log, Map<String, String> environment, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
                "-jar", APPLICATION.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        // Whatever database the machine's environment names, these runs choose their own.
        builder.environment().keySet().removeIf(name -> name.startsWith("QUARKUS_DATASOURCE"));
        builder.environment().putAll(environment);
        Process process = builder.start();
        started.add(process);
        return process;
    }

    private void awaitReady(Process qube, int port, Path log) {
        HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/health/ready"))
                .timeout(Duration.ofSeconds(10)).build();
        await().atMost(START).pollInterval(Duration.ofMillis(250)).until(() -> {
            if (!qube.isAlive()) {
                throw new AssertionError("Qube exited with " + qube.exitValue() + ":\n" + Files.readString(log));
            }
            try {
                return http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
            } catch (IOException notListeningYet) {
                return false;
            }
        });
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
