package io.qube.controller.statefulset;

import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.qube.client.EventRecorder;
import io.qube.controller.ApiErrors;

import java.util.List;

/**
 * The writes the StatefulSet controller makes for one pod, with Kubernetes' events (StatefulPodControl): a pod's
 * claims created before it, pods created, updated and deleted, claims' owners kept to the retention policy. A
 * failed write is recorded as an event and thrown on.
 */
final class StatefulPodControl {

    private final KubernetesClient client;
    private final SharedIndexInformer<PersistentVolumeClaim> claims;
    private final EventRecorder events;

    StatefulPodControl(KubernetesClient client, SharedIndexInformer<PersistentVolumeClaim> claims,
                       EventRecorder events) {
        this.client = client;
        this.claims = claims;
        this.events = events;
    }

    /** Creates the pod's missing claims, then the pod. */
    void create(StatefulSet set, Pod pod) {
        createMissingClaims(set, pod);
        try {
            client.pods().inNamespace(set.getMetadata().getNamespace()).resource(pod).create();
            podEvent(set, pod, "create", null);
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                podEvent(set, pod, "create", e);
            }
            throw e;
        }
    }

    /** Gives the pod back its identity and claims' volumes, creating missing claims first. */
    void update(StatefulSet set, Pod pod) {
        createMissingClaims(set, pod);
        try {
            client.pods().inNamespace(set.getMetadata().getNamespace()).resource(pod).update();
            podEvent(set, pod, "update", null);
        } catch (KubernetesClientException e) {
            podEvent(set, pod, "update", e);
            throw e;
        }
    }

    /** Deletes the pod; gone already is fine. */
    void delete(StatefulSet set, Pod pod) {
        try {
            client.pods().inNamespace(set.getMetadata().getNamespace()).withName(pod.getMetadata().getName())
                    .delete();
            podEvent(set, pod, "delete", null);
        } catch (KubernetesClientException e) {
            if (e.getCode() != 404) {
                podEvent(set, pod, "delete", e);
                throw e;
            }
        }
    }

    /** Sets the owner references of the pod's existing claims to what the retention policy wants. */
    void keepRetentionPolicy(StatefulSet set, Pod pod) {
        int ordinal = StatefulPods.ordinal(set, pod);
        for (PersistentVolumeClaim template : StatefulClaims.templates(set)) {
            PersistentVolumeClaim claim = cached(set, StatefulClaims.name(template, set, ordinal));
            if (claim == null || claim.getMetadata().getDeletionTimestamp() != null
                    || StatefulClaims.retentionOwners(claim, set, pod) == null) {
                continue;
            }
            client.persistentVolumeClaims().inNamespace(set.getMetadata().getNamespace())
                    .withName(claim.getMetadata().getName()).edit(current -> {
                        List<OwnerReference> owners = StatefulClaims.retentionOwners(current, set, pod);
                        if (owners != null) {
                            current.getMetadata().setOwnerReferences(owners);
                        }
                        return current;
                    });
        }
    }

    /** Creates the claims of the pod that do not exist (any more). */
    void createMissingClaims(StatefulSet set, Pod pod) {
        int ordinal = StatefulPods.ordinal(set, pod);
        for (PersistentVolumeClaim template : StatefulClaims.templates(set)) {
            String name = StatefulClaims.name(template, set, ordinal);
            if (cached(set, name) != null) {
                continue;
            }
            PersistentVolumeClaim claim = StatefulClaims.newClaim(template, set, ordinal);
            List<OwnerReference> owners = StatefulClaims.retentionOwners(claim, set, pod);
            if (owners != null) {
                claim.getMetadata().setOwnerReferences(owners);
            }
            try {
                client.persistentVolumeClaims().inNamespace(set.getMetadata().getNamespace()).resource(claim)
                        .create();
                claimEvent(set, pod, name, null);
            } catch (KubernetesClientException e) {
                // Made already, by an earlier sync whose write the cache has not seen yet.
                if (e.getCode() != 409) {
                    claimEvent(set, pod, name, e);
                    throw e;
                }
            }
        }
    }

    private PersistentVolumeClaim cached(StatefulSet set, String name) {
        return claims.getIndexer().getByKey(set.getMetadata().getNamespace() + "/" + name);
    }

    /** Kubernetes' recordPodEvent wording. */
    private void podEvent(StatefulSet set, Pod pod, String verb, KubernetesClientException failure) {
        String what = verb + " Pod " + pod.getMetadata().getName() + " in StatefulSet " + set.getMetadata().getName();
        String reason = capitalised(verb);
        if (failure == null) {
            events.normal(set, "Successful" + reason, what + " successful");
        } else {
            events.warning(set, "Failed" + reason, what + " failed error: " + ApiErrors.message(failure));
        }
    }

    /** Kubernetes' recordClaimEvent wording. */
    private void claimEvent(StatefulSet set, Pod pod, String claim, KubernetesClientException failure) {
        if (failure == null) {
            events.normal(set, "SuccessfulCreate", "create Claim " + claim + " Pod " + pod.getMetadata().getName()
                    + " in StatefulSet " + set.getMetadata().getName() + " success");
        } else {
            events.warning(set, "FailedCreate", "create Claim " + claim + " for Pod " + pod.getMetadata().getName()
                    + " in StatefulSet " + set.getMetadata().getName() + " failed error: "
                    + ApiErrors.message(failure));
        }
    }

    private static String capitalised(String verb) {
        return Character.toUpperCase(verb.charAt(0)) + verb.substring(1);
    }
}
