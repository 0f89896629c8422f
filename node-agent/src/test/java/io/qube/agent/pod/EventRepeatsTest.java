package io.qube.agent.pod;

import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which pod events count up on one already written: the same object, field, type, reason and message within ten
 * minutes of its last occurrence, as client-go's correlator decides.
 */
class EventRepeatsTest {

    private static final Instant START = Instant.parse("2026-12-05T00:00:00Z");
    private static final String BACK_OFF = EventRepeats.identity("uid-1", "spec.containers{main}", "Warning",
            "BackOff", "Back-off restarting failed container main");

    private final EventRepeats repeats = new EventRepeats();

    @Test
    void aRepeatWithinTheWindowCountsUpOnTheWrittenEvent() {
        assertThat(repeats.repeat(BACK_OFF, START)).isEmpty();
        repeats.wrote(BACK_OFF, new EventRepeats.Written("crasher.1", 1, START));

        EventRepeats.Written second = repeats.repeat(BACK_OFF, START.plusSeconds(10)).orElseThrow();
        assertThat(second).isEqualTo(new EventRepeats.Written("crasher.1", 2, START.plusSeconds(10)));
        repeats.wrote(BACK_OFF, second);
        // The window runs from the last occurrence, not the first.
        assertThat(repeats.repeat(BACK_OFF, START.plus(EventRepeats.WINDOW).plusSeconds(5)))
                .hasValueSatisfying(third -> assertThat(third.count()).isEqualTo(3));
    }

    @Test
    void aRepeatAfterTheWindowIsANewEvent() {
        repeats.wrote(BACK_OFF, new EventRepeats.Written("crasher.1", 1, START));

        assertThat(repeats.repeat(BACK_OFF, START.plus(EventRepeats.WINDOW))).isEmpty();
    }

    @Test
    void anyDifferenceInWhatHappenedIsAnotherEvent() {
        repeats.wrote(BACK_OFF, new EventRepeats.Written("crasher.1", 1, START));
        Instant later = START.plusSeconds(1);

        assertThat(repeats.repeat(EventRepeats.identity("uid-2", "spec.containers{main}", "Warning", "BackOff",
                "Back-off restarting failed container main"), later)).isEmpty();
        assertThat(repeats.repeat(EventRepeats.identity("uid-1", "spec.containers{side}", "Warning", "BackOff",
                "Back-off restarting failed container main"), later)).isEmpty();
        assertThat(repeats.repeat(EventRepeats.identity("uid-1", "spec.containers{main}", "Normal", "BackOff",
                "Back-off restarting failed container main"), later)).isEmpty();
        assertThat(repeats.repeat(EventRepeats.identity("uid-1", "spec.containers{main}", "Warning", "Failed",
                "Back-off restarting failed container main"), later)).isEmpty();
        assertThat(repeats.repeat(EventRepeats.identity("uid-1", "spec.containers{main}", "Warning", "BackOff",
                "Back-off restarting failed container side"), later)).isEmpty();
        assertThat(repeats.repeat(BACK_OFF, later)).isPresent();
    }

    @Test
    void aForgottenEventStartsAgainAtOne() {
        repeats.wrote(BACK_OFF, new EventRepeats.Written("crasher.1", 1, START));
        repeats.forget(BACK_OFF);

        assertThat(repeats.repeat(BACK_OFF, START.plusSeconds(1))).isEmpty();
    }

    @Test
    void theLeastRecentlyRepeatedAreForgottenBeyondCapacity() {
        repeats.wrote(BACK_OFF, new EventRepeats.Written("crasher.1", 1, START));
        for (int i = 0; i < EventRepeats.CAPACITY; i++) {
            String other = EventRepeats.identity("uid-" + i, null, "Normal", "Pulled", "pulled");
            repeats.wrote(other, new EventRepeats.Written("other." + i, 1, START));
        }

        assertThat(repeats.repeat(BACK_OFF, START.plusSeconds(1))).isEmpty();
        assertThat(repeats.repeat(EventRepeats.identity("uid-0", null, "Normal", "Pulled", "pulled"),
                START.plusSeconds(1))).isPresent();
    }
}
