package io.qube.cron;

import java.time.DayOfWeek;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A standard five-field cron schedule (minute hour day-of-month month day-of-week) as Kubernetes parses it with
 * robfig/cron's standard parser: lists, ranges, steps, month and weekday names, {@code ?} for {@code *}, and the
 * {@code @yearly}-style descriptors. Day-of-month and day-of-week combine as in cron: when both are restricted a day
 * matching either runs; when one starts with {@code *} both must match.
 */
public final class CronSchedule {

    private static final Map<String, String> DESCRIPTORS = Map.of(
            "@yearly", "0 0 1 1 *",
            "@annually", "0 0 1 1 *",
            "@monthly", "0 0 1 * *",
            "@weekly", "0 0 * * 0",
            "@daily", "0 0 * * *",
            "@midnight", "0 0 * * *",
            "@hourly", "0 * * * *");
    private static final List<String> MONTHS = List.of("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug",
            "sep", "oct", "nov", "dec");
    private static final List<String> DAYS = List.of("sun", "mon", "tue", "wed", "thu", "fri", "sat");
    /** No schedule can be further apart than this (29 February on a Monday is 28 years at worst). */
    private static final int SEARCH_YEARS = 30;

    private record Field(String name, int min, int max, List<String> names) {
    }

    private static final Field MINUTE = new Field("minute", 0, 59, List.of());
    private static final Field HOUR = new Field("hour", 0, 23, List.of());
    private static final Field DAY_OF_MONTH = new Field("day of month", 1, 31, List.of());
    private static final Field MONTH = new Field("month", 1, 12, MONTHS);
    private static final Field DAY_OF_WEEK = new Field("day of week", 0, 6, DAYS);

    private final BitSet minutes;
    private final BitSet hours;
    private final BitSet daysOfMonth;
    private final BitSet months;
    private final BitSet daysOfWeek;
    /** Whether either day field was given as {@code *} or {@code ?}: then both must match. */
    private final boolean anyDayStarred;
    /** The zone of a {@code TZ=} or {@code CRON_TZ=} prefix, which only objects stored before 1.27 may carry. */
    private ZoneId prefixZone;

    private CronSchedule(BitSet minutes, BitSet hours, BitSet daysOfMonth, BitSet months, BitSet daysOfWeek,
                         boolean anyDayStarred) {
        this.minutes = minutes;
        this.hours = hours;
        this.daysOfMonth = daysOfMonth;
        this.months = months;
        this.daysOfWeek = daysOfWeek;
        this.anyDayStarred = anyDayStarred;
    }

    /** Thrown with robfig/cron's wording, which Kubernetes quotes in its validation message. */
    public static final class InvalidSchedule extends IllegalArgumentException {
        InvalidSchedule(String message) {
            super(message);
        }
    }

    /** The schedule, or an {@link InvalidSchedule} saying what is wrong. */
    public static CronSchedule parse(String text) {
        String spec = text == null ? "" : text.trim();
        ZoneId zone = null;
        if (spec.isEmpty()) {
            throw new InvalidSchedule("empty spec string");
        }
        if (spec.startsWith("TZ=") || spec.startsWith("CRON_TZ=")) {
            // robfig accepts a time zone prefix; Kubernetes' validation refuses it on new objects.
            int space = spec.indexOf(' ');
            if (space < 0) {
                throw new InvalidSchedule("missing spec");
            }
            String name = spec.substring(spec.indexOf('=') + 1, space);
            try {
                zone = ZoneId.of(name);
            } catch (RuntimeException e) {
                throw new InvalidSchedule("provided bad location " + name + ": unknown time zone " + name);
            }
            spec = spec.substring(space + 1).trim();
        }
        if (spec.startsWith("@")) {
            String expanded = DESCRIPTORS.get(spec.toLowerCase(Locale.ROOT));
            if (expanded == null) {
                throw new InvalidSchedule("unrecognized descriptor: " + spec);
            }
            spec = expanded;
        }
        String[] fields = spec.split("\\s+");
        if (fields.length != 5) {
            throw new InvalidSchedule("expected exactly 5 fields, found " + fields.length + ": ["
                    + String.join(" ", fields) + "]");
        }
        CronSchedule schedule = new CronSchedule(field(fields[0], MINUTE), field(fields[1], HOUR),
                field(fields[2], DAY_OF_MONTH), field(fields[3], MONTH), field(fields[4], DAY_OF_WEEK),
                starred(fields[2]) || starred(fields[4]));
        schedule.prefixZone = zone;
        return schedule;
    }

