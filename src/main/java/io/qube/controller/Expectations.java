package io.qube.controller;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * What a controller is waiting to see in its informers after its own writes (Kubernetes' ControllerExpectations
 * with UID-tracked deletions): a controller whose creates or deletes are not yet observed must not act again on
 * its stale cache, or it would create or delete twice. Expectations older than five minutes are given up.
 */
public final class Expectations {

    static final Duration TIMEOUT = Duration.ofMinutes(5);

    private record Pending(int creations, Set<String> deletions, Instant since) {
    }

    private final Clock clock;
    private final Map<String, Pending> byController = new HashMap<>();

    public Expectations(Clock clock) {
        this.clock = clock;
    }

    /** Whether the controller {@code key} has seen everything it expects (or nothing is expected, or too long). */
    public synchronized boolean satisfied(String key) {
        Pending pending = byController.get(key);
        return pending == null || pending.creations() <= 0 && pending.deletions().isEmpty()
                || Duration.between(pending.since(), clock.instant()).compareTo(TIMEOUT) > 0;
    }

    /** Expects {@code count} creations and the deletion of these pods (namespace/name), from now. */
    public synchronized void expect(String key, int count, Set<String> deletions) {
        byController.put(key, new Pending(count, new HashSet<>(deletions), clock.instant()));
    }

    /** A creation seen, or one that will not happen (its request failed). */
    public synchronized void creationObserved(String key) {
        Pending pending = byController.get(key);
        if (pending != null) {
            byController.put(key, new Pending(pending.creations() - 1, pending.deletions(), pending.since()));
        }
    }

    /** The deletion of {@code pod} seen, or one that will not happen. */
    public synchronized void deletionObserved(String key, String pod) {
        Pending pending = byController.get(key);
        if (pending != null) {
            pending.deletions().remove(pod);
        }
    }

    /** The controller is gone. */
    public synchronized void forget(String key) {
        byController.remove(key);
    }
}
