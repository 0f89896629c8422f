package io.qube.controller.cronjob;

import io.qube.cron.CronSchedule;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Optional;

/**
 * When a CronJob should have run, as Kubernetes' CronJob controller reckons it: the latest scheduled time not
 * after now and later than the last one it ran (or its creation), within startingDeadlineSeconds, and roughly how
 * many such times were missed.
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

    /** The latest time to run now (if any) and how many times since {@code earliest} were due, estimated. */
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
        Optional<Instant> second = next(first.get());
        if (second.isEmpty() || second.get().isAfter(now)) {
            return new Due(first, 1);
        }
        // Counting every missed time of a minutely schedule left for a year would walk half a million steps:
        // estimate from the first interval, then find the latest time by walking only the last stretch.
        Duration interval = Duration.between(first.get(), second.get());
        long missed = Duration.between(first.get(), now).toSeconds() / Math.max(1, interval.toSeconds()) + 1;
        Instant latest = second.get();
        Instant start = latest;
        for (long back = 2; ; back *= 2) {
            Instant candidate = now.minus(interval.multipliedBy(back));
            if (!candidate.isAfter(latest)) {
                break;
            }
            Optional<Instant> due = next(candidate);
            if (due.isPresent() && !due.get().isAfter(now)) {
                start = candidate;
                break;
            }
        }
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
