package io.qube.controller.deployment;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.qube.client.EventRecorder;
import io.qube.controller.ControllerRefs;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * A Deployment's new ReplicaSet: named {@code <deployment>-<pod-template-hash>}, its selector and template
 * labelled with the hash, annotated with the Deployment's annotations, its revision and the replicas the Deployment
 * wanted. A name taken by a
 * ReplicaSet with another template is a hash collision: status.collisionCount goes up and the next try hashes
 * differently, as in Kubernetes.
 */
final class ReplicaSetFactory {

    /** The Deployment's annotations a new ReplicaSet does not take over, as Kubernetes skips them. */
    private static final Set<String> NOT_COPIED = Set.of("kubectl.kubernetes.io/last-applied-configuration",
            Revisions.REVISION, Revisions.REVISION_HISTORY, Revisions.DESIRED_REPLICAS, Revisions.MAX_REPLICAS,
            "deprecated.deployment.rollback.to");

    private ReplicaSetFactory() {
    }

    /** The Deployment's own annotations (kubernetes.io/change-cause, which rollout history shows, among them). */
    private static Map<String, String> copiedAnnotations(Deployment deployment) {
        Map<String, String> copied = new HashMap<>();
        if (deployment.getMetadata().getAnnotations() != null) {
            deployment.getMetadata().getAnnotations().forEach((key, value) -> {
                if (!NOT_COPIED.contains(key)) {
                    copied.put(key, value);
                }
            });
        }
        return copied;
    }

    /** The created (or found identical) ReplicaSet; null when it could not be made now. */
    static ReplicaSet create(KubernetesClient client, Deployment deployment, long revision, int replicas,
                             EventRecorder events) {
        DeploymentStatus status = deployment.getStatus();
        Integer collisions = status == null ? null : status.getCollisionCount();
        PodTemplateSpec template = deployment.getSpec().getTemplate();
        String hash = Revisions.hash(template, collisions);
        String namespace = deployment.getMetadata().getNamespace();
        LabelSelector selector = new LabelSelectorBuilder(deployment.getSpec().getSelector())
                .addToMatchLabels(Revisions.HASH_LABEL, hash).build();
        Map<String, String> labels = new HashMap<>(template.getMetadata() == null
                || template.getMetadata().getLabels() == null ? Map.of() : template.getMetadata().getLabels());
        labels.put(Revisions.HASH_LABEL, hash);
        Map<String, String> annotations = copiedAnnotations(deployment);
        annotations.put(Revisions.REVISION, Long.toString(revision));
        annotations.put(Revisions.DESIRED_REPLICAS, Integer.toString(Scaler.replicas(deployment)));
        annotations.put(Revisions.MAX_REPLICAS, Integer.toString(Scaler.replicas(deployment)
                + Strategies.maxSurge(deployment)));
        ReplicaSet set = new ReplicaSetBuilder().withNewMetadata()
                .withName(deployment.getMetadata().getName() + "-" + hash).withNamespace(namespace)
                .withLabels(labels).withAnnotations(annotations)
                .withOwnerReferences(ControllerRefs.controllerRef(deployment)).endMetadata()
                .withNewSpec().withReplicas(replicas).withMinReadySeconds(deployment.getSpec().getMinReadySeconds())
                .withSelector(selector).withTemplate(Revisions.withHash(template, hash)).endSpec()
                .build();
        try {
            ReplicaSet created = client.apps().replicaSets().inNamespace(namespace).resource(set).create();
            if (replicas > 0) {
                events.normal(deployment, "ScalingReplicaSet", "Scaled up replica set "
                        + created.getMetadata().getName() + " from 0 to " + replicas);
            }
            return created;
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                throw e;
            }
        }
        ReplicaSet existing = client.apps().replicaSets().inNamespace(namespace)
                .withName(set.getMetadata().getName()).get();
        if (existing != null && ControllerRefs.controllerOf(existing) != null
                && deployment.getMetadata().getUid().equals(ControllerRefs.controllerOf(existing).getUid())
                && Revisions.sameTemplate(existing.getSpec().getTemplate(), template)) {
            return existing;
        }
        DeploymentStatus bumped = status == null ? new DeploymentStatus() : status;
        bumped.setCollisionCount(collisions == null ? 1 : collisions + 1);
        deployment.setStatus(bumped);
        client.apps().deployments().inNamespace(namespace).resource(deployment).updateStatus();
        return null;
    }
}
