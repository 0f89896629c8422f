package io.qube.metrics;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** How the metrics API writes cpu, memory and windows. */
class MetricsFormatTest {

    @Test
    void cpuIsInNanocoresAndMemoryInKibibytesWhereWhole() {
        assertThat(MetricsFormat.cpu(123_456_789)).isEqualTo("123456789n");
        assertThat(MetricsFormat.cpu(0)).isEqualTo("0");
        assertThat(MetricsFormat.memory(4096)).isEqualTo("4Ki");
        assertThat(MetricsFormat.memory(4097)).isEqualTo("4097");
    }

    @Test
    void windowsAreGoDurations() {
        assertThat(MetricsFormat.duration(Duration.ofSeconds(15))).isEqualTo("15s");
        assertThat(MetricsFormat.duration(Duration.ofSeconds(60))).isEqualTo("1m0s");
        assertThat(MetricsFormat.duration(Duration.ofMillis(1500))).isEqualTo("1.5s");
        assertThat(MetricsFormat.duration(Duration.ofMillis(500))).isEqualTo("500ms");
        assertThat(MetricsFormat.duration(Duration.ofSeconds(3725))).isEqualTo("1h2m5s");
    }
}
