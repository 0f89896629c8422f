package io.qube.controller;

import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** A controller waits for its own creates and deletes to be observed, but not forever. */
class ExpectationsTest {

    private Instant now = Instant.parse("2026-12-05T10:00:00Z");
    private final Expectations expectations = new Expectations(new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    });

    @Test
    void satisfiedOnceEveryCreationAndDeletionIsObserved() {
        assertThat(expectations.satisfied("ns/rs")).isTrue();
        expectations.expect("ns/rs", 2, Set.of("ns/a"));
        assertThat(expectations.satisfied("ns/rs")).isFalse();

        expectations.creationObserved("ns/rs");
        expectations.creationObserved("ns/rs");
        assertThat(expectations.satisfied("ns/rs")).isFalse();
        expectations.deletionObserved("ns/rs", "ns/other");
        assertThat(expectations.satisfied("ns/rs")).isFalse();
        expectations.deletionObserved("ns/rs", "ns/a");

        assertThat(expectations.satisfied("ns/rs")).isTrue();
        assertThat(expectations.satisfied("ns/another")).isTrue();
    }

    @Test
    void expectationsExpireAfterFiveMinutesAndCanBeForgotten() {
        expectations.expect("ns/rs", 1, Set.of());
        now = now.plus(Duration.ofMinutes(5));
        assertThat(expectations.satisfied("ns/rs")).isFalse();
        now = now.plusSeconds(1);
        assertThat(expectations.satisfied("ns/rs")).isTrue();

        expectations.expect("ns/rs", 1, Set.of());
        expectations.forget("ns/rs");
        assertThat(expectations.satisfied("ns/rs")).isTrue();
    }
}
