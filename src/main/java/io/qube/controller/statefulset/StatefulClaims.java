package io.qube.controller.statefulset;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A StatefulSet's claims as Kubernetes makes them: {@code <template>-<set>-<ordinal>} for each volumeClaimTemplate,
 * labelled with the template's labels and the set's selector labels, and owned per
 * persistentVolumeClaimRetentionPolicy: by the set when whenDeleted is Delete, by the pod once it is scaled away
 * when whenScaled is Delete, so that the garbage collector deletes the claim with its owner.
 */
final class StatefulClaims {

    static final String DELETE = "Delete";

    private StatefulClaims() {
    }

    static List<PersistentVolumeClaim> templates(StatefulSet set) {
        return set.getSpec().getVolumeClaimTemplates() == null ? List.of() : set.getSpec().getVolumeClaimTemplates();
    }

    static String name(PersistentVolumeClaim template, StatefulSet set, int ordinal) {
        return template.getMetadata().getName() + "-" + StatefulPods.name(set, ordinal);
    }

    /** The claim for one template and ordinal, as it is created (Kubernetes' getPersistentVolumeClaims). */
    static PersistentVolumeClaim newClaim(PersistentVolumeClaim template, StatefulSet set, int ordinal) {
        Map<String, String> labels = new HashMap<>(template.getMetadata().getLabels() == null ? Map.of()
                : template.getMetadata().getLabels());
        if (set.getSpec().getSelector() != null && set.getSpec().getSelector().getMatchLabels() != null) {
            labels.putAll(set.getSpec().getSelector().getMatchLabels());
        }
        return new PersistentVolumeClaimBuilder(template).withStatus(null).editMetadata()
                .withName(name(template, set, ordinal)).withNamespace(set.getMetadata().getNamespace())
                .withLabels(labels).withResourceVersion(null).withUid(null).withCreationTimestamp(null).endMetadata()
                .build();
    }

    /**
     * The claim's owner references as the retention policy wants them for this pod of the set (Kubernetes'
     * updateClaimOwnerRefForSetAndPod), or null when they are so already.
     */
    static List<OwnerReference> retentionOwners(PersistentVolumeClaim claim, StatefulSet set, Pod pod) {
        boolean deleteWithSet = DELETE.equals(policy(set, true));
        boolean deleteWhenScaled = DELETE.equals(policy(set, false));
        boolean scaledAway = !StatefulPods.inRange(set, StatefulPods.ordinal(set, pod));
        boolean ownedBySet = deleteWithSet && !(deleteWhenScaled && scaledAway);
        boolean ownedByPod = deleteWhenScaled && scaledAway;
        List<OwnerReference> owners = new ArrayList<>(claim.getMetadata().getOwnerReferences() == null ? List.of()
                : claim.getMetadata().getOwnerReferences());
        boolean podKnown = pod.getMetadata().getUid() != null;
        boolean changed = keep(owners, set, ownedBySet) | keep(owners, pod, ownedByPod && podKnown);
        return changed ? owners : null;
    }

    private static String policy(StatefulSet set, boolean whenDeleted) {
        var policy = set.getSpec().getPersistentVolumeClaimRetentionPolicy();
        String value = policy == null ? null : whenDeleted ? policy.getWhenDeleted() : policy.getWhenScaled();
        return value == null ? "Retain" : value;
    }

    /** Adds or removes the reference to {@code owner}; whether that changed anything. */
    private static boolean keep(List<OwnerReference> owners, HasMetadata owner, boolean wanted) {
        boolean present = owners.stream().anyMatch(ref -> owner.getMetadata().getUid() != null
                && owner.getMetadata().getUid().equals(ref.getUid()));
        if (wanted && !present) {
            owners.add(new OwnerReferenceBuilder().withApiVersion(owner.getApiVersion()).withKind(owner.getKind())
                    .withName(owner.getMetadata().getName()).withUid(owner.getMetadata().getUid()).build());
            return true;
        }
        if (!wanted && present) {
            owners.removeIf(ref -> owner.getMetadata().getUid().equals(ref.getUid()));
            return true;
        }
        return false;
    }
}
