package io.qube.agent.pod;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** The kubelet's restart back-off: at once, then 10 s doubling to 5 minutes, reset after 10 minutes of running. */
class CrashBackoffTest {

    private static final String KEY = "uid/main";
    private final CrashBackoff backoff = new CrashBackoff();
    private Instant now = Instant.parse("2026-12-05T00:00:00Z");

    @Test
    void firstRestartIsAtOnceThenTheDelayDoublesUpToFiveMinutes() {
        assertThat(backoff.remaining(KEY, now, now)).isZero();
        Duration[] expected = {Duration.ofSeconds(10), Duration.ofSeconds(20), Duration.ofSeconds(40),
            Duration.ofSeconds(80), Duration.ofSeconds(160), Duration.ofSeconds(300), Duration.ofSeconds(300)};
        for (Duration delay : expected) {
            backoff.restarted(KEY, now, now);
            now = now.plusSeconds(1); // the run fails a second later
            Instant exited = now;
            assertThat(backoff.remaining(KEY, exited, now)).isEqualTo(delay);
            assertThat(backoff.remaining(KEY, exited, now.plus(delay).minusMillis(1))).isPositive();
            now = now.plus(delay);
            assertThat(backoff.remaining(KEY, exited, now)).isZero();
        }
    }

    @Test
    void aContainerThatRanTenMinutesStartsOver() {
        backoff.restarted(KEY, now, now);
        backoff.restarted(KEY, now.plusSeconds(1), now.plusSeconds(11));
        Instant exited = now.plus(Duration.ofMinutes(11));
        assertThat(backoff.remaining(KEY, exited, exited)).isZero();
        backoff.restarted(KEY, exited, exited);
        assertThat(backoff.remaining(KEY, exited.plusSeconds(1), exited.plusSeconds(1)))
                .isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void forgettingAPodForgetsItsContainers() {
        backoff.restarted(KEY, now, now);
        backoff.forget("uid");
        assertThat(backoff.remaining(KEY, now, now)).isZero();
    }
}
