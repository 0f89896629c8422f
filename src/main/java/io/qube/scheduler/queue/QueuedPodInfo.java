package io.qube.scheduler.queue;

import io.qube.scheduler.framework.PodInfo;

import java.util.Set;

/** A pending pod in the queue, with its history: when it came, how often it was tried, what rejected it last. */
public final class QueuedPodInfo {

    volatile PodInfo pod;
    /** When it last entered the queue or was last tried; orders pods of equal priority, and starts its backoff. */
    long timestamp;
    /** When it first entered the queue, for the attempts-to-success metrics. */
    final long initialAttemptTimestamp;
    int attempts;
    Set<String> rejectingPlugins = Set.of();

    QueuedPodInfo(PodInfo pod, long now) {
        this.pod = pod;
        this.timestamp = now;
        this.initialAttemptTimestamp = now;
    }

    public PodInfo pod() {
        return pod;
    }

    public int attempts() {
        return attempts;
    }

    public long initialAttemptTimestamp() {
        return initialAttemptTimestamp;
    }

    /** The plugins that rejected the pod in its last attempt, which decide what events may help it. */
    public void setRejectingPlugins(Set<String> plugins) {
        this.rejectingPlugins = Set.copyOf(plugins);
    }
}
