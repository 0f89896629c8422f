package io.qube.controller.nodelifecycle;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.Toleration;
import io.qube.client.Tolerations;

import java.time.Instant;
import java.util.List;

/**
 * When a pod must leave a node for its NoExecute taints, as Kubernetes' taint eviction decides: at once if one
 * of them is not tolerated, never if every matching toleration is unbounded, else the shortest
 * tolerationSeconds after the latest of those taints was added.
 */
final class Eviction {

    private Eviction() {
    }

    /** The time the pod is due to be evicted, {@link Instant#MIN} for now, or null for never. */
    static Instant due(Pod pod, List<Taint> taints, Instant now) {
        List<Toleration> tolerations = pod.getSpec() == null || pod.getSpec().getTolerations() == null ? List.of()
                : pod.getSpec().getTolerations();
        Long shortest = null;
        Instant since = null;
        for (Taint taint : taints) {
            if (!"NoExecute".equals(taint.getEffect())) {
                continue;
            }
            boolean tolerated = false;
            for (Toleration toleration : tolerations) {
                if (!Tolerations.tolerates(toleration, taint)) {
                    continue;
                }
                tolerated = true;
                Long seconds = toleration.getTolerationSeconds();
                if (seconds != null) {
                    shortest = shortest == null ? Math.max(0, seconds) : Math.min(shortest, Math.max(0, seconds));
                }
            }
            if (!tolerated) {
                return Instant.MIN;
            }
            Instant added = taint.getTimeAdded() == null ? now : Instant.parse(taint.getTimeAdded());
            since = since == null || added.isAfter(since) ? added : since;
        }
        return shortest == null ? null : since.plusSeconds(shortest);
    }
}
