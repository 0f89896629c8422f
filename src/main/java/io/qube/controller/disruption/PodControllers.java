package io.qube.controller.disruption;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.ReplicationController;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.qube.controller.ControllerRefs;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The scale a budget given as a percentage is a percentage of (Kubernetes' getExpectedScale): the summed
 * spec.replicas of the controllers of its pods, each counted once, found through the pods' controller references
 * (a ReplicaSet run by a Deployment counts as its Deployment, as Kubernetes' finders resolve it).
 */
final class PodControllers {

    /** The expected pods, and the pods that have no controller (counted as nothing). */
    record Scale(int expected, List<String> unmanaged) {
    }

    /** A pod's controller is not one this controller knows (or no longer exists). */
    static final class NotFound extends Exception {
        NotFound(String pod) {
            super("found no controllers for pod \"" + pod + "\"");
        }
    }

    private final SharedIndexInformer<ReplicationController> replicationControllers;
    private final SharedIndexInformer<ReplicaSet> replicaSets;
    private final SharedIndexInformer<Deployment> deployments;
    private final SharedIndexInformer<StatefulSet> statefulSets;

    PodControllers(SharedIndexInformer<ReplicationController> replicationControllers,
                   SharedIndexInformer<ReplicaSet> replicaSets, SharedIndexInformer<Deployment> deployments,
                   SharedIndexInformer<StatefulSet> statefulSets) {
        this.replicationControllers = replicationControllers;
        this.replicaSets = replicaSets;
        this.deployments = deployments;
        this.statefulSets = statefulSets;
    }

    Scale expectedScale(List<Pod> pods) throws NotFound {
        Map<String, Integer> scaleByController = new HashMap<>();
        List<String> unmanaged = new ArrayList<>();
        for (Pod pod : pods) {
            OwnerReference ref = ControllerRefs.controllerOf(pod);
            if (ref == null) {
                unmanaged.add(pod.getMetadata().getName());
                continue;
            }
            if (scaleByController.containsKey(ref.getUid())) {
                continue;
            }
            Map.Entry<String, Integer> found = scaleOf(ref, pod.getMetadata().getNamespace())
                    .orElseThrow(() -> new NotFound(pod.getMetadata().getName()));
            scaleByController.put(found.getKey(), found.getValue());
        }
        return new Scale(scaleByController.values().stream().mapToInt(Integer::intValue).sum(), List.copyOf(unmanaged));
    }

    /** The controller's UID (the Deployment's, for a ReplicaSet it runs) and its desired replicas. */
    private Optional<Map.Entry<String, Integer>> scaleOf(OwnerReference ref, String namespace) {
        String group = ref.getApiVersion() == null ? "" : ref.getApiVersion().split("/")[0];
        switch (ref.getKind()) {
            case "ReplicationController" -> {
                if (ref.getApiVersion().equals("v1")) {
                    return owned(replicationControllers, namespace, ref)
                            .map(rc -> Map.entry(ref.getUid(), replicas(rc.getSpec().getReplicas())));
                }
            }
            case "ReplicaSet" -> {
                if (group.equals("apps")) {
                    Optional<ReplicaSet> replicaSet = owned(replicaSets, namespace, ref);
                    if (replicaSet.isEmpty()) {
                        return Optional.empty();
                    }
                    OwnerReference deploymentRef = ControllerRefs.controllerOf(replicaSet.get());
                    if (deploymentRef != null && "Deployment".equals(deploymentRef.getKind())
                            && String.valueOf(deploymentRef.getApiVersion()).startsWith("apps/")) {
                        return owned(deployments, namespace, deploymentRef).map(deployment ->
                                Map.entry(deploymentRef.getUid(), replicas(deployment.getSpec().getReplicas())));
                    }
                    return Optional.of(Map.entry(ref.getUid(), replicas(replicaSet.get().getSpec().getReplicas())));
                }
            }
            case "StatefulSet" -> {
                if (group.equals("apps")) {
                    return owned(statefulSets, namespace, ref)
                            .map(set -> Map.entry(ref.getUid(), replicas(set.getSpec().getReplicas())));
                }
            }
            default -> { }
        }
        return Optional.empty();
    }

    /** The cached object the reference names, if it is still the same object (same UID). */
    private static <T extends HasMetadata> Optional<T> owned(SharedIndexInformer<T> informer, String namespace,
                                                             OwnerReference ref) {
        T object = informer.getIndexer().getByKey(namespace + "/" + ref.getName());
        return object != null && ref.getUid().equals(object.getMetadata().getUid()) ? Optional.of(object)
                : Optional.empty();
    }

    private static int replicas(Integer replicas) {
        return replicas == null ? 1 : replicas;
    }
}
