package io.qube.controller.volume;

import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimStatus;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.qube.client.EventRecorder;

import io.qube.client.StorageNames;
import io.qube.client.VolumeMatching;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The persistentvolume controller's writes, each skipped when it would change nothing and each an update on the
 * resourceVersion it read, so that a write from a stale cache fails with a conflict and the sync is retried. Each
 * returns the object as written, which the next write of the same sync starts from.
 */
final class BindingWrites {

    private final KubernetesClient client;
    private final EventRecorder events;

    BindingWrites(KubernetesClient client, EventRecorder events) {
        this.client = client;
        this.events = events;
    }

    /**
     * Kubernetes' bind: the volume's claimRef, the volume Bound, the claim's volumeName and bind-completed annotation,
     * the claim Bound with the volume's capacity and access modes; bound-by-controller on either side the controller
     * chose rather than the user.
     */
    Bound bind(PersistentVolume volume, PersistentVolumeClaim claim) {
        PersistentVolume bound = updateVolumePhase(bindVolumeToClaim(volume, claim), "Bound", null);
        return new Bound(bound, updateClaimStatus(bindClaimToVolume(claim, bound), "Bound", bound));
    }

    /** A volume and its claim as the binding left them. */
    record Bound(PersistentVolume volume, PersistentVolumeClaim claim) {
    }

    private PersistentVolume bindVolumeToClaim(PersistentVolume volume, PersistentVolumeClaim claim) {
        boolean chosenByController = !VolumeMatching.isBoundToClaim(volume, claim);
        PersistentVolume wanted = new PersistentVolumeBuilder(volume).build();
        boolean dirty = false;
        var ref = volume.getSpec().getClaimRef();
        if (ref == null || !Objects.equals(ref.getName(), claim.getMetadata().getName())
                || !Objects.equals(ref.getNamespace(), claim.getMetadata().getNamespace())
                || !Objects.equals(ref.getUid(), claim.getMetadata().getUid())) {
            wanted.getSpec().setClaimRef(new ObjectReferenceBuilder().withApiVersion("v1")
                    .withKind("PersistentVolumeClaim").withNamespace(claim.getMetadata().getNamespace())
                    .withName(claim.getMetadata().getName()).withUid(claim.getMetadata().getUid())
                    .withResourceVersion(claim.getMetadata().getResourceVersion()).build());
            dirty = true;
        }
        if (chosenByController) {
            dirty |= annotate(wanted.getMetadata().getAnnotations(), wanted.getMetadata()::setAnnotations,
                    StorageNames.BOUND_BY_CONTROLLER);
        }
        return dirty ? client.persistentVolumes().resource(wanted).update() : volume;
    }

    private PersistentVolumeClaim bindClaimToVolume(PersistentVolumeClaim claim, PersistentVolume volume) {
        String name = volume.getMetadata().getName();
        PersistentVolumeClaim wanted = new PersistentVolumeClaimBuilder(claim).build();
        boolean dirty = false;
        if (!name.equals(claim.getSpec().getVolumeName())) {
            // The user did not name this volume: the controller chose it.
            wanted.getSpec().setVolumeName(name);
            annotate(wanted.getMetadata().getAnnotations(), wanted.getMetadata()::setAnnotations,
                    StorageNames.BOUND_BY_CONTROLLER);
            dirty = true;
        }
        dirty |= annotate(wanted.getMetadata().getAnnotations(), wanted.getMetadata()::setAnnotations,
                StorageNames.BIND_COMPLETED);
        return dirty ? client.persistentVolumeClaims().inNamespace(claim.getMetadata().getNamespace())
                .resource(wanted).update() : claim;
    }

    /** Kubernetes' unbindVolume: a volume the controller chose is freed; one the user pre-bound keeps its claim's name. */
    void unbindVolume(PersistentVolume volume) {
        PersistentVolume wanted = new PersistentVolumeBuilder(volume).build();
        Map<String, String> annotations = wanted.getMetadata().getAnnotations();
        if (annotations != null && annotations.containsKey(StorageNames.BOUND_BY_CONTROLLER)) {
            wanted.getSpec().setClaimRef(null);
            annotations.remove(StorageNames.BOUND_BY_CONTROLLER);
        } else {
            wanted.getSpec().getClaimRef().setUid(null);
        }
        updateVolumePhase(client.persistentVolumes().resource(wanted).update(), "Available", null);
    }

