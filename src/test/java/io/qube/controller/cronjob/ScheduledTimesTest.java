package io.qube.controller.cronjob;

import io.qube.cron.CronSchedule;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Instant;
import java.time.ZoneId;

import static org.assertj.core.api.Assertions.assertThat;

/** Which scheduled time is due, and how many were missed, from the last run (or creation) until now. */
class ScheduledTimesTest {

    @ParameterizedTest(name = "{0} from {1} at {3} (deadline {2}) → {4}, {5} missed")
    @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
            * * * * *     | 2026-03-01T10:00:00Z | -   | 2026-03-01T10:00:30Z | -                    | 0
            * * * * *     | 2026-03-01T10:00:00Z | -   | 2026-03-01T10:01:00Z | 2026-03-01T10:01:00Z | 1
            * * * * *     | 2026-03-01T10:00:00Z | -   | 2026-03-01T10:05:10Z | 2026-03-01T10:05:00Z | 5
            */10 * * * *  | 2026-03-01T10:00:00Z | -   | 2026-03-01T10:35:00Z | 2026-03-01T10:30:00Z | 3
            * * * * *     | 2026-03-01T10:00:00Z | 120 | 2026-03-01T12:00:30Z | 2026-03-01T12:00:00Z | 2
            * * * * *     | 2026-03-01T10:00:00Z | -   | 2026-03-01T12:00:30Z | 2026-03-01T12:00:00Z | 120
            * * * * *     | 2025-03-01T10:00:00Z | -   | 2026-03-01T10:00:30Z | 2026-03-01T10:00:00Z | 525600
            0 9 * * 1-5   | 2026-03-02T10:00:00Z | -   | 2026-03-09T08:00:00Z | 2026-03-06T09:00:00Z | 4
            0 9 * * 1-5   | 2026-03-06T10:00:00Z | -   | 2026-03-09T08:00:00Z | -                    | 0
            """)
    void dueTime(String schedule, String earliest, Long deadline, String now, String expected, long missed) {
        ScheduledTimes times = new ScheduledTimes(CronSchedule.parse(schedule), ZoneId.of("UTC"));
        ScheduledTimes.Due due = times.mostRecent(Instant.parse(earliest), deadline, Instant.parse(now));
        assertThat(due.time().map(Instant::toString).orElse(null))
                .isEqualTo(expected == null ? null : Instant.parse(expected).toString());
        assertThat(due.missed()).isEqualTo(missed);
    }
}
