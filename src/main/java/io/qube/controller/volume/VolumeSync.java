package io.qube.controller.volume;

import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.qube.client.EventRecorder;
import io.qube.client.StorageNames;
import io.qube.client.VolumeMatching;
import io.qube.client.WorkQueue;

import java.util.Objects;
import java.util.function.Consumer;

/**
 * One volume brought in line with its claim, as kube-controller-manager's syncVolume does: unclaimed (or only
 * reserved by name) it is Available; its claim bound to it, Bound; its claim gone, Released, and then reclaimed by
 * its policy (Retain keeps it Released; Delete is left to the external provisioner that made it, and fails without
 * one since Qube has no in-tree deleter; Recycle is not implemented). A claim not yet pointing back is handed to the
 * claim sync, and a volume the controller reserved for a claim that bound elsewhere is freed.
 */
final class VolumeSync {

    private static final String RELEASED = "Released";
    private static final String FAILED = "Failed";

    private final KubernetesClient client;
    private final SharedIndexInformer<PersistentVolume> volumes;
    private final SharedIndexInformer<PersistentVolumeClaim> claims;
    private final BindingWrites writes;
    private final EventRecorder events;
    /** Enqueues a claim's key for the claim sync. */
    private final Consumer<String> syncClaim;

    VolumeSync(KubernetesClient client, SharedIndexInformer<PersistentVolume> volumes,
               SharedIndexInformer<PersistentVolumeClaim> claims, BindingWrites writes, EventRecorder events,
               Consumer<String> syncClaim) {
        this.client = client;
        this.volumes = volumes;
        this.claims = claims;
        this.writes = writes;
        this.events = events;
        this.syncClaim = syncClaim;
    }

    WorkQueue.Outcome sync(String name) {
        PersistentVolume volume = volumes.getIndexer().getByKey(name);
        if (volume == null) {
            return WorkQueue.Outcome.DONE;
        }
        ObjectReference ref = volume.getSpec().getClaimRef();
        if (ref == null || ref.getUid() == null || ref.getUid().isEmpty()) {
            // Free, or reserved for a claim by name only: that claim's sync completes the binding.
            writes.updateVolumePhase(volume, "Available", null);
            return WorkQueue.Outcome.DONE;
        }
        PersistentVolumeClaim claim = claimOf(volume, ref);
        if (claim == null) {
            released(volume);
            return WorkQueue.Outcome.DONE;
        }
        String claimsVolume = claim.getSpec().getVolumeName();
        if (claimsVolume == null || claimsVolume.isEmpty()) {
            if (VolumeMatching.volumeModeMismatch(claim, volume)) {
                events.warning(volume, "VolumeMismatch", "Cannot bind PersistentVolume to requested "
                        + "PersistentVolumeClaim \"" + claim.getMetadata().getName()
                        + "\" due to incompatible volumeMode.");
                events.warning(claim, "VolumeMismatch", "Cannot bind PersistentVolume \"" + volume.getMetadata()
                        .getName() + "\" to requested PersistentVolumeClaim due to incompatible volumeMode.");
                return WorkQueue.Outcome.DONE;
            }
            // Reserved for the claim (by the controller, a provisioner or the scheduler): the claim sync binds it.
            syncClaim.accept(ClaimSync.key(claim));
            return WorkQueue.Outcome.DONE;
        }
        if (claimsVolume.equals(volume.getMetadata().getName())) {
            writes.updateVolumePhase(volume, "Bound", null);
            return WorkQueue.Outcome.DONE;
        }
        // The claim is bound to another volume.
        if (ClaimSync.annotations(volume).containsKey(StorageNames.PROVISIONED_BY)
                && "Delete".equals(volume.getSpec().getPersistentVolumeReclaimPolicy())) {
            released(volume); // provisioned for the claim, no longer needed
        } else {
            writes.unbindVolume(volume);
        }
        return WorkQueue.Outcome.DONE;
    }

    /**
     * The claim the volume is bound to, or null when it is gone or is another claim of the same name. The cache
     * may not have seen a claim a provisioner or the scheduler just bound, so the API is asked before a volume is
     * called released.
     */
    private PersistentVolumeClaim claimOf(PersistentVolume volume, ObjectReference ref) {
        PersistentVolumeClaim claim = claims.getIndexer().getByKey(ref.getNamespace() + "/" + ref.getName());
        String phase = VolumeMatching.phase(volume);
        boolean mayBeNew = !RELEASED.equals(phase) && !FAILED.equals(phase);
        if (claim == null && mayBeNew || claim != null && !Objects.equals(claim.getMetadata().getUid(), ref.getUid())) {
            claim = client.persistentVolumeClaims().inNamespace(ref.getNamespace()).withName(ref.getName()).get();
        }
        return claim != null && Objects.equals(claim.getMetadata().getUid(), ref.getUid()) ? claim : null;
    }

    /** Released (a Failed volume keeps saying so), then its reclaim policy. */
    private void released(PersistentVolume volume) {
        String phase = VolumeMatching.phase(volume);
        PersistentVolume current = RELEASED.equals(phase) || FAILED.equals(phase) ? volume
                : writes.updateVolumePhase(volume, RELEASED, null);
        reclaim(current);
    }

    /** Kubernetes' reclaimVolume, with no volume plugins: only external deleters and Retain can succeed. */
    private void reclaim(PersistentVolume volume) {
        String policy = Objects.requireNonNullElse(volume.getSpec().getPersistentVolumeReclaimPolicy(), "Retain");
        switch (policy) {
            case "Retain" -> {
                // Kept, with its data, for an administrator to deal with.
            }
            case "Delete" -> {
                String provisioner = ClaimSync.annotations(volume).get(StorageNames.PROVISIONED_BY);
                if (provisioner != null && !provisioner.isEmpty() && !provisioner.startsWith("kubernetes.io/")) {
                    return; // its external provisioner deletes it (qube.io/local-path: the node agent)
                }
                writes.updateVolumePhaseWithEvent(volume, FAILED, "VolumeFailedDelete", provisioner == null
                        || provisioner.isEmpty()
                        ? "error getting deleter volume plugin for volume \"" + volume.getMetadata().getName()
                        + "\": no deletable volume plugin matched"
                        : "no volume plugin matched name: " + provisioner);
            }
            case "Recycle" -> writes.updateVolumePhaseWithEvent(volume, FAILED, "VolumeFailedRecycle",
                    "No recycler plugin found for the volume! Qube does not implement the deprecated Recycle "
                            + "policy: use Delete with a provisioner, or Retain");
            default -> writes.updateVolumePhaseWithEvent(volume, FAILED, "VolumeUnknownReclaimPolicy",
                    "Volume has unrecognized PersistentVolumeReclaimPolicy");
        }
    }
}
