package io.qube.controller.podautoscaler;

import java.time.Duration;
import java.time.Instant;

/**
 * One pod's usage of a resource, summed over its containers, in milli-units (millicores, millibytes) as Kubernetes'
 * autoscaler counts, with when it was measured and over which window.
 */
public record PodMetric(long milliValue, Instant timestamp, Duration window) {

    /** A stand-in usage for a pod without a sample (missing or not ready), as the algorithm assumes one. */
    static PodMetric assumed(long milliValue) {
        return new PodMetric(milliValue, Instant.EPOCH, Duration.ZERO);
    }
}
