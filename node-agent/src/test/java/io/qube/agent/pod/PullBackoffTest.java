package io.qube.agent.pod;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class PullBackoffTest {

    private static final Instant T0 = Instant.parse("2026-12-06T00:00:00Z");

    @Test
    void delaysDoubleFromTenSecondsUpToFiveMinutes() {
        PullBackoff backoff = new PullBackoff();
        assertThat(backoff.remaining("uid/img", T0)).isZero();
        Instant now = T0;
        for (long expected : new long[] {10, 20, 40, 80, 160, 300, 300}) {
            backoff.failed("uid/img", now);
            assertThat(backoff.remaining("uid/img", now)).isEqualTo(Duration.ofSeconds(expected));
            now = now.plusSeconds(expected);
            assertThat(backoff.remaining("uid/img", now)).isZero();
        }
    }

    @Test
    void aFailureLongAfterTheLastStartsOverAndSuccessForgets() {
        PullBackoff backoff = new PullBackoff();
        backoff.failed("uid/img", T0);
        backoff.failed("uid/img", T0.plusSeconds(10));
        Instant muchLater = T0.plusSeconds(10).plus(Duration.ofMinutes(10)).plusSeconds(1);
        backoff.failed("uid/img", muchLater);
        assertThat(backoff.remaining("uid/img", muchLater)).isEqualTo(Duration.ofSeconds(10));

        backoff.failed("uid/other", T0);
        backoff.succeeded("uid/img");
        assertThat(backoff.remaining("uid/img", muchLater)).isZero();
        backoff.forget("uid");
        assertThat(backoff.remaining("uid/other", T0)).isZero();
    }
}
