package io.qube.controller.volume;

import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Volume;
import io.qube.controller.ActivePods;

import java.util.List;
import java.util.Objects;

/**
 * Which pods use a claim: through a persistentVolumeClaim volume naming it, or a generic ephemeral volume whose claim
 * ({@code <pod>-<volume>}) the pod owns.
 */
final class ClaimUsers {

    private ClaimUsers() {
    }

    /** The pod's spec names the claim (its namespace is the pod's). */
    static boolean references(Pod pod, PersistentVolumeClaim claim) {
        if (!Objects.equals(pod.getMetadata().getNamespace(), claim.getMetadata().getNamespace())) {
            return false;
        }
        List<Volume> volumes = pod.getSpec() == null || pod.getSpec().getVolumes() == null ? List.of()
                : pod.getSpec().getVolumes();
        for (Volume volume : volumes) {
            if (volume.getPersistentVolumeClaim() != null
                    && claim.getMetadata().getName().equals(volume.getPersistentVolumeClaim().getClaimName())) {
                return true;
            }
            if (volume.getEphemeral() != null
                    && claim.getMetadata().getName().equals(pod.getMetadata().getName() + "-" + volume.getName())
                    && ownedBy(claim, pod)) {
                return true;
            }
        }
        return false;
    }

    /** The claim names of the pod's volumes, ephemeral ones included. */
    static List<String> claimNames(Pod pod) {
        List<Volume> volumes = pod.getSpec() == null || pod.getSpec().getVolumes() == null ? List.of()
                : pod.getSpec().getVolumes();
        return volumes.stream().map(volume -> volume.getPersistentVolumeClaim() != null
                        ? volume.getPersistentVolumeClaim().getClaimName()
                        : volume.getEphemeral() != null ? pod.getMetadata().getName() + "-" + volume.getName() : null)
                .filter(Objects::nonNull).toList();
    }

    /**
     * The pod may have the claim's volume mounted: it is on a node (the agent refuses to start a pod whose claim is
     * being deleted, so an unscheduled one never will), has not finished, and was not force-deleted.
     */
    static boolean mayUse(Pod pod, PersistentVolumeClaim claim) {
        return pod.getSpec() != null && pod.getSpec().getNodeName() != null && !pod.getSpec().getNodeName().isEmpty()
                && !ActivePods.isTerminated(pod) && !forceDeleted(pod) && references(pod, claim);
    }

    /** Deleted with no grace left: its agent is done with it, or it was force-deleted (Kubernetes' podIsShutDown). */
    private static boolean forceDeleted(Pod pod) {
        return pod.getMetadata().getDeletionTimestamp() != null
                && Long.valueOf(0).equals(pod.getMetadata().getDeletionGracePeriodSeconds());
    }

    private static boolean ownedBy(PersistentVolumeClaim claim, Pod pod) {
        List<OwnerReference> owners = claim.getMetadata().getOwnerReferences();
        return owners != null && owners.stream().anyMatch(owner -> Boolean.TRUE.equals(owner.getController())
                && Objects.equals(owner.getUid(), pod.getMetadata().getUid()));
    }
}
