package io.qube.controller.cronjob;

import io.qube.cron.CronSchedule;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Optional;

/**
 * When a CronJob should have run, as Kubernetes' CronJob controller reckons it: the latest scheduled time not
 * after now and later than the last one it ran (or its creation), within startingDeadlineSeconds, and how many
 * such times were missed (estimated beyond the warning threshold).
 */
final class ScheduledTimes {

    /** Past this many missed times Kubernetes warns (TooManyMissedTimes) and still runs only the latest. */
    static final long TOO_MANY_MISSED = 100;

    private final CronSchedule schedule;
    private final ZoneId zone;

    ScheduledTimes(CronSchedule schedule, ZoneId zone) {
        this.schedule = schedule;
        this.zone = zone;
    }

    /** The latest time to run now (if any) and how many times since {@code earliest} were due. */
    record Due(Optional<Instant> time, long missed) {
    }

    /**
     * @param earliest the last scheduled time, else the CronJob's creation
     * @param startingDeadlineSeconds null, or how late a start may still be
     */
    Due mostRecent(Instant earliest, Long startingDeadlineSeconds, Instant now) {
        Instant from = earliest;
        if (startingDeadlineSeconds != null) {
            Instant deadline = now.minusSeconds(startingDeadlineSeconds);
            from = deadline.isAfter(from) ? deadline : from;
        }
        Optional<Instant> first = next(from);
        if (first.isEmpty() || first.get().isAfter(now)) {
            return new Due(Optional.empty(), 0);
        }
        // Up to the warning threshold the missed times are counted one by one.
        Instant latest = first.get();
        long missed = 1;
        for (Optional<Instant> t = next(latest); t.isPresent() && !t.get().isAfter(now); t = next(t.get())) {
            latest = t.get();
            if (++missed > TOO_MANY_MISSED) {
                return estimated(first.get(), now);
            }
        }
        return new Due(Optional.of(latest), missed);
    }

    /**
     * Counting every missed time of a minutely schedule left for a year would walk half a million steps: as
     * Kubernetes does, the count is estimated from the first interval, and the latest time found by walking only
     * the last stretch.
     */
    private Due estimated(Instant first, Instant now) {
        Instant second = next(first).orElseThrow();
        Duration interval = Duration.between(first, second);
        long missed = Duration.between(first, now).toSeconds() / Math.max(1, interval.toSeconds()) + 1;
        Instant start = second;
        for (long back = 2; ; back *= 2) {
            Instant candidate = now.minus(interval.multipliedBy(back));
            if (!candidate.isAfter(second)) {
                break;
            }
            Optional<Instant> due = next(candidate);
            if (due.isPresent() && !due.get().isAfter(now)) {
                start = candidate;
                break;
            }
        }
        Instant latest = second;
        for (Optional<Instant> t = next(start); t.isPresent() && !t.get().isAfter(now); t = next(t.get())) {
            latest = t.get();
        }
        return new Due(Optional.of(latest), missed);
    }

    /** The first scheduled time strictly after {@code after}. */
    Optional<Instant> next(Instant after) {
        return schedule.next(after.atZone(zone), zone).map(time -> time.toInstant());
    }
}
