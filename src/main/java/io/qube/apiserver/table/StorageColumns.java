package io.qube.apiserver.table;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimSpec;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimStatus;
import io.fabric8.kubernetes.api.model.PersistentVolumeSpec;
import io.fabric8.kubernetes.api.model.PersistentVolumeStatus;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.qube.apiserver.registry.TableColumn;

import io.qube.client.StorageNames;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Volumes, claims and storage classes, as {@code kubectl get pv,pvc,sc} shows them. */
final class StorageColumns {

    /** Kubernetes' short forms, in the order it lists them. */
    private static final Map<String, String> ACCESS_MODES = Map.of("ReadWriteOnce", "RWO", "ReadOnlyMany", "ROX",
            "ReadWriteMany", "RWX", "ReadWriteOncePod", "RWOP");
    private static final List<String> ACCESS_MODE_ORDER = List.of("ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany",
            "ReadWriteOncePod");
    private static final String UNSET = "<unset>";

    private StorageColumns() {
    }

    /** NAME CAPACITY ACCESS MODES RECLAIM POLICY STATUS CLAIM STORAGECLASS VOLUMEATTRIBUTESCLASS REASON AGE; wide: VOLUMEMODE. */
    static List<TableColumn<? super PersistentVolume>> persistentVolume() {
        return List.of(
                CommonColumns.name(),
                TableColumn.of("Capacity", "string", "capacity is the description of the persistent volume's "
                        + "resources and capacity.", (volume, now) -> storage(spec(volume).getCapacity())),
                TableColumn.of("Access Modes", "string", "accessModes contains all ways the volume can be mounted.",
                        (volume, now) -> accessModes(spec(volume).getAccessModes())),
                TableColumn.of("Reclaim Policy", "string", "persistentVolumeReclaimPolicy defines what happens to a "
                        + "persistent volume when released from its claim.",
                        (volume, now) -> Cells.text(spec(volume).getPersistentVolumeReclaimPolicy())),
                TableColumn.of("Status", "string", "phase indicates if a volume is available, bound to a claim, or "
                        + "released by a claim.", (volume, now) -> phase(volume, status(volume).getPhase())),
                TableColumn.of("Claim", "string", "claimRef is part of a bi-directional binding between "
                        + "PersistentVolume and PersistentVolumeClaim.", (volume, now) -> claim(spec(volume))),
                TableColumn.of("StorageClass", "string", "storageClassName is the name of StorageClass to which this "
                        + "persistent volume belongs.", (volume, now) -> Cells.text(spec(volume).getStorageClassName())),
                TableColumn.of("VolumeAttributesClass", "string", "Name of VolumeAttributesClass to which this "
                        + "persistent volume belongs.",
                        (volume, now) -> orUnset(spec(volume).getVolumeAttributesClassName())),
                TableColumn.of("Reason", "string", "reason is a brief CamelCase string that describes any failure.",
                        (volume, now) -> Cells.text(status(volume).getReason())),
                CommonColumns.age(),
                TableColumn.wide("VolumeMode", "string", "volumeMode defines if a volume is intended to be used "
                        + "with a formatted filesystem or to remain in raw block state.",
                        (volume, now) -> Cells.text(spec(volume).getVolumeMode())));
    }

    /** NAME STATUS VOLUME CAPACITY ACCESS MODES STORAGECLASS VOLUMEATTRIBUTESCLASS AGE; wide: VOLUMEMODE. */
    static List<TableColumn<? super PersistentVolumeClaim>> persistentVolumeClaim() {
        return List.of(
                CommonColumns.name(),
                TableColumn.of("Status", "string", "phase represents the current phase of PersistentVolumeClaim.",
                        (claim, now) -> phase(claim, status(claim).getPhase())),
                TableColumn.of("Volume", "string", "volumeName is the binding reference to the PersistentVolume "
                        + "backing this claim.", (claim, now) -> Cells.text(spec(claim).getVolumeName())),
                // Like kubectl's printer: capacity and modes are the bound volume's, shown once bound.
                TableColumn.of("Capacity", "string", "capacity represents the actual resources of the underlying "
                        + "volume.", (claim, now) -> bound(claim) ? storage(status(claim).getCapacity()) : ""),
                TableColumn.of("Access Modes", "string", "accessModes contains the actual access modes the volume "
                        + "backing the PVC has.",
                        (claim, now) -> bound(claim) ? accessModes(status(claim).getAccessModes()) : ""),
                TableColumn.of("StorageClass", "string", "storageClassName is the name of the StorageClass required "
                        + "by the claim.", (claim, now) -> Cells.text(spec(claim).getStorageClassName())),
                TableColumn.of("VolumeAttributesClass", "string", "volumeAttributesClassName may be used to set the "
                        + "VolumeAttributesClass used by this claim.",
                        (claim, now) -> orUnset(spec(claim).getVolumeAttributesClassName())),
                CommonColumns.age(),
                TableColumn.wide("VolumeMode", "string", "volumeMode defines what type of volume is required by the "
                        + "claim.", (claim, now) -> Cells.text(spec(claim).getVolumeMode())));
    }

