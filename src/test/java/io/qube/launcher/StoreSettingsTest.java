package io.qube.launcher;

import io.quarkus.runtime.configuration.ConfigurationException;
import io.qube.store.pg.PgStoreConfig;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.vertx.pgclient.PgConnectOptions;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The shipped qube.* defaults, and refusal of values the store cannot work with. */
class StoreSettingsTest {

    private static final PgConnectOptions CONNECT = new PgConnectOptions().setDatabase("d");

    @Test
    void theShippedDefaultsGiveTheDocumentedStoreConfiguration() throws IOException {
        PgStoreConfig config = settings(Map.of()).toStoreConfig(CONNECT);

        assertThat(config.connect()).isSameAs(CONNECT);
        assertThat(config.retainedRevisions()).isEqualTo(100_000);
        assertThat(config.compactionInterval()).isEqualTo(Duration.ofMinutes(1));
        assertThat(config.watch().window()).isEqualTo(10_000);
        assertThat(config.watch().watcherBuffer()).isEqualTo(10_000);
        assertThat(config.watch().bookmarkInterval()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void overridesApply() throws IOException {
        PgStoreConfig config = settings(Map.of("qube.watch.window", "50", "qube.store.compaction-interval", "250ms"))
                .toStoreConfig(CONNECT);

        assertThat(config.watch().window()).isEqualTo(50);
        assertThat(config.compactionInterval()).isEqualTo(Duration.ofMillis(250));
    }

    @Test
    void refusesValuesOutOfRangeNamingTheSetting() throws IOException {
        StoreSettings zeroWindow = settings(Map.of("qube.watch.window", "0"));
        assertThatThrownBy(() -> zeroWindow.toStoreConfig(CONNECT)).isInstanceOf(ConfigurationException.class)
                .hasMessage("qube.watch.window must be a positive number, got 0");

        StoreSettings noInterval = settings(Map.of("qube.watch.bookmark-interval", "0s"));
        assertThatThrownBy(() -> noInterval.toStoreConfig(CONNECT)).isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("qube.watch.bookmark-interval must be at least 1ms");
    }

    /** The settings from application.properties with {@code overrides} on top, converted as Quarkus does. */
    private static StoreSettings settings(Map<String, String> overrides) throws IOException {
        return new SmallRyeConfigBuilder()
                .addDiscoveredConverters()
                .withSources(new PropertiesConfigSource(
                        StoreSettingsTest.class.getClassLoader().getResource("application.properties"), 100))
                .withSources(new PropertiesConfigSource(overrides, "overrides", 200))
                .withMapping(StoreSettings.class)
                .build()
                .getConfigMapping(StoreSettings.class);
    }
}
