package io.qube.agent.pod;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The kubelet's restart back-off per container: the first restart is at once, then each waits 10 s, doubling
 * up to 5 minutes after the last exit; a container that ran 10 minutes since its last restart starts over.
 */
final class CrashBackoff {

    static final Duration INITIAL = Duration.ofSeconds(10);
    static final Duration MAX = Duration.ofMinutes(5);
    private static final Duration RESET_AFTER = Duration.ofMinutes(10);

    private record Entry(Duration delay, Instant restartedAt) {
    }

    private final Map<String, Entry> entries = new ConcurrentHashMap<>();

    /** How long the container must still wait after exiting at {@code finishedAt}; zero when it may restart now. */
    Duration remaining(String key, Instant finishedAt, Instant now) {
        Entry entry = current(key, finishedAt);
        if (entry == null) {
            return Duration.ZERO;
        }
        Duration left = Duration.between(now, finishedAt.plus(entry.delay()));
        return left.isNegative() ? Duration.ZERO : left;
    }

    /** The delay the container is waiting out (for the CrashLoopBackOff message). */
    Duration delay(String key) {
        Entry entry = entries.get(key);
        return entry == null ? INITIAL : entry.delay();
    }

    /** Records a restart: the next one waits twice as long (10 s after the first). */
    void restarted(String key, Instant finishedAt, Instant now) {
        Entry entry = current(key, finishedAt);
        Duration next = entry == null ? INITIAL : entry.delay().multipliedBy(2);
        entries.put(key, new Entry(next.compareTo(MAX) > 0 ? MAX : next, now));
    }

    void forget(String podUid) {
        entries.keySet().removeIf(key -> key.startsWith(podUid + "/"));
    }

    private Entry current(String key, Instant finishedAt) {
        Entry entry = entries.get(key);
        if (entry != null && Duration.between(entry.restartedAt(), finishedAt).compareTo(RESET_AFTER) >= 0) {
            entries.remove(key);
            return null;
        }
        return entry;
    }
}
