package io.qube.apiserver.table;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/**
 * Durations the way kubectl users read them: Kubernetes' {@code duration.HumanDuration}, which keeps two or three
 * significant figures ("45s", "3m20s", "15m", "5h30m", "2d", "400d", "3y12d"). Ages are worked out against the
 * request's time, never stored.
 */
final class Durations {

    private static final long MINUTE = 60;
    private static final long HOUR = 60 * MINUTE;
    private static final long DAY = 24 * HOUR;
    private static final long YEAR = 365 * DAY;

    private Durations() {
    }

    /** The time from an RFC 3339 timestamp until {@code now}; {@code <unknown>} when the timestamp is absent. */
    static String since(String timestamp, Instant now) {
        Instant then = parse(timestamp);
        return then == null ? Cells.UNKNOWN : human(Duration.between(then, now));
    }

    /** An RFC 3339 timestamp as Kubernetes writes them (seconds or microseconds); null when absent or malformed. */
    static Instant parse(String timestamp) {
        if (timestamp == null || timestamp.isEmpty()) {
            return null;
        }
        try {
            return OffsetDateTime.parse(timestamp).toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    static String human(Duration duration) {
        // Whole seconds truncated toward zero, so a clock a second ahead of the writer's still reads "0s";
        // anything further in the future is a clock problem worth showing.
        long seconds = duration.toMillis() / 1000;
        if (seconds < -1) {
            return "<invalid>";
        }
        if (seconds < 0) {
            return "0s";
        }
        if (seconds < 2 * MINUTE) {
            return seconds + "s";
        }
        long minutes = seconds / MINUTE;
        if (minutes < 10) {
            return withRemainder(minutes, "m", seconds % MINUTE, "s");
        }
        if (minutes < 3 * 60) {
            return minutes + "m";
        }
        long hours = seconds / HOUR;
        if (hours < 8) {
            return withRemainder(hours, "h", minutes % 60, "m");
        }
        if (hours < 48) {
            return hours + "h";
        }
        long days = seconds / DAY;
        if (days < 8) {
            return withRemainder(days, "d", hours % 24, "h");
        }
        if (days < 2 * 365) {
            return days + "d";
        }
        long years = seconds / YEAR;
        if (years < 8) {
            return withRemainder(years, "y", days % 365, "d");
        }
        return years + "y";
    }

    private static String withRemainder(long value, String unit, long remainder, String remainderUnit) {
        return remainder == 0 ? value + unit : value + unit + remainder + remainderUnit;
    }
}
