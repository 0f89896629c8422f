package io.qube.scheduler.plugins;

import io.fabric8.kubernetes.api.model.NodeSelectorTerm;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.TopologySelectorTermBuilder;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.fabric8.kubernetes.api.model.storage.StorageClassBuilder;
import io.qube.client.StorageNames;
import io.qube.client.VolumeMatching;

import java.util.Map;

/**
 * Hand-made claims, volumes and classes for the volume plugins' tests. A claim lives in "default", asks for 1Gi
 * ReadWriteOnce and is Pending; a volume offers 1Gi ReadWriteOnce and is Available; uids are "namespace-name".
 */
public final class StorageFixtures {

    private StorageFixtures() {
    }

    public static PersistentVolumeClaimBuilder claim(String name, String storageClass) {
        return new PersistentVolumeClaimBuilder().withNewMetadata().withNamespace("default").withName(name)
                .withUid("default-" + name).withResourceVersion("1").endMetadata()
                .withNewSpec().withStorageClassName(storageClass).withAccessModes("ReadWriteOnce")
                .withNewResources().withRequests(Map.of("storage", new Quantity("1Gi"))).endResources().endSpec()
                .withNewStatus().withPhase("Pending").endStatus();
    }

    /** Bound to the volume, as the PV controller leaves a claim. */
    public static PersistentVolumeClaim bound(PersistentVolumeClaimBuilder claim, String volume) {
        return claim.editMetadata().addToAnnotations(StorageNames.BIND_COMPLETED, "yes").endMetadata()
                .editSpec().withVolumeName(volume).endSpec().editStatus().withPhase("Bound").endStatus().build();
    }

    public static PersistentVolumeClaim ownedBy(PersistentVolumeClaimBuilder claim, String podUid) {
        return claim.editMetadata().addToOwnerReferences(new OwnerReferenceBuilder().withApiVersion("v1")
                .withKind("Pod").withName("owner").withUid(podUid).withController(true).build()).endMetadata().build();
    }

    public static PersistentVolumeBuilder volume(String name, String storageClass, String capacity) {
        return new PersistentVolumeBuilder().withNewMetadata().withName(name).withResourceVersion("1").endMetadata()
                .withNewSpec().withStorageClassName(storageClass).withAccessModes("ReadWriteOnce")
                .withCapacity(Map.of("storage", new Quantity(capacity))).withNewHostPath("/data/" + name, null)
                .endSpec().withNewStatus().withPhase("Available").endStatus();
    }

    /** Reachable only from nodes matching one of these terms. */
    public static PersistentVolumeBuilder reachableFrom(PersistentVolumeBuilder volume, NodeSelectorTerm... terms) {
        return volume.editSpec().withNewNodeAffinity().withNewRequired().withNodeSelectorTerms(terms).endRequired()
                .endNodeAffinity().endSpec();
    }

    /** Its claimRef names this claim of "default" (with the claim's uid when given). */
    public static PersistentVolumeBuilder claimedBy(PersistentVolumeBuilder volume, String claim, String uid) {
        return volume.editSpec().withClaimRef(new ObjectReferenceBuilder().withKind("PersistentVolumeClaim")
                .withNamespace("default").withName(claim).withUid(uid).build()).endSpec();
    }

    public static StorageClassBuilder storageClass(String name, String provisioner, String bindingMode) {
        return new StorageClassBuilder().withNewMetadata().withName(name).endMetadata().withProvisioner(provisioner)
                .withVolumeBindingMode(bindingMode);
    }

    /** Provisions only on nodes whose label has one of these values. */
    public static StorageClass allowedOn(StorageClassBuilder storageClass, String key, String... values) {
        return storageClass.withAllowedTopologies(new TopologySelectorTermBuilder().addNewMatchLabelExpression()
                .withKey(key).withValues(values).endMatchLabelExpression().build()).build();
    }
}
