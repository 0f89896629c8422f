package io.qube.client;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The events a recorder wrote lately, by what makes two events the same, so that a repeat updates the first one's
 * count: at most {@value #CAPACITY} kept, least recently repeated forgotten first, and a repeat after
 * {@link #WINDOW} starts a new event, as client-go's correlator does.
 */
final class RecentEvents {

    static final int CAPACITY = 4096;
    static final Duration WINDOW = Duration.ofMinutes(10);

    /** The event to write: its name, and its count with this occurrence (1: a new event). */
    record Repeat(String name, int count) {
    }

    private record Seen(String name, int count, Instant last) {
    }

    private final Map<String, Seen> seen = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Seen> eldest) {
            return size() > CAPACITY;
        }
    };

    /** Records an occurrence of the event with this identity; {@code newName} names it if it is new. */
    synchronized Repeat record(String identity, String newName, Instant at) {
        Seen before = seen.get(identity);
        Seen now = before != null && before.last().plus(WINDOW).isAfter(at)
                ? new Seen(before.name(), before.count() + 1, at) : new Seen(newName, 1, at);
        seen.put(identity, now);
        return new Repeat(now.name(), now.count());
    }
}
