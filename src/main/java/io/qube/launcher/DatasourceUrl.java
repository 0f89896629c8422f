package io.qube.launcher;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.vertx.pgclient.PgConnectOptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The PostgreSQL server named by Quarkus' standard {@code quarkus.datasource.reactive.url} setting, so an operator
 * configures Qube's database the way any Quarkus application's is configured.
 */
public final class DatasourceUrl {

    public static final String PROPERTY = "quarkus.datasource.reactive.url";
    public static final String USERNAME_PROPERTY = "quarkus.datasource.username";
    public static final String PASSWORD_PROPERTY = "quarkus.datasource.password";

    /** Quarkus accepts this prefix on reactive URLs; the Vert.x parser does not. */
    private static final String QUARKUS_PREFIX = "vertx-reactive:";

    private DatasourceUrl() {
    }

    /**
     * The URL the operator configured, looked up before Quarkus starts (its configuration does not exist yet): in
     * system properties, environment variables ({@code QUARKUS_DATASOURCE_REACTIVE_URL}) and the working
     * directory's {@code config/application.properties}, the places a packaged application is configured from,
     * with the {@code prod} profile it runs with.
     */
    public static Optional<String> configured() {
        SmallRyeConfigBuilder builder = new SmallRyeConfigBuilder().withProfile("prod").addSystemSources();
        Path file = Path.of("config", "application.properties");
        if (Files.isRegularFile(file)) {
            try {
                // 260: the ordinal Quarkus gives this file, below environment variables and system properties.
                builder.withSources(new PropertiesConfigSource(file.toUri().toURL(), 260));
            } catch (IOException e) {
                throw new UncheckedIOException("could not read " + file.toAbsolutePath(), e);
            }
        }
        SmallRyeConfig config = builder.build();
        return config.getOptionalValue(PROPERTY, String.class).filter(url -> !url.isBlank());
    }

    /**
     * Connection options for {@code url}; {@code username} and {@code password}, when set, win over credentials in
     * the URL as they do for Quarkus' own pools.
     *
     * @throws IllegalArgumentException naming the setting when the URL is not a single PostgreSQL URL
     */
    public static PgConnectOptions parse(String url, Optional<String> username, Optional<String> password) {
        String trimmed = url.strip();
        if (trimmed.contains(",")) {
            throw new IllegalArgumentException(PROPERTY + " lists several servers (" + trimmed
                    + "); Qube's store connects to exactly one");
        }
        if (trimmed.startsWith(QUARKUS_PREFIX)) {
            trimmed = trimmed.substring(QUARKUS_PREFIX.length());
        }
        PgConnectOptions options;
        try {
            options = PgConnectOptions.fromUri(trimmed);
        } catch (IllegalArgumentException e) {
            // Not chained: the parser's message repeats the URL with its password.
            throw new IllegalArgumentException(PROPERTY + " is not a PostgreSQL URL such as"
                    + " postgresql://host:5432/database: " + redact(trimmed));
        }
        username.ifPresent(options::setUser);
        password.ifPresent(options::setPassword);
        return options;
    }

    /** Where {@code options} point, without credentials, for logs and errors. */
    public static String describe(PgConnectOptions options) {
        return options.getHost() + ":" + options.getPort() + "/" + options.getDatabase();
    }

    private static String redact(String url) {
        return url.replaceFirst("//[^/@]*@", "//***@");
    }
}
