package io.qube.controller.deployment;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentConditionBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.ToIntFunction;

/**
 * A Deployment's status as Kubernetes computes it from its ReplicaSets (replicas, updated, ready, available,
 * unavailable), and its two conditions: Available (minimum availability) and Progressing (new ReplicaSet
 * created or found, updated, available, paused or resumed, or past its progress deadline), which {@code kubectl
 * rollout status} reads.
 */
final class Progress {

    static final String AVAILABLE = "Available";
    static final String PROGRESSING = "Progressing";

    private Progress() {
    }

    /** The status for these ReplicaSets, keeping the conditions already there. */
    static DeploymentStatus status(Deployment deployment, ReplicaSet newSet, List<ReplicaSet> all, Instant now) {
        DeploymentStatus previous = deployment.getStatus() == null ? new DeploymentStatus() : deployment.getStatus();
        int replicas = Scaler.replicas(deployment);
        int available = sum(all, Progress::availableOf);
        int total = all.stream().mapToInt(Scaler::replicas).sum();
        DeploymentStatus status = new DeploymentStatusBuilder()
                .withObservedGeneration(deployment.getMetadata().getGeneration())
                .withReplicas(sum(all, set -> set.getStatus() == null || set.getStatus().getReplicas() == null ? 0
                        : set.getStatus().getReplicas()))
                .withUpdatedReplicas(newSet == null || newSet.getStatus() == null
                        || newSet.getStatus().getReplicas() == null ? 0 : newSet.getStatus().getReplicas())
                .withReadyReplicas(sum(all, set -> set.getStatus() == null || set.getStatus().getReadyReplicas() == null
                        ? 0 : set.getStatus().getReadyReplicas()))
                .withAvailableReplicas(available)
                .withUnavailableReplicas(Math.max(0, total - available))
                .withCollisionCount(previous.getCollisionCount())
                .withConditions(new ArrayList<>(previous.getConditions() == null ? List.of() : previous.getConditions()))
                .build();
        if (available >= replicas - Strategies.maxUnavailable(deployment)) {
            set(status, condition(AVAILABLE, "True", "MinimumReplicasAvailable", "Deployment has minimum availability.",
                    now));
        } else {
            set(status, condition(AVAILABLE, "False", "MinimumReplicasUnavailable",
                    "Deployment does not have minimum availability.", now));
        }
        return status;
    }

    /** Progressing as the rollout stands; null: no change. */
    static DeploymentCondition progressing(Deployment deployment, DeploymentStatus status, ReplicaSet newSet,
                                           Instant now) {
        if (deployment.getSpec().getPaused() != null && deployment.getSpec().getPaused()) {
            return null;
        }
        DeploymentCondition current = get(status, PROGRESSING);
        if (complete(deployment, status)) {
            return newSet == null ? null : condition(PROGRESSING, "True", "NewReplicaSetAvailable",
                    "ReplicaSet \"" + newSet.getMetadata().getName() + "\" has successfully progressed.", now);
        }
        DeploymentStatus before = deployment.getStatus();
        if (newSet != null && (before == null || progressed(before, status))) {
            return condition(PROGRESSING, "True", "ReplicaSetUpdated",
                    "ReplicaSet \"" + newSet.getMetadata().getName() + "\" is progressing.", now);
        }
        if (newSet != null && current != null && timedOut(deployment, current, now)) {
            return condition(PROGRESSING, "False", "ProgressDeadlineExceeded",
                    "ReplicaSet \"" + newSet.getMetadata().getName() + "\" has timed out progressing.", now);
        }
        return null;
    }

    /** When to look again for a deadline that may pass with no event; null when none is running. */
    static Duration untilDeadline(Deployment deployment, DeploymentStatus status, Instant now) {
        DeploymentCondition current = get(status, PROGRESSING);
        Integer deadline = deployment.getSpec().getProgressDeadlineSeconds();
        if (deadline == null || current == null || complete(deployment, status)
                || !"True".equals(current.getStatus()) || current.getLastUpdateTime() == null) {
            return null;
        }
        Duration left = Duration.between(now, Instant.parse(current.getLastUpdateTime()).plusSeconds(deadline));
        // Past it, this sync has already judged it: only a deadline still ahead needs another look.
        return left.isNegative() ? null : left.plusSeconds(1);
    }

