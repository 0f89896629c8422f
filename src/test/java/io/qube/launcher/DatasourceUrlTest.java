package io.qube.launcher;

import io.vertx.pgclient.PgConnectOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Reading the standard Quarkus datasource URL into the store's connection options. */
class DatasourceUrlTest {

    @AfterEach
    void clearProperty() {
        System.clearProperty(DatasourceUrl.PROPERTY);
    }

    @Test
    void parsesAUrlAndLetsTheCredentialSettingsWin() {
        PgConnectOptions options = DatasourceUrl.parse("postgresql://alice:old@db.example:5433/qube",
                Optional.of("bob"), Optional.of("secret"));

        assertThat(options.getHost()).isEqualTo("db.example");
        assertThat(options.getPort()).isEqualTo(5433);
        assertThat(options.getDatabase()).isEqualTo("qube");
        assertThat(options.getUser()).isEqualTo("bob");
        assertThat(options.getPassword()).isEqualTo("secret");
        assertThat(DatasourceUrl.describe(options)).isEqualTo("db.example:5433/qube");
    }

    @Test
    void acceptsQuarkusReactivePrefix() {
        PgConnectOptions options = DatasourceUrl.parse("vertx-reactive:postgresql://h:5432/d",
                Optional.empty(), Optional.empty());

        assertThat(DatasourceUrl.describe(options)).isEqualTo("h:5432/d");
    }

    @Test
    void refusesAnythingButOnePostgresqlUrlNamingTheSettingAndHidingThePassword() {
        assertThatThrownBy(() -> DatasourceUrl.parse("mysql://root:hunter2@h/d", Optional.empty(), Optional.empty()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(DatasourceUrl.PROPERTY)
                .hasMessageContaining("mysql://***@h/d")
                .hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> DatasourceUrl.parse("postgresql://a/d,postgresql://b/d",
                Optional.empty(), Optional.empty()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("exactly one");
    }

    @Test
    void findsAUrlSetAsASystemPropertyBeforeQuarkusStarts() {
        System.setProperty(DatasourceUrl.PROPERTY, "postgresql://h:5432/d");

        assertThat(DatasourceUrl.configured()).contains("postgresql://h:5432/d");
    }
}
