package io.qube.controller.daemonset;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.RollingUpdateDaemonSet;
import io.qube.controller.ActivePods;
import io.qube.controller.IntOrPercent;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One step of a DaemonSet's RollingUpdate (Kubernetes' rollingUpdate): without surge, old pods are deleted while
 * no more than maxUnavailable nodes lack an available daemon pod, and the next sync starts the new ones; with
 * surge, a new pod starts next to an old one on up to maxSurge nodes, and the old one goes once the new one is
 * available.
 */
final class RollingUpdate {

    /** The pods to delete and the nodes to start a pod on. */
    record Plan(List<Pod> delete, List<String> create) {
        static final Plan NOTHING = new Plan(List.of(), List.of());
    }

    private record NodePods(Pod newPod, Pod oldPod, boolean ok) {
    }

    private RollingUpdate() {
    }

    /** maxUnavailable in nodes, rounded up from a percentage of the nodes that should run the pod. */
    static int maxUnavailable(DaemonSet set, int desired) {
        RollingUpdateDaemonSet rolling = rolling(set);
        return rolling == null ? 0 : IntOrPercent.scaled(rolling.getMaxUnavailable(), desired, true);
    }

    static int maxSurge(DaemonSet set, int desired) {
        RollingUpdateDaemonSet rolling = rolling(set);
        return rolling == null ? 0 : IntOrPercent.scaled(rolling.getMaxSurge(), desired, true);
    }

    /** Whether a node may briefly run an old and a new pod side by side (Kubernetes' AllowsSurge). */
    static boolean allowsSurge(DaemonSet set) {
        return maxSurge(set, 1) > 0;
    }

    private static RollingUpdateDaemonSet rolling(DaemonSet set) {
        return set.getSpec().getUpdateStrategy() == null
                || !"RollingUpdate".equals(set.getSpec().getUpdateStrategy().getType()) ? null
                : set.getSpec().getUpdateStrategy().getRollingUpdate();
    }

    /**
     * @param nodePods each node's daemon pods, with an empty entry for every node that should run one
     * @param placements where the DaemonSet should run, by node name
     */
    static Plan step(DaemonSet set, Map<String, List<Pod>> nodePods, Map<String, DaemonNodes.Placement> placements,
                     String hash, Instant now) {
        int desired = (int) placements.values().stream().filter(DaemonNodes.Placement::shouldRun).count();
        int maxSurge = maxSurge(set, desired);
        int maxUnavailable = maxUnavailable(set, desired);
        if (desired > 0 && maxSurge == 0 && maxUnavailable == 0) {
            // An impossible configuration (the API forbids it) is read as Kubernetes reads it: one at a time.
            maxUnavailable = 1;
        }
        Map<String, List<Pod>> byNode = new TreeMap<>(nodePods);
        return maxSurge == 0 ? withoutSurge(set, byNode, hash, maxUnavailable, now)
                : withSurge(set, byNode, placements, hash, maxSurge, desired, now);
    }

    private static Plan withoutSurge(DaemonSet set, Map<String, List<Pod>> byNode, String hash, int maxUnavailable,
                                     Instant now) {
        int unavailable = 0;
        List<Pod> replacements = new ArrayList<>();
        List<Pod> candidates = new ArrayList<>();
        for (List<Pod> pods : byNode.values()) {
            NodePods node = split(set, pods, hash);
            if (!node.ok() || (node.oldPod() == null) == (node.newPod() == null)) {
                // Excess, missing or doubled pods are the manage step's to settle; the node counts as unavailable.
                unavailable++;
            } else if (node.newPod() != null) {
                if (!available(set, node.newPod(), now)) {
                    unavailable++;
                }
            } else if (!available(set, node.oldPod(), now)) {
                replacements.add(node.oldPod());
                unavailable++;
            } else if (unavailable < maxUnavailable) {
                candidates.add(node.oldPod());
            }
        }
        int room = Math.max(0, Math.min(maxUnavailable - unavailable, candidates.size()));
        List<Pod> delete = new ArrayList<>(replacements);
        delete.addAll(candidates.subList(0, room));
        return new Plan(delete, List.of());
    }

    private static Plan withSurge(DaemonSet set, Map<String, List<Pod>> byNode,
                                  Map<String, DaemonNodes.Placement> placements, String hash, int maxSurge,
                                  int desired, Instant now) {
        List<Pod> delete = new ArrayList<>();
        List<Pod> offNodes = new ArrayList<>();
        List<String> allowed = new ArrayList<>();
        List<String> candidates = new ArrayList<>();
        int surging = 0;
        int available = 0;
        for (Map.Entry<String, List<Pod>> entry : byNode.entrySet()) {
            String nodeName = entry.getKey();
            NodePods node = split(set, entry.getValue(), hash);
            if (!node.ok()) {
                surging++;
                continue;
            }
            Pod counted = node.oldPod() != null ? node.oldPod() : node.newPod();
            if (counted != null && available(set, counted, now)) {
                available++;
            }
            boolean shouldRun = placements.getOrDefault(nodeName, DaemonNodes.Placement.NEVER).shouldRun();
            if (node.oldPod() == null) {
                continue;
            }
            if (node.newPod() == null) {
                if (!available(set, node.oldPod(), now)) {
                    if (shouldRun) {
                        allowed.add(nodeName);
                    } else {
                        delete.add(node.oldPod());
                    }
                } else if (!shouldRun) {
                    offNodes.add(node.oldPod());
                } else if (surging < maxSurge) {
                    candidates.add(nodeName);
                }
            } else if (!available(set, node.newPod(), now)) {
                surging++;
            } else {
                delete.add(node.oldPod());
            }
        }
        // With surge the owner expects full availability: a pod on a node it left goes only once enough others are up.
        int deletable = Math.min(available - desired, offNodes.size());
        if (deletable > 0) {
            delete.addAll(offNodes.subList(0, deletable));
        }
        int room = Math.max(0, Math.min(maxSurge - surging, candidates.size()));
        List<String> create = new ArrayList<>(allowed);
        create.addAll(candidates.subList(0, room));
        return new Plan(delete, create);
    }

    /** The node's one new and one old pod, ignoring pods being deleted; not ok when it has two of either. */
    private static NodePods split(DaemonSet set, List<Pod> pods, String hash) {
        Long generation = DaemonRevisions.templateGeneration(set);
        Pod newPod = null;
        Pod oldPod = null;
        for (Pod pod : pods) {
            if (DaemonPods.deleting(pod)) {
                continue;
            }
            if (DaemonRevisions.isUpdated(pod, hash, generation)) {
                if (newPod != null) {
                    return new NodePods(null, null, false);
                }
                newPod = pod;
            } else {
                if (oldPod != null) {
                    return new NodePods(null, null, false);
                }
                oldPod = pod;
            }
        }
        return new NodePods(newPod, oldPod, true);
    }

    private static boolean available(DaemonSet set, Pod pod, Instant now) {
        return ActivePods.isAvailable(pod, minReadySeconds(set), now);
    }

    static int minReadySeconds(DaemonSet set) {
        return set.getSpec().getMinReadySeconds() == null ? 0 : set.getSpec().getMinReadySeconds();
    }
}
