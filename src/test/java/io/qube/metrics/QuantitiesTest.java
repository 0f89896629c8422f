package io.qube.metrics;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class QuantitiesTest {

    @Test
    void cpuIsInNanocoresAndMemoryInKibibytesWhereWhole() {
        assertThat(Quantities.cpu(123_456_789)).isEqualTo("123456789n");
        assertThat(Quantities.cpu(0)).isEqualTo("0");
        assertThat(Quantities.memory(4096)).isEqualTo("4Ki");
        assertThat(Quantities.memory(4097)).isEqualTo("4097");
    }

    @Test
    void windowsAreGoDurations() {
        assertThat(Quantities.duration(Duration.ofSeconds(15))).isEqualTo("15s");
        assertThat(Quantities.duration(Duration.ofSeconds(60))).isEqualTo("1m0s");
        assertThat(Quantities.duration(Duration.ofMillis(1500))).isEqualTo("1.5s");
        assertThat(Quantities.duration(Duration.ofMillis(500))).isEqualTo("500ms");
        assertThat(Quantities.duration(Duration.ofSeconds(3725))).isEqualTo("1h2m5s");
    }
}
