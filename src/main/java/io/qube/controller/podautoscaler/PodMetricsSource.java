package io.qube.controller.podautoscaler;

import java.time.Instant;
import java.util.Map;

/**
 * Where the autoscaler reads pods' resource usage: in production the metrics.k8s.io API ({@link MetricsApi});
 * the replica algorithm only sees its answer, so it can be exercised with fixed figures.
 */
public interface PodMetricsSource {

    /** The usage of one resource by each pod the selector matches, and when the first of them was measured. */
    record PodUsage(Map<String, PodMetric> byPod, Instant timestamp) {
    }

    /**
     * @param selector a label selector in its string form, as a scale's status.selector gives it
     * @throws MetricsUnavailable with Kubernetes' wording when there are no figures to scale on
     */
    PodUsage resourceUsage(String namespace, String selector, String resource) throws MetricsUnavailable;

    /** No usage could be had; the message says why, as Kubernetes' metrics client words it. */
    final class MetricsUnavailable extends Exception {
        public MetricsUnavailable(String message) {
            super(message);
        }
    }
}
