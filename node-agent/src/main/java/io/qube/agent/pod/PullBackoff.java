package io.qube.agent.pod;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The kubelet's image pull back-off per pod and image: 10 s after the first failure, doubling up to 5 minutes; a
 * failure more than twice the maximum after the one before starts over at 10 s (its flowcontrol.Backoff expiry).
 */
final class PullBackoff {

    private record Entry(Duration delay, Instant failedAt) {
    }

    private final Map<String, Entry> entries = new ConcurrentHashMap<>();

    /** How long a pull of this key must still wait; zero when it may be tried now. */
    Duration remaining(String key, Instant now) {
        Entry entry = entries.get(key);
        if (entry == null) {
            return Duration.ZERO;
        }
        Duration left = Duration.between(now, entry.failedAt().plus(entry.delay()));
        return left.isNegative() ? Duration.ZERO : left;
    }

    void failed(String key, Instant now) {
        entries.compute(key, (k, entry) -> {
            boolean expired = entry != null
                    && Duration.between(entry.failedAt(), now).compareTo(CrashBackoff.MAX.multipliedBy(2)) > 0;
            Duration next = entry == null || expired ? CrashBackoff.INITIAL : entry.delay().multipliedBy(2);
            return new Entry(next.compareTo(CrashBackoff.MAX) > 0 ? CrashBackoff.MAX : next, now);
        });
    }

    void succeeded(String key) {
        entries.remove(key);
    }

    void forget(String podUid) {
        entries.keySet().removeIf(key -> key.startsWith(podUid + "/"));
    }
}
