package io.qube.agent.pod;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The events this node wrote lately, by what makes two events the same (client-go's correlator key: object, field,
 * type, reason, message; the source is always this node's kubelet), so that a repeat within {@link #WINDOW} raises
 * the count of the event already written instead of adding another. At most {@value #CAPACITY} remembered, the
 * least recently repeated forgotten first. The control plane's recorder keeps its own (io.qube.client.RecentEvents):
 * the agent shares no code with the control plane.
 */
final class EventRepeats {

    static final Duration WINDOW = Duration.ofMinutes(10);
    static final int CAPACITY = 4096;

    /** An event as written: its name, how often it happened, when last. */
    record Written(String name, int count, Instant last) {
    }

    private final Map<String, Written> written = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Written> eldest) {
            return size() > CAPACITY;
        }
    };

    /** The event that an occurrence at {@code at} repeats, with its count raised, or empty if it is a new event. */
    synchronized Optional<Written> repeat(String identity, Instant at) {
        Written before = written.get(identity);
        if (before == null || !before.last().plus(WINDOW).isAfter(at)) {
            return Optional.empty();
        }
        return Optional.of(new Written(before.name(), before.count() + 1, at));
    }

    /** Remembers an event once the API has it, so that its repeats count up on it. */
    synchronized void wrote(String identity, Written event) {
        written.put(identity, event);
    }

    /** Forgets an event whose write failed (or that expired), so that the next occurrence writes a new one. */
    synchronized void forget(String identity) {
        written.remove(identity);
    }

    static String identity(String uid, String fieldPath, String type, String reason, String message) {
        return String.join("\u0000", uid, String.valueOf(fieldPath), type, reason, message);
    }
}
