package io.qube.controller.deployment;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.qube.client.EventRecorder;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Sets a ReplicaSet's replicas on a Deployment's behalf, with the annotations that record what the Deployment
 * wanted (desired and maximum replicas) and the ScalingReplicaSet event {@code kubectl describe} shows.
 */
final class Scaler {

    private final KubernetesClient client;
    private final EventRecorder events;

    Scaler(KubernetesClient client, EventRecorder events) {
        this.client = client;
        this.events = events;
    }

    /** Scales {@code set} to {@code replicas}; whether anything changed. */
    boolean scale(ReplicaSet set, int replicas, Deployment deployment) {
        int from = replicas(set);
        Map<String, String> annotations = new HashMap<>(set.getMetadata().getAnnotations() == null ? Map.of()
                : set.getMetadata().getAnnotations());
        String desired = Integer.toString(replicas(deployment));
        String max = Integer.toString(replicas(deployment) + Strategies.maxSurge(deployment));
        boolean annotationsChanged = !Objects.equals(annotations.put(Revisions.DESIRED_REPLICAS, desired), desired)
                | !Objects.equals(annotations.put(Revisions.MAX_REPLICAS, max), max);
        if (from == replicas && !annotationsChanged) {
            return false;
        }
        // Pinned to the version the decision was made on: a ReplicaSet changed meanwhile answers 409, and the sync
        // runs again on the informer's newer copy instead of overwriting what it did not see.
        ReplicaSet scaled = client.apps().replicaSets().inNamespace(set.getMetadata().getNamespace())
                .resource(new ReplicaSetBuilder(set).editSpec().withReplicas(replicas).endSpec().editMetadata()
                        .withAnnotations(annotations).endMetadata().build()).update();
        set.setSpec(scaled.getSpec());
        set.setMetadata(scaled.getMetadata());
        if (from != replicas) {
            events.normal(deployment, "ScalingReplicaSet", "Scaled " + (replicas > from ? "up" : "down")
                    + " replica set " + set.getMetadata().getName() + " from " + from + " to " + replicas);
        }
        return from != replicas;
    }

    static int replicas(ReplicaSet set) {
        return set.getSpec().getReplicas() == null ? 1 : set.getSpec().getReplicas();
    }

    static int replicas(Deployment deployment) {
        return deployment.getSpec().getReplicas() == null ? 1 : deployment.getSpec().getReplicas();
    }
}
