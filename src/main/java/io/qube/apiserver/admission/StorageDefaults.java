package io.qube.apiserver.admission;

import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimSpec;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimStatus;
import io.fabric8.kubernetes.api.model.PersistentVolumeSpec;
import io.fabric8.kubernetes.api.model.PersistentVolumeStatus;
import io.fabric8.kubernetes.api.model.storage.StorageClass;

/** Kubernetes' defaults for volumes, claims and storage classes. */
final class StorageDefaults {

    private StorageDefaults() {
    }

    static void persistentVolume(PersistentVolume volume) {
        if (volume.getSpec() == null) {
            volume.setSpec(new PersistentVolumeSpec());
        }
        PersistentVolumeSpec spec = volume.getSpec();
        // Retain: a volume an administrator made by hand is never deleted behind their back.
        if (NullSafe.isEmpty(spec.getPersistentVolumeReclaimPolicy())) {
            spec.setPersistentVolumeReclaimPolicy("Retain");
        }
        if (NullSafe.isEmpty(spec.getVolumeMode())) {
            spec.setVolumeMode("Filesystem");
        }
        if (spec.getHostPath() != null && spec.getHostPath().getType() == null) {
            spec.getHostPath().setType("");
        }
        if (volume.getStatus() == null) {
            volume.setStatus(new PersistentVolumeStatus());
        }
        if (NullSafe.isEmpty(volume.getStatus().getPhase())) {
            volume.getStatus().setPhase("Pending");
        }
    }

    static void persistentVolumeClaim(PersistentVolumeClaim claim) {
        if (claim.getSpec() == null) {
            claim.setSpec(new PersistentVolumeClaimSpec());
        }
        claimSpec(claim.getSpec());
        if (claim.getStatus() == null) {
            claim.setStatus(new PersistentVolumeClaimStatus());
        }
        if (NullSafe.isEmpty(claim.getStatus().getPhase())) {
            claim.getStatus().setPhase("Pending");
        }
    }

    /** Also a StatefulSet's claim templates'. */
    static void claimSpec(PersistentVolumeClaimSpec spec) {
        if (NullSafe.isEmpty(spec.getVolumeMode())) {
            spec.setVolumeMode("Filesystem");
        }
    }

    static void storageClass(StorageClass storageClass) {
        if (NullSafe.isEmpty(storageClass.getReclaimPolicy())) {
            storageClass.setReclaimPolicy("Delete");
        }
        if (NullSafe.isEmpty(storageClass.getVolumeBindingMode())) {
            storageClass.setVolumeBindingMode("Immediate");
        }
    }
}
