package io.qube.launcher;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import io.quarkus.runtime.configuration.ConfigurationException;
import io.qube.store.pg.PgObjectStore;
import io.qube.store.pg.PgStoreConfig;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.Optional;

/**
 * Starts the application's one {@link PgObjectStore} (also its {@link io.qube.store.ObjectStore}) on the
 * configured PostgreSQL when the application starts, on Quarkus' Vert.x, and closes it at shutdown.
 */
@Singleton
public class StoreProducer {

    private static final Logger LOG = Logger.getLogger(StoreProducer.class);

    /** Covers the schema migration, which on a first start creates every table. */
    private static final Duration START_TIMEOUT = Duration.ofMinutes(2);

    @Produces
    @Singleton
    @Startup
    PgObjectStore store(Vertx vertx, StoreSettings settings, MeterRegistry registry,
                        @ConfigProperty(name = DatasourceUrl.PROPERTY) Optional<String> url,
                        @ConfigProperty(name = DatasourceUrl.USERNAME_PROPERTY) Optional<String> username,
                        @ConfigProperty(name = DatasourceUrl.PASSWORD_PROPERTY) Optional<String> password) {
        PgConnectOptions connect;
        try {
            connect = DatasourceUrl.parse(url.orElseThrow(() -> new ConfigurationException(
                    DatasourceUrl.PROPERTY + " is not set: Qube needs a PostgreSQL server (started by QubeMain when"
                            + " none is configured)")), username, password);
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException(e.getMessage());
        }
        PgStoreConfig config = settings.toStoreConfig(connect);
        try {
            PgObjectStore store = PgObjectStore.start(vertx, config, registry).await().atMost(START_TIMEOUT);
            LOG.infof("Store ready on PostgreSQL %s at revision %d", DatasourceUrl.describe(connect),
                    store.watchCache().appliedRevision());
            return store;
        } catch (RuntimeException e) {
            throw new IllegalStateException("could not start the store on PostgreSQL "
                    + DatasourceUrl.describe(connect) + ": " + e.getMessage(), e);
        }
    }

    void close(@Disposes PgObjectStore store) {
        store.close();
    }
}
