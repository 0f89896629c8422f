package io.qube.controller.volume;

import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.qube.client.EventRecorder;

import io.qube.client.StorageNames;
import io.qube.client.VolumeMatching;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

/**
 * The controller half of expanding a bound claim whose request grew past its capacity (what Kubernetes' expand
 * controller and an external resizer do between them). A local-path volume is a directory with no size to grow, so
 * its PV's capacity and the claim's capacity and allocatedResources take the new size at once, with no Resizing or
 * FileSystemResizePending condition in between; any other volume waits for an external resizer, as Kubernetes says.
 */
final class ClaimExpansion {

    private static final String STORAGE = "storage";
    /** The conditions of an expansion under way, which a finished one leaves behind no more. */
    private static final List<String> RESIZE_CONDITIONS = List.of("Resizing", "FileSystemResizePending");

    private final KubernetesClient client;
    private final SharedIndexInformer<StorageClass> classes;
    private final EventRecorder events;

    ClaimExpansion(KubernetesClient client, SharedIndexInformer<StorageClass> classes, EventRecorder events) {
        this.client = client;
        this.classes = classes;
        this.events = events;
    }

    /** Grows the bound volume and the claim's status to the claim's request, when that is larger and allowed. */
    void settle(PersistentVolumeClaim claim, PersistentVolume volume) {
        BigDecimal requested = VolumeMatching.requestedStorage(claim);
        Map<String, Quantity> capacity = claim.getStatus() == null ? null : claim.getStatus().getCapacity();
        if (requested.compareTo(VolumeMatching.bytes(capacity == null ? null : capacity.get(STORAGE))) <= 0) {
            return;
        }
        StorageClass storageClass = classes.getIndexer().getByKey(VolumeMatching.claimClass(claim));
        if (storageClass == null || !Boolean.TRUE.equals(storageClass.getAllowVolumeExpansion())) {
            return; // the apiserver refuses such a request; one from before the class changed stays as it is
        }
        if (!StorageNames.LOCAL_PATH.equals(ClaimSync.annotations(volume).get(StorageNames.PROVISIONED_BY))) {
            events.normal(claim, "ExternalExpanding", "waiting for an external controller to expand this PVC");
            return;
        }
        Quantity size = claim.getSpec().getResources().getRequests().get(STORAGE);
        if (VolumeMatching.capacity(volume).compareTo(requested) < 0) {
            client.persistentVolumes().resource(new PersistentVolumeBuilder(volume).editSpec()
                    .addToCapacity(STORAGE, size).endSpec().build()).update();
        }
        PersistentVolumeClaim expanded = new PersistentVolumeClaimBuilder(claim).editStatus()
                .addToCapacity(STORAGE, size).addToAllocatedResources(STORAGE, size).endStatus().build();
        if (expanded.getStatus().getConditions() != null) {
            expanded.getStatus().getConditions().removeIf(c -> RESIZE_CONDITIONS.contains(c.getType()));
        }
        PersistentVolumeClaim written = client.persistentVolumeClaims().inNamespace(claim.getMetadata().getNamespace())
                .resource(expanded).updateStatus();
        events.normal(written, "VolumeResizeSuccessful", "Resize volume succeeded");
    }
}