    PersistentVolume updateVolumePhase(PersistentVolume volume, String phase, String message) {
        if (phase.equals(VolumeMatching.phase(volume)) && Objects.equals(message, volumeMessage(volume))) {
            return volume;
        }
        PersistentVolume wanted = new PersistentVolumeBuilder(volume).editOrNewStatus().withPhase(phase)
                .withMessage(message).endStatus().build();
        return client.persistentVolumes().resource(wanted).updateStatus();
    }

    /** The phase, and a warning event, only when the volume is not in that phase yet (one event per transition). */
    PersistentVolume updateVolumePhaseWithEvent(PersistentVolume volume, String phase, String reason,
                                                String message) {
        if (phase.equals(VolumeMatching.phase(volume))) {
            return volume;
        }
        PersistentVolume updated = updateVolumePhase(volume, phase, message);
        events.warning(updated, reason, message);
        return updated;
    }

    /**
     * The claim's phase, with the access modes and capacity of its volume (none without one). The capacity is set
     * only as the claim becomes Bound: a later difference is an expansion's to settle.
     */
    PersistentVolumeClaim updateClaimStatus(PersistentVolumeClaim claim, String phase, PersistentVolume volume) {
        PersistentVolumeClaimStatus status = claim.getStatus() == null ? new PersistentVolumeClaimStatus()
                : claim.getStatus();
        boolean phaseChanges = !phase.equals(status.getPhase());
        List<String> modes = volume == null ? null : volume.getSpec().getAccessModes();
        Map<String, Quantity> capacity = volume == null ? null
                : phaseChanges ? volume.getSpec().getCapacity() : status.getCapacity();
        if (!phaseChanges && Objects.equals(emptyAsNull(status.getAccessModes()), modes)
                && Objects.equals(emptyAsNull(status.getCapacity()), capacity)) {
            return claim;
        }
        PersistentVolumeClaim wanted = new PersistentVolumeClaimBuilder(claim).editOrNewStatus().withPhase(phase)
                .withAccessModes(modes).withCapacity(capacity).endStatus().build();
        return client.persistentVolumeClaims().inNamespace(claim.getMetadata().getNamespace()).resource(wanted)
                .updateStatus();
    }

    /** The phase (no volume), and a warning event, only when the claim is not in that phase yet. */
    void updateClaimStatusWithEvent(PersistentVolumeClaim claim, String phase, String reason, String message) {
        if (claim.getStatus() != null && phase.equals(claim.getStatus().getPhase())) {
            return;
        }
        events.warning(updateClaimStatus(claim, phase, null), reason, message);
    }

    /** The external-provisioner protocol: the claim names the provisioner expected to make its volume. */
    PersistentVolumeClaim setClaimProvisioner(PersistentVolumeClaim claim, String provisioner) {
        Map<String, String> annotations = claim.getMetadata().getAnnotations() == null ? Map.of()
                : claim.getMetadata().getAnnotations();
        if (provisioner.equals(annotations.get(StorageNames.STORAGE_PROVISIONER))
                && provisioner.equals(annotations.get(StorageNames.BETA_STORAGE_PROVISIONER))) {
            return claim;
        }
        PersistentVolumeClaim wanted = new PersistentVolumeClaimBuilder(claim).editMetadata()
                .addToAnnotations(StorageNames.STORAGE_PROVISIONER, provisioner)
                .addToAnnotations(StorageNames.BETA_STORAGE_PROVISIONER, provisioner).endMetadata().build();
        return client.persistentVolumeClaims().inNamespace(claim.getMetadata().getNamespace()).resource(wanted)
                .update();
    }

    /** Sets the annotation to "yes" unless present; whether it was added. */
    private static boolean annotate(Map<String, String> annotations,
                                    Consumer<Map<String, String>> setter, String key) {
        if (annotations != null && annotations.containsKey(key)) {
            return false;
        }
        Map<String, String> updated = annotations == null ? new LinkedHashMap<>() : annotations;
        updated.put(key, "yes");
        setter.accept(updated);
        return true;
    }

    private static String volumeMessage(PersistentVolume volume) {
        return volume.getStatus() == null ? null : emptyToNull(volume.getStatus().getMessage());
    }

    private static String emptyToNull(String value) {
        return value == null || value.isEmpty() ? null : value;
    }

    private static <T> T emptyAsNull(T collection) {
        if (collection instanceof Map<?, ?> map && map.isEmpty() || collection instanceof List<?> list
                && list.isEmpty()) {
            return null;
        }
        return collection;
    }
}
