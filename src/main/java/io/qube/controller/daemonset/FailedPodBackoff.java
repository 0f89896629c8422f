package io.qube.controller.daemonset;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * How long to wait before deleting a node's failed daemon pod again (client-go's flowcontrol.Backoff as the
 * DaemonSet controller uses it: 1 s doubling to 15 min). A kubelet that rejects every pod would otherwise have
 * its pods failed, deleted and recreated in a hot loop.
 */
final class FailedPodBackoff {

    static final Duration INITIAL = Duration.ofSeconds(1);
    static final Duration MAX = Duration.ofMinutes(15);

    private record Entry(Duration backoff, Instant lastUpdate) {
        boolean expired(Instant now) {
            return Duration.between(lastUpdate, now).compareTo(MAX.multipliedBy(2)) > 0;
        }
    }

    private final Map<String, Entry> entries = new HashMap<>();

    /** Whether the last deletion under this key is more recent than its current backoff. */
    synchronized boolean inBackoff(String key, Instant now) {
        Entry entry = entries.get(key);
        return entry != null && now.isBefore(entry.lastUpdate().plus(entry.backoff()));
    }

    synchronized Duration delay(String key) {
        Entry entry = entries.get(key);
        return entry == null ? Duration.ZERO : entry.backoff();
    }

    /** A deletion now: the next one waits twice as long, unless the key has been quiet for long. */
    synchronized void next(String key, Instant now) {
        Entry entry = entries.get(key);
        Duration backoff = entry == null || entry.expired(now) ? INITIAL
                : entry.backoff().multipliedBy(2).compareTo(MAX) > 0 ? MAX : entry.backoff().multipliedBy(2);
        entries.put(key, new Entry(backoff, now));
        entries.values().removeIf(other -> other.expired(now));
    }
}
