package io.qube.cron;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.ZoneId;
import java.time.ZonedDateTime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Cron schedules as Kubernetes (robfig/cron's standard parser) reads them, and their next run times. */
class CronScheduleTest {

    private static final ZoneId UTC = ZoneId.of("UTC");

    @ParameterizedTest(name = "{0} after {1} → {2}")
    @CsvSource(delimiter = '|', textBlock = """
            * * * * *          | 2026-03-01T10:15:30Z | 2026-03-01T10:16Z
            * * * * *          | 2026-03-01T10:15:00Z | 2026-03-01T10:16Z
            */15 * * * *       | 2026-03-01T10:15:00Z | 2026-03-01T10:30Z
            5/20 * * * *       | 2026-03-01T10:46:00Z | 2026-03-01T11:05Z
            0 9-17/4 * * *     | 2026-03-01T13:00:00Z | 2026-03-01T17:00Z
            30 2 * * *         | 2026-03-01T03:00:00Z | 2026-03-02T02:30Z
            0 0 1,15 * *       | 2026-03-02T00:00:00Z | 2026-03-15T00:00Z
            0 0 * * MON-FRI    | 2026-03-06T12:00:00Z | 2026-03-09T00:00Z
            0 0 * JAN,jul *    | 2026-03-01T00:00:00Z | 2026-07-01T00:00Z
            0 0 13 * 5         | 2026-03-07T00:00:00Z | 2026-03-13T00:00Z
            0 0 13 * 5         | 2026-03-13T00:00:00Z | 2026-03-20T00:00Z
            0 0 ? * 5          | 2026-03-07T00:00:00Z | 2026-03-13T00:00Z
            0 0 ? * 5          | 2026-03-01T00:00:00Z | 2026-03-06T00:00Z
            0 0 29 2 *         | 2026-03-01T00:00:00Z | 2028-02-29T00:00Z
            @hourly            | 2026-03-01T10:15:00Z | 2026-03-01T11:00Z
            @daily             | 2026-03-01T10:15:00Z | 2026-03-02T00:00Z
            @midnight          | 2026-03-01T10:15:00Z | 2026-03-02T00:00Z
            @weekly            | 2026-03-04T10:15:00Z | 2026-03-08T00:00Z
            @monthly           | 2026-03-04T10:15:00Z | 2026-04-01T00:00Z
            @yearly            | 2026-03-04T10:15:00Z | 2027-01-01T00:00Z
            @annually          | 2026-03-04T10:15:00Z | 2027-01-01T00:00Z
            """)
    void nextRun(String schedule, String after, String expected) {
        assertThat(CronSchedule.parse(schedule).next(ZonedDateTime.parse(after), UTC))
                .hasValue(ZonedDateTime.parse(expected).withZoneSameInstant(UTC));
    }

    @ParameterizedTest(name = "{0} in {1} after {2} → {3}")
    @CsvSource(delimiter = '|', textBlock = """
            0 9 * * *  | Europe/Berlin    | 2026-03-01T00:00:00Z | 2026-03-01T08:00Z
            0 9 * * *  | Europe/Berlin    | 2026-07-01T00:00:00Z | 2026-07-01T07:00Z
            0 9 * * *  | America/New_York | 2026-03-01T00:00:00Z | 2026-03-01T14:00Z
            """)
    void nextRunInATimeZone(String schedule, String zone, String after, String expected) {
        assertThat(CronSchedule.parse(schedule).next(ZonedDateTime.parse(after), ZoneId.of(zone))
                .map(ZonedDateTime::toInstant)).hasValue(ZonedDateTime.parse(expected).toInstant());
    }

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(delimiter = '|', textBlock = """
            ''              | empty spec string
            * * * *         | expected exactly 5 fields, found 4: [* * * *]
            * * * * * *     | expected exactly 5 fields, found 6: [* * * * * *]
            60 * * * *      | end of range (60) above maximum (59): 60
            * 24 * * *      | end of range (24) above maximum (23): 24
            * * 0 * *       | beginning of range (0) below minimum (1): 0
            * * * 13 *      | end of range (13) above maximum (12): 13
            * * * * 7       | end of range (7) above maximum (6): 7
            5-1 * * * *     | beginning of range (5) beyond end of range (1): 5-1
            */0 * * * *     | step of range should be a positive number: */0
            1-2-3 * * * *   | too many hyphens: 1-2-3
            */2/3 * * * *   | too many slashes: */2/3
            x * * * *       | failed to parse int from x: strconv.Atoi: parsing "x": invalid syntax
            @every          | unrecognized descriptor: @every
            @reboot         | unrecognized descriptor: @reboot
            """)
    void invalidSchedules(String schedule, String problem) {
        assertThat(CronSchedule.problem(schedule)).hasValue(problem);
        assertThatThrownBy(() -> CronSchedule.parse(schedule)).isInstanceOf(CronSchedule.InvalidSchedule.class);
    }

    /** robfig/cron parses a time zone prefix; refusing it on new objects is up to Kubernetes' validation. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            TZ=Europe/Berlin 0 9 * * *      | 2026-03-01T08:00Z
            CRON_TZ=UTC 0 9 * * *           | 2026-03-01T09:00Z
            """)
    void aTimeZonePrefixNamesTheScheduleZone(String schedule, String expected) {
        CronSchedule parsed = CronSchedule.parse(schedule);
        assertThat(parsed.next(ZonedDateTime.parse("2026-03-01T00:00:00Z"), parsed.zone().orElseThrow())
                .map(ZonedDateTime::toInstant)).hasValue(ZonedDateTime.parse(expected).toInstant());
        assertThat(CronSchedule.problem("TZ=Nowhere/Else 0 9 * * *"))
                .hasValue("provided bad location Nowhere/Else: unknown time zone Nowhere/Else");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            0 0 30 2 *
            0 0 31 4,6,9,11 *
            """)
    void aScheduleThatNeverRunsHasNoNextTime(String schedule) {
        assertThat(CronSchedule.parse(schedule).next(ZonedDateTime.parse("2026-01-01T00:00:00Z"), UTC)).isEmpty();
    }
}