    /** The time zone the schedule text names itself, if any. */
    public Optional<ZoneId> zone() {
        return Optional.ofNullable(prefixZone);
    }

    /** Whether the text parses, else why not. */
    public static Optional<String> problem(String text) {
        try {
            parse(text);
            return Optional.empty();
        } catch (InvalidSchedule e) {
            return Optional.of(e.getMessage());
        }
    }

    private static boolean starred(String field) {
        return field.startsWith("*") || field.startsWith("?");
    }

    private static BitSet field(String text, Field field) {
        BitSet bits = new BitSet(field.max() + 1);
        for (String part : text.split(",", -1)) {
            range(part, field, bits);
        }
        return bits;
    }

    /** One list element: {@code *}, {@code n}, {@code a-b}, each optionally {@code /step}. */
    private static void range(String part, Field field, BitSet bits) {
        String[] stepped = part.split("/", -1);
        if (stepped.length > 2) {
            throw new InvalidSchedule("too many slashes: " + part);
        }
        String[] bounds = stepped[0].split("-", -1);
        if (bounds.length > 2) {
            throw new InvalidSchedule("too many hyphens: " + part);
        }
        int start;
        int end;
        if (stepped[0].equals("*") || stepped[0].equals("?")) {
            start = field.min();
            end = field.max();
        } else {
            start = value(bounds[0], field);
            end = bounds.length == 2 ? value(bounds[1], field) : start;
        }
        int step = 1;
        if (stepped.length == 2) {
            step = number(stepped[1], part);
            // "n/step" runs from n to the end of the range, as in robfig/cron.
            if (bounds.length == 1 && !stepped[0].equals("*") && !stepped[0].equals("?")) {
                end = field.max();
            }
        }
        if (start < field.min()) {
            throw new InvalidSchedule("beginning of range (" + start + ") below minimum (" + field.min() + "): "
                    + part);
        }
        if (end > field.max()) {
            throw new InvalidSchedule("end of range (" + end + ") above maximum (" + field.max() + "): " + part);
        }
        if (start > end) {
            throw new InvalidSchedule("beginning of range (" + start + ") beyond end of range (" + end + "): "
                    + part);
        }
        if (step == 0) {
            throw new InvalidSchedule("step of range should be a positive number: " + part);
        }
        for (int i = start; i <= end; i += step) {
            bits.set(i);
        }
    }

    private static int value(String text, Field field) {
        int named = field.names().indexOf(text.toLowerCase(Locale.ROOT));
        if (named >= 0) {
            return named + field.min();
        }
        return number(text, text);
    }

    private static int number(String text, String part) {
        if (!text.matches("[0-9]{1,9}")) {
            throw new InvalidSchedule("failed to parse int from " + text + ": strconv.Atoi: parsing \"" + text
                    + "\": invalid syntax");
        }
        return Integer.parseInt(text);
    }

    /**
     * The first scheduled time strictly after {@code after}, in {@code zone}'s wall-clock time; empty when the
     * schedule never runs (e.g. 30 February). Walks month, day, hour and minute fields in turn, so a yearly
     * schedule costs a few dozen steps rather than half a million minutes.
     */
    public Optional<ZonedDateTime> next(ZonedDateTime after, ZoneId zone) {
        ZonedDateTime t = after.withZoneSameInstant(zone).truncatedTo(ChronoUnit.MINUTES).plusMinutes(1);
        int limit = t.getYear() + SEARCH_YEARS;
        while (t.getYear() <= limit) {
            if (!months.get(t.getMonthValue())) {
                t = t.withDayOfMonth(1).truncatedTo(ChronoUnit.DAYS).plusMonths(1);
                continue;
            }
            if (!dayMatches(t)) {
                t = t.truncatedTo(ChronoUnit.DAYS).plusDays(1);
                continue;
            }
            if (!hours.get(t.getHour())) {
                t = t.truncatedTo(ChronoUnit.HOURS).plusHours(1);
                continue;
            }
            if (!minutes.get(t.getMinute())) {
                t = t.plusMinutes(1);
                continue;
            }
            return Optional.of(t);
        }
        return Optional.empty();
    }

    private boolean dayMatches(ZonedDateTime t) {
        boolean dayOfMonth = daysOfMonth.get(t.getDayOfMonth());
        boolean dayOfWeek = daysOfWeek.get(t.getDayOfWeek() == DayOfWeek.SUNDAY ? 0 : t.getDayOfWeek().getValue());
        return anyDayStarred ? dayOfMonth && dayOfWeek : dayOfMonth || dayOfWeek;
    }
}
