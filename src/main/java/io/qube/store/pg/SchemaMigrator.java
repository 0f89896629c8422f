package io.qube.store.pg;

import org.flywaydb.core.Flyway;

/** Brings the database schema up to date (db/migration) before the store uses it; safe to run from many processes. */
final class SchemaMigrator {

    private SchemaMigrator() {
    }

    static void migrate(PgStoreConfig config) {
        Flyway.configure()
                .dataSource(config.jdbcUrl(), config.connect().getUser(), config.connect().getPassword())
                .locations("classpath:db/migration")
                .table("qube_schema_history")
                .load()
                .migrate();
    }
}
