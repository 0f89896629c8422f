package io.qube.controller.podautoscaler;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Each autoscaler's recent unstabilized recommendations, kept in memory as Kubernetes keeps them (a new leader
 * starts afresh). A stabilization window makes the autoscaler act on the most conservative recommendation of the
 * window: the highest for a scale-down (so a brief dip does not remove pods), the lowest for a scale-up.
 */
final class Recommendations {

    private record Timed(int replicas, Instant at) {
    }

    private final Map<String, List<Timed>> byKey = new ConcurrentHashMap<>();

    /** The first look at an autoscaler counts its target's current size as a recommendation. */
    void recordInitial(String key, int currentReplicas, Instant now) {
        byKey.computeIfAbsent(key, k -> new ArrayList<>(List.of(new Timed(currentReplicas, now))));
    }

    /** Without a behavior: the highest recommendation of the scale-down window, this one recorded. */
    int stabilizeDown(String key, int desired, Duration window, Instant now) {
        // No current size to bring in: the highest of the window is the answer.
        return stabilize(key, desired, Integer.MAX_VALUE, Duration.ZERO, window, now);
    }

    /**
     * With a behavior: the current size brought up to the lowest recommendation of the scale-up window and down
     * to the highest of the scale-down window; this one recorded (in the place of one both windows have passed).
     */
    int stabilize(String key, int desired, int current, Duration upWindow, Duration downWindow, Instant now) {
        Instant upCutoff = now.minus(upWindow);
        Instant downCutoff = now.minus(downWindow);
        int up = desired;
        int down = desired;
        List<Timed> history = byKey.computeIfAbsent(key, k -> new ArrayList<>());
        synchronized (history) {
            int old = -1;
            for (int i = 0; i < history.size(); i++) {
                Timed recommendation = history.get(i);
                if (recommendation.at().isAfter(upCutoff)) {
                    up = Math.min(up, recommendation.replicas());
                }
                if (recommendation.at().isAfter(downCutoff)) {
                    down = Math.max(down, recommendation.replicas());
                }
                if (recommendation.at().isBefore(upCutoff) && recommendation.at().isBefore(downCutoff)) {
                    old = i;
                }
            }
            if (old >= 0) {
                history.set(old, new Timed(desired, now));
            } else {
                history.add(new Timed(desired, now));
            }
        }
        return Math.min(Math.max(current, up), down);
    }

    void forget(String key) {
        byKey.remove(key);
    }
}
