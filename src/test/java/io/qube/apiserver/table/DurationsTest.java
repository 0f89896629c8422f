package io.qube.apiserver.table;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class DurationsTest {

    @Test
    void rendersLikeKubernetesHumanDuration() {
        assertThat(Durations.human(Duration.ofSeconds(0))).isEqualTo("0s");
        assertThat(Durations.human(Duration.ofSeconds(5))).isEqualTo("5s");
        assertThat(Durations.human(Duration.ofSeconds(119))).isEqualTo("119s");
        assertThat(Durations.human(Duration.ofSeconds(120))).isEqualTo("2m");
        assertThat(Durations.human(Duration.ofSeconds(200))).isEqualTo("3m20s");
        assertThat(Durations.human(Duration.ofMinutes(10))).isEqualTo("10m");
        assertThat(Durations.human(Duration.ofMinutes(179))).isEqualTo("179m");
        assertThat(Durations.human(Duration.ofMinutes(180))).isEqualTo("3h");
        assertThat(Durations.human(Duration.ofMinutes(330))).isEqualTo("5h30m");
        assertThat(Durations.human(Duration.ofHours(8).plusMinutes(59))).isEqualTo("8h");
        assertThat(Durations.human(Duration.ofHours(47))).isEqualTo("47h");
        assertThat(Durations.human(Duration.ofHours(48))).isEqualTo("2d");
        assertThat(Durations.human(Duration.ofHours(75))).isEqualTo("3d3h");
        assertThat(Durations.human(Duration.ofDays(8))).isEqualTo("8d");
        assertThat(Durations.human(Duration.ofDays(729))).isEqualTo("729d");
        assertThat(Durations.human(Duration.ofDays(730))).isEqualTo("2y");
        assertThat(Durations.human(Duration.ofDays(3 * 365 + 12))).isEqualTo("3y12d");
        assertThat(Durations.human(Duration.ofDays(9 * 365 + 100))).isEqualTo("9y");
    }

    @Test
    void toleratesASecondOfClockSkewButNotMore() {
        assertThat(Durations.human(Duration.ofMillis(-1500))).isEqualTo("0s");
        assertThat(Durations.human(Duration.ofSeconds(-2))).isEqualTo("<invalid>");
    }

    @Test
    void measuresFromTimestampsToNow() {
        assertThat(Durations.since(Rows.ago(Duration.ofSeconds(200)), Rows.NOW)).isEqualTo("3m20s");
        assertThat(Durations.since("2025-03-01T11:59:30.123456Z", Rows.NOW)).isEqualTo("29s");
        assertThat(Durations.since("2025-03-01T13:00:00+01:00", Rows.NOW)).isEqualTo("0s");
        assertThat(Durations.since(null, Rows.NOW)).isEqualTo("<unknown>");
        assertThat(Durations.since("", Rows.NOW)).isEqualTo("<unknown>");
        assertThat(Durations.since("yesterday", Rows.NOW)).isEqualTo("<unknown>");
    }
}
