package io.qube.controller;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;

import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/** Pods as controllers count and rank them: which are active, which are ready, and which to delete first. */
public final class ActivePods {

    private ActivePods() {
    }

    /** Not finished (Succeeded or Failed) and not being deleted: what counts toward replicas. */
    public static boolean isActive(Pod pod) {
        return !isTerminated(pod) && pod.getMetadata().getDeletionTimestamp() == null;
    }

    /** Finished: Succeeded or Failed, its containers will not run again. */
    public static boolean isTerminated(Pod pod) {
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        return "Succeeded".equals(phase) || "Failed".equals(phase);
    }

    public static boolean isReady(Pod pod) {
        return readySince(pod) != null;
    }

    /** When the pod's Ready condition last became True; null while it is not ready. */
    public static Instant readySince(Pod pod) {
        if (pod.getStatus() == null || pod.getStatus().getConditions() == null) {
            return null;
        }
        for (PodCondition condition : pod.getStatus().getConditions()) {
            if ("Ready".equals(condition.getType()) && "True".equals(condition.getStatus())) {
                String since = condition.getLastTransitionTime();
                return since == null ? Instant.EPOCH : Instant.parse(since);
            }
        }
        return null;
    }

    /** Ready for at least {@code minReadySeconds} by {@code now}. */
    public static boolean isAvailable(Pod pod, int minReadySeconds, Instant now) {
        Instant since = readySince(pod);
        return since != null && (minReadySeconds == 0 || !since.plusSeconds(minReadySeconds).isAfter(now));
    }

    /**
     * Kubernetes' order of deletion (ActivePodsWithRanks): unscheduled before scheduled, Pending before Unknown
     * before Running, not ready before ready, pods sharing their node with more pods of the same controller first,
     * ready for a shorter time first, more restarts of one container first, newer first.
     *
     * @param colocated per node, how many of the controller's active pods run there
     */
    public static Comparator<Pod> deletionOrder(Map<String, Integer> colocated) {
        return Comparator.<Pod>comparingInt(pod -> nodeName(pod).isEmpty() ? 0 : 1)
                .thenComparingInt(ActivePods::phaseRank)
                .thenComparingInt(pod -> isReady(pod) ? 1 : 0)
                .thenComparing(pod -> -colocated.getOrDefault(nodeName(pod), 0))
                .thenComparing(pod -> readySince(pod), Comparator.nullsFirst(Comparator.reverseOrder()))
                .thenComparing(pod -> -restarts(pod))
                .thenComparing(ActivePods::created, Comparator.nullsFirst(Comparator.reverseOrder()));
    }

    private static String nodeName(Pod pod) {
        return pod.getSpec() == null || pod.getSpec().getNodeName() == null ? "" : pod.getSpec().getNodeName();
    }

    private static int phaseRank(Pod pod) {
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        if (phase == null || phase.equals("Pending")) {
            return 0;
        }
        return phase.equals("Running") ? 2 : 1;
    }

    private static int restarts(Pod pod) {
        List<ContainerStatus> statuses = pod.getStatus() == null ? null : pod.getStatus().getContainerStatuses();
        int most = 0;
        if (statuses != null) {
            for (ContainerStatus status : statuses) {
                most = Math.max(most, status.getRestartCount() == null ? 0 : status.getRestartCount());
            }
        }
        return most;
    }

    private static Instant created(Pod pod) {
        String created = pod.getMetadata().getCreationTimestamp();
        return created == null ? null : Instant.parse(created);
    }
}
