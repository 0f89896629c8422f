package io.qube.launcher;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import io.vertx.pgclient.PgConnectOptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A PostgreSQL server run by Qube itself from binaries on the class path, with its data in a directory that
 * survives restarts. The default when no datasource is configured, and the test harness's database.
 */
public final class EmbeddedDatabase implements AutoCloseable {

    public static final String USER = "postgres";
    public static final String DATABASE = "postgres";

    private final EmbeddedPostgres postgres;

    private EmbeddedDatabase(EmbeddedPostgres postgres) {
        this.postgres = postgres;
    }

    /** What a server is for, which decides how durable it is and who stops it. */
    public enum Mode {
        /**
         * Qube's own database: a commit is on disk before it is acknowledged, as a cluster's state must be. The
         * caller alone stops the server, so it can do so after everything using it has stopped; a JVM shutdown
         * hook of the server's own would run at the same time as theirs.
         */
        DURABLE,
        /**
         * A test's database: commits are not flushed to disk (much faster, and losing one costs nothing); the
         * server stops when {@link #close()} is called or, at the latest, when the JVM exits.
         */
        DISPOSABLE
    }

    /**
     * Starts a {@link Mode#DISPOSABLE} server on {@code dataDirectory}, creating the cluster there on first use. A
     * server left running there by a killed process is stopped first.
     *
     * @param port the port on 127.0.0.1/localhost to listen on, or 0 for any free one
     */
    public static EmbeddedDatabase start(Path dataDirectory, int port) {
        return start(dataDirectory, port, Mode.DISPOSABLE);
    }

    /** Like {@link #start(Path, int)}, for the given purpose. */
    public static EmbeddedDatabase start(Path dataDirectory, int port, Mode mode) {
        try {
            Files.createDirectories(dataDirectory);
            LeftoverServer.stopIfAny(dataDirectory);
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                    .setDataDirectory(dataDirectory)
                    .setCleanDataDirectory(false)
                    .setRegisterShutdownHook(mode == Mode.DISPOSABLE)
                    .setServerConfig("max_connections", "300")
                    .setServerConfig("listen_addresses", "127.0.0.1");
            if (mode == Mode.DURABLE) {
                // The library starts every server with fsync and synchronous_commit off, a test database's settings.
                builder.setServerConfig("fsync", "on").setServerConfig("synchronous_commit", "on");
            }
            if (port > 0) {
                builder.setPort(port);
            }
            return new EmbeddedDatabase(builder.start());
        } catch (IOException e) {
            throw new UncheckedIOException("could not start the embedded PostgreSQL in " + dataDirectory, e);
        }
    }

    public int port() {
        return postgres.getPort();
    }

    /** Connection options for one database of this server. */
    public PgConnectOptions connectOptions(String database) {
        return new PgConnectOptions().setHost("127.0.0.1").setPort(port()).setDatabase(database).setUser(USER);
    }

    /** The server's URL in the form of {@code quarkus.datasource.reactive.url}. */
    public String reactiveUrl(String database) {
        return "postgresql://127.0.0.1:" + port() + "/" + database;
    }

    @Override
    public void close() {
        try {
            postgres.close();
        } catch (IOException e) {
            throw new UncheckedIOException("could not stop the embedded PostgreSQL", e);
        }
    }
}
