package io.qube.controller.deployment;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The RollingUpdate strategy, one step per sync as Kubernetes takes it: scale the new ReplicaSet up as far as
 * maxSurge allows; otherwise scale old ReplicaSets down as far as maxUnavailable allows, their unavailable pods
 * first.
 */
final class RollingUpdate {

    private final Scaler scaler;

    RollingUpdate(Scaler scaler) {
        this.scaler = scaler;
    }

    /** One step; whether it scaled anything. */
    boolean step(Deployment deployment, ReplicaSet newSet, List<ReplicaSet> oldSets) {
        List<ReplicaSet> all = new ArrayList<>(oldSets);
        all.add(newSet);
        if (reconcileNew(deployment, newSet, all)) {
            return true;
        }
        return reconcileOld(deployment, newSet, oldSets, all);
    }

    /** How many replicas a new ReplicaSet starts with, or grows to: up to replicas + maxSurge pods in all. */
    static int newReplicas(Deployment deployment, ReplicaSet newSet, List<ReplicaSet> all) {
        int replicas = Scaler.replicas(deployment);
        int current = newSet == null ? 0 : Scaler.replicas(newSet);
        int maxTotal = replicas + Strategies.maxSurge(deployment);
        int total = all.stream().mapToInt(Scaler::replicas).sum();
        if (total >= maxTotal) {
            return current;
        }
        return current + Math.min(maxTotal - total, replicas - current);
    }

    private boolean reconcileNew(Deployment deployment, ReplicaSet newSet, List<ReplicaSet> all) {
        int replicas = Scaler.replicas(deployment);
        if (Scaler.replicas(newSet) == replicas) {
            return false;
        }
        if (Scaler.replicas(newSet) > replicas) {
            return scaler.scale(newSet, replicas, deployment);
        }
        return scaler.scale(newSet, newReplicas(deployment, newSet, all), deployment);
    }

    private boolean reconcileOld(Deployment deployment, ReplicaSet newSet, List<ReplicaSet> oldSets,
                                 List<ReplicaSet> all) {
        if (oldSets.stream().mapToInt(Scaler::replicas).sum() == 0) {
            return false;
        }
        int allPods = all.stream().mapToInt(Scaler::replicas).sum();
        int minAvailable = Scaler.replicas(deployment) - Strategies.maxUnavailable(deployment);
        int newUnavailable = Scaler.replicas(newSet) - available(newSet);
        int maxScaledDown = allPods - minAvailable - newUnavailable;
        if (maxScaledDown <= 0) {
            return false;
        }
        List<ReplicaSet> oldest = oldSets.stream().sorted(byAge()).toList();
        int cleaned = scaleDownUnhealthy(deployment, oldest, maxScaledDown);
        int scaled = scaleDownAvailable(deployment, oldest, all, minAvailable);
        return cleaned + scaled > 0;
    }

    /** Old ReplicaSets' pods that are not available go first: removing them costs no availability. */
    private int scaleDownUnhealthy(Deployment deployment, List<ReplicaSet> oldest, int maxCleanup) {
        int total = 0;
        for (ReplicaSet set : oldest) {
            if (total >= maxCleanup) {
                break;
            }
            int down = unhealthyToRemove(set, maxCleanup - total);
            if (down == 0) {
                continue;
            }
            scaler.scale(set, Scaler.replicas(set) - down, deployment);
            total += down;
        }
        return total;
    }

    /**
     * How many of an old ReplicaSet's unavailable replicas may go within {@code budget}. Its status may still count
     * pods it was just scaled down from (available above replicas): that makes none unavailable, never a negative
     * count, which would scale the old set back up and break maxSurge (Kubernetes refuses such a scale as invalid).
     */
    static int unhealthyToRemove(ReplicaSet set, int budget) {
        return Math.max(0, Math.min(budget, Scaler.replicas(set) - available(set)));
    }

    private int scaleDownAvailable(Deployment deployment, List<ReplicaSet> oldest, List<ReplicaSet> all,
                                   int minAvailable) {
        int toScaleDown = availableAboveMinimum(all, minAvailable);
        int total = 0;
        for (ReplicaSet set : oldest) {
            if (total >= toScaleDown) {
                break;
            }
            int replicas = Scaler.replicas(set);
            if (replicas == 0) {
                continue;
            }
            int down = Math.min(replicas, toScaleDown - total);
            scaler.scale(set, replicas - down, deployment);
            total += down;
        }
        return total;
    }

    /**
     * How many available pods the ReplicaSets have beyond {@code minAvailable}. A set's status may still count pods
     * it was just scaled down from, which its controller is deleting: they count up to its replicas only, or one
     * sync would take the same pods' availability twice and scale down below maxUnavailable.
     */
    static int availableAboveMinimum(List<ReplicaSet> all, int minAvailable) {
        int available = all.stream().mapToInt(set -> Math.min(available(set), Scaler.replicas(set))).sum();
        return Math.max(0, available - minAvailable);
    }

    static int available(ReplicaSet set) {
        return set.getStatus() == null || set.getStatus().getAvailableReplicas() == null ? 0
                : set.getStatus().getAvailableReplicas();
    }

    static Comparator<ReplicaSet> byAge() {
        return Comparator.comparing((ReplicaSet set) -> set.getMetadata().getCreationTimestamp())
                .thenComparing(set -> set.getMetadata().getName());
    }
}
