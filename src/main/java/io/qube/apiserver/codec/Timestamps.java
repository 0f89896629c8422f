package io.qube.apiserver.codec;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * Kubernetes' metav1.Time: RFC 3339 in UTC, to the second. Every create writes two (creationTimestamp and its
 * managedFields entry's time), almost always in the same second as the write before, so the text of the last second
 * formatted is kept and reused.
 */
public final class Timestamps {

    private record Formatted(long second, String text) {
    }

    // Racy by design: threads may overwrite each other's entry, each one right for its second.
    private static volatile Formatted last = new Formatted(Long.MIN_VALUE, "");

    private Timestamps() {
    }

    public static String seconds(Instant at) {
        long second = at.getEpochSecond();
        Formatted cached = last;
        if (cached.second() == second) {
            return cached.text();
        }
        String text = at.truncatedTo(ChronoUnit.SECONDS).toString();
        last = new Formatted(second, text);
        return text;
    }
}