    /** Kubernetes' DeploymentComplete: every replica updated and available, nothing more running. */
    static boolean complete(Deployment deployment, DeploymentStatus status) {
        int replicas = Scaler.replicas(deployment);
        return nonNull(status.getUpdatedReplicas()) == replicas && nonNull(status.getReplicas()) == replicas
                && nonNull(status.getAvailableReplicas()) == replicas
                && Objects.equals(status.getObservedGeneration(), deployment.getMetadata().getGeneration());
    }

    private static boolean progressed(DeploymentStatus before, DeploymentStatus now) {
        return nonNull(now.getUpdatedReplicas()) > nonNull(before.getUpdatedReplicas())
                || nonNull(now.getReplicas()) - nonNull(now.getUpdatedReplicas())
                < nonNull(before.getReplicas()) - nonNull(before.getUpdatedReplicas())
                || nonNull(now.getReadyReplicas()) > nonNull(before.getReadyReplicas())
                || nonNull(now.getAvailableReplicas()) > nonNull(before.getAvailableReplicas());
    }

    /** Kubernetes' DeploymentTimedOut: a rollout that has completed never times out. */
    private static boolean timedOut(Deployment deployment, DeploymentCondition current, Instant now) {
        Integer deadline = deployment.getSpec().getProgressDeadlineSeconds();
        return deadline != null && current.getLastUpdateTime() != null
                && !"NewReplicaSetAvailable".equals(current.getReason())
                && !"ProgressDeadlineExceeded".equals(current.getReason())
                && now.isAfter(Instant.parse(current.getLastUpdateTime()).plusSeconds(deadline));
    }

    static DeploymentCondition condition(String type, String status, String reason, String message, Instant now) {
        String time = now.truncatedTo(ChronoUnit.SECONDS).toString();
        return new DeploymentConditionBuilder().withType(type).withStatus(status).withReason(reason)
                .withMessage(message).withLastUpdateTime(time).withLastTransitionTime(time).build();
    }

    static DeploymentCondition get(DeploymentStatus status, String type) {
        if (status.getConditions() == null) {
            return null;
        }
        return status.getConditions().stream().filter(c -> type.equals(c.getType())).findFirst().orElse(null);
    }

    /**
     * Records a Progressing condition: progress made (ReplicaSetUpdated) always refreshes lastUpdateTime, which
     * the progress deadline counts from; other conditions as {@link #set}.
     */
    static void record(DeploymentStatus status, DeploymentCondition condition) {
        DeploymentCondition current = get(status, condition.getType());
        if (!"ReplicaSetUpdated".equals(condition.getReason()) || current == null) {
            set(status, condition);
            return;
        }
        if ("True".equals(current.getStatus())) {
            condition.setLastTransitionTime(current.getLastTransitionTime());
        }
        status.getConditions().remove(current);
        set(status, condition);
    }

    /**
     * Kubernetes' SetDeploymentCondition: the same status and reason change nothing; the same status keeps its
     * transition time.
     */
    static void set(DeploymentStatus status, DeploymentCondition condition) {
        DeploymentCondition current = get(status, condition.getType());
        if (current != null && Objects.equals(current.getStatus(), condition.getStatus())
                && Objects.equals(current.getReason(), condition.getReason())) {
            return;
        }
        if (current != null && Objects.equals(current.getStatus(), condition.getStatus())) {
            condition.setLastTransitionTime(current.getLastTransitionTime());
        }
        List<DeploymentCondition> conditions = new ArrayList<>(status.getConditions() == null ? List.of()
                : status.getConditions());
        conditions.removeIf(c -> condition.getType().equals(c.getType()));
        conditions.add(condition);
        status.setConditions(conditions);
    }

    private static int sum(List<ReplicaSet> sets, ToIntFunction<ReplicaSet> count) {
        return sets.stream().mapToInt(count).sum();
    }

    private static int availableOf(ReplicaSet set) {
        return RollingUpdate.available(set);
    }

    private static int nonNull(Integer value) {
        return value == null ? 0 : value;
    }
}
