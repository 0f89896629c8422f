package io.qube.test;

import io.qube.launcher.EmbeddedDatabase;
import io.vertx.pgclient.PgConnectOptions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/** The real PostgreSQL the tests run against: one embedded server per test JVM, a fresh database per caller. */
public final class TestPostgres {

    private static final AtomicInteger DATABASES = new AtomicInteger();
    // Held strongly: java.util.logging forgets the level of a logger nobody references.
    private static final List<Logger> QUIET = List.of(Logger.getLogger("io.zonky"), Logger.getLogger("org.flywaydb"));

    static {
        QUIET.forEach(logger -> logger.setLevel(Level.WARNING));
    }
    private static EmbeddedDatabase server;

    private TestPostgres() {
    }

    public static synchronized EmbeddedDatabase server() {
        if (server == null) {
            server = EmbeddedDatabase.start(newDataDirectory(), 0);
            EmbeddedDatabase started = server;
            Runtime.getRuntime().addShutdownHook(new Thread(started::close));
        }
        return server;
    }

    /** A new, empty database on the shared server. */
    public static PgConnectOptions freshDatabase() {
        String name = "qube_test_" + DATABASES.incrementAndGet();
        execute(server(), "CREATE DATABASE " + name);
        return server().connectOptions(name);
    }

    /** The environment that points a Qube process at a fresh database of the shared server. */
    public static Map<String, String> environmentForFreshDatabase() {
        PgConnectOptions database = freshDatabase();
        return Map.of("QUARKUS_DATASOURCE_REACTIVE_URL", server().reactiveUrl(database.getDatabase()),
                "QUARKUS_DATASOURCE_USERNAME", EmbeddedDatabase.USER);
    }

    /** A new data directory under target/, for a server of the test's own. */
    public static Path newDataDirectory() {
        try {
            Path target = Path.of("target", "test-postgres");
            Files.createDirectories(target);
            return Files.createTempDirectory(target.toAbsolutePath(), "pg");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Runs one SQL statement on a server's default database. */
    public static void execute(EmbeddedDatabase database, String sql) {
        executeIn(database.port(), EmbeddedDatabase.DATABASE, sql);
    }

    /** The first column of the first row of a query, on the database that {@code options} name. */
    public static long queryLong(PgConnectOptions options, String sql) {
        try (Connection connection = DriverManager.getConnection("jdbc:postgresql://" + options.getHost() + ":"
                + options.getPort() + "/" + options.getDatabase(), EmbeddedDatabase.USER, "");
             Statement statement = connection.createStatement();
             java.sql.ResultSet result = statement.executeQuery(sql)) {
            result.next();
            return result.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException("SQL failed: " + sql, e);
        }
    }

    public static void executeIn(int port, String database, String sql) {
        try (Connection connection = DriverManager.getConnection(
                "jdbc:postgresql://127.0.0.1:" + port + "/" + database, EmbeddedDatabase.USER, "");
             Statement statement = connection.createStatement()) {
            statement.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("SQL failed: " + sql, e);
        }
    }
}