    /** NAME PROVISIONER RECLAIMPOLICY VOLUMEBINDINGMODE ALLOWVOLUMEEXPANSION AGE; the default class is marked. */
    static List<TableColumn<? super StorageClass>> storageClass() {
        return List.of(
                CommonColumns.name((StorageClass storageClass, Instant now) -> className(storageClass)),
                TableColumn.of("Provisioner", "string", "provisioner indicates the type of the provisioner.",
                        (storageClass, now) -> Cells.text(storageClass.getProvisioner())),
                TableColumn.of("ReclaimPolicy", "string", "reclaimPolicy controls the reclaimPolicy for dynamically "
                        + "provisioned PersistentVolumes of this storage class.",
                        (storageClass, now) -> Cells.text(storageClass.getReclaimPolicy())),
                TableColumn.of("VolumeBindingMode", "string", "volumeBindingMode indicates how PersistentVolumeClaims "
                        + "should be provisioned and bound.",
                        (storageClass, now) -> Cells.text(storageClass.getVolumeBindingMode())),
                TableColumn.of("AllowVolumeExpansion", "string", "allowVolumeExpansion shows whether the storage class "
                        + "allows volume expand.",
                        (storageClass, now) -> Boolean.TRUE.equals(storageClass.getAllowVolumeExpansion())),
                CommonColumns.age());
    }

    /** Whether the class is the one a claim without a class gets (either spelling, as kubectl's printer reads it). */
    private static boolean isDefault(HasMetadata storageClass) {
        Map<String, String> annotations = storageClass.getMetadata() == null ? null
                : storageClass.getMetadata().getAnnotations();
        return StorageNames.isDefaultClass(annotations);
    }

    private static String className(StorageClass storageClass) {
        String name = storageClass.getMetadata() == null ? "" : Cells.text(storageClass.getMetadata().getName());
        return isDefault(storageClass) ? name + " (default)" : name;
    }

    private static String phase(HasMetadata object, String phase) {
        boolean deleting = object.getMetadata() != null && object.getMetadata().getDeletionTimestamp() != null;
        return deleting ? "Terminating" : Cells.text(phase);
    }

    private static String storage(Map<String, Quantity> resources) {
        Quantity storage = resources == null ? null : resources.get("storage");
        return storage == null ? "" : storage.toString();
    }

    private static String accessModes(List<String> modes) {
        List<String> shown = new ArrayList<>();
        for (String mode : ACCESS_MODE_ORDER) {
            if (Cells.list(modes).contains(mode)) {
                shown.add(ACCESS_MODES.get(mode));
            }
        }
        return String.join(",", shown);
    }

    private static String claim(PersistentVolumeSpec spec) {
        return spec.getClaimRef() == null ? ""
                : Cells.text(spec.getClaimRef().getNamespace()) + "/" + Cells.text(spec.getClaimRef().getName());
    }

    private static String orUnset(String value) {
        return value == null || value.isEmpty() ? UNSET : value;
    }

    private static boolean bound(PersistentVolumeClaim claim) {
        return !Cells.text(spec(claim).getVolumeName()).isEmpty();
    }

    private static PersistentVolumeSpec spec(PersistentVolume volume) {
        return volume.getSpec() == null ? new PersistentVolumeSpec() : volume.getSpec();
    }

    private static PersistentVolumeStatus status(PersistentVolume volume) {
        return volume.getStatus() == null ? new PersistentVolumeStatus() : volume.getStatus();
    }

    private static PersistentVolumeClaimSpec spec(PersistentVolumeClaim claim) {
        return claim.getSpec() == null ? new PersistentVolumeClaimSpec() : claim.getSpec();
    }

    private static PersistentVolumeClaimStatus status(PersistentVolumeClaim claim) {
        return claim.getStatus() == null ? new PersistentVolumeClaimStatus() : claim.getStatus();
    }
}
