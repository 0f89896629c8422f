package io.qube.agent.storage;

import io.fabric8.kubernetes.api.model.NodeSelectorRequirement;
import io.fabric8.kubernetes.api.model.NodeSelectorTerm;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.storage.StorageClass;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which claims and volumes are the local-path provisioner's on a node, and the volume it makes for a claim, as
 * Kubernetes' external provisioners make theirs: the claim's size, access modes and volume mode, the class's
 * reclaim policy and mount options, a {@code claimRef} the PV controller completes the binding from.
 */
final class LocalPathVolumes {

    static final String PROVISIONER = "qube.io/local-path";
    static final String STORAGE_PROVISIONER = "volume.kubernetes.io/storage-provisioner";
    static final String BETA_STORAGE_PROVISIONER = "volume.beta.kubernetes.io/storage-provisioner";
    static final String SELECTED_NODE = "volume.kubernetes.io/selected-node";
    static final String PROVISIONED_BY = "pv.kubernetes.io/provisioned-by";
    static final String HOSTNAME = "kubernetes.io/hostname";

    private LocalPathVolumes() {
    }

    /** The volume's name for the claim, as external provisioners name theirs. */
    static String name(PersistentVolumeClaim claim) {
        return "pvc-" + claim.getMetadata().getUid();
    }

    /** The node the scheduler selected for the claim, or null. */
    static String selectedNode(PersistentVolumeClaim claim) {
        Map<String, String> annotations = claim.getMetadata().getAnnotations();
        return annotations == null ? null : annotations.get(SELECTED_NODE);
    }

    /** Whether one of these nodes is to provision a volume for the claim now. */
    static boolean wanted(PersistentVolumeClaim claim, Set<String> nodes) {
        Map<String, String> annotations = claim.getMetadata().getAnnotations();
        if (annotations == null || claim.getMetadata().getDeletionTimestamp() != null) {
            return false;
        }
        String provisioner = annotations.getOrDefault(STORAGE_PROVISIONER, annotations.get(BETA_STORAGE_PROVISIONER));
        String volumeName = claim.getSpec() == null ? null : claim.getSpec().getVolumeName();
        String selected = annotations.get(SELECTED_NODE);
        return PROVISIONER.equals(provisioner) && selected != null && nodes.contains(selected)
                && (volumeName == null || volumeName.isEmpty());
    }

    /**
     * Whether the volume is one of these nodes' to delete now: provisioned there, Released, reclaim Delete, and not
     * being deleted already (as external provisioners leave a volume whose deletion is under way).
     */
    static boolean reclaimable(PersistentVolume volume, Set<String> nodes) {
        Map<String, String> annotations = volume.getMetadata().getAnnotations();
        String node = nodeOf(volume);
        return annotations != null && node != null && nodes.contains(node)
                && volume.getMetadata().getDeletionTimestamp() == null
                && PROVISIONER.equals(annotations.get(PROVISIONED_BY))
                && volume.getStatus() != null && "Released".equals(volume.getStatus().getPhase())
                && "Delete".equals(volume.getSpec().getPersistentVolumeReclaimPolicy())
                && volume.getSpec().getLocal() != null;
    }

    /** The one node of a local volume's required node affinity ({@code kubernetes.io/hostname In [node]}), or null. */
    static String nodeOf(PersistentVolume volume) {
        var affinity = volume.getSpec().getNodeAffinity();
        if (affinity == null || affinity.getRequired() == null) {
            return null;
        }
        List<NodeSelectorTerm> terms = affinity.getRequired().getNodeSelectorTerms();
        if (terms.size() != 1 || terms.get(0).getMatchExpressions().size() != 1) {
            return null;
        }
        NodeSelectorRequirement requirement = terms.get(0).getMatchExpressions().get(0);
        return HOSTNAME.equals(requirement.getKey()) && "In".equals(requirement.getOperator())
                && requirement.getValues().size() == 1 ? requirement.getValues().get(0) : null;
    }

    /**
     * The volume for the claim in {@code directory} on {@code node}.
     *
     * @throws IllegalArgumentException when the claim asks for what a directory cannot be (no size, a block device,
     *                                  a selector of existing volumes)
     */
    static PersistentVolume of(PersistentVolumeClaim claim, StorageClass storageClass, String node, Path directory) {
        var spec = claim.getSpec();
        var storage = spec.getResources() == null || spec.getResources().getRequests() == null ? null
                : spec.getResources().getRequests().get("storage");
        if (storage == null) {
            throw new IllegalArgumentException("the claim requests no storage size");
        }
        if (spec.getSelector() != null) {
            throw new IllegalArgumentException("claim Selector is not supported");
        }
        if ("Block".equals(spec.getVolumeMode())) {
            throw new IllegalArgumentException("the local-path provisioner provisions file system volumes only, "
                    + "not volumeMode Block");
        }
        return new PersistentVolumeBuilder()
                .withNewMetadata().withName(name(claim)).addToAnnotations(PROVISIONED_BY, PROVISIONER).endMetadata()
                .withNewSpec()
                .addToCapacity("storage", storage)
                .withAccessModes(spec.getAccessModes())
                .withVolumeMode(spec.getVolumeMode() == null ? "Filesystem" : spec.getVolumeMode())
                .withPersistentVolumeReclaimPolicy(storageClass.getReclaimPolicy() == null ? "Delete"
                        : storageClass.getReclaimPolicy())
                .withMountOptions(storageClass.getMountOptions())
                .withStorageClassName(storageClass.getMetadata().getName())
                .withNewClaimRef().withApiVersion("v1").withKind("PersistentVolumeClaim")
                .withNamespace(claim.getMetadata().getNamespace()).withName(claim.getMetadata().getName())
                .withUid(claim.getMetadata().getUid()).withResourceVersion(claim.getMetadata().getResourceVersion())
                .endClaimRef()
                .withNewLocal().withPath(directory.toString()).endLocal()
                .withNewNodeAffinity().withNewRequired().addNewNodeSelectorTerm().addNewMatchExpression()
                .withKey(HOSTNAME).withOperator("In").withValues(node).endMatchExpression().endNodeSelectorTerm()
                .endRequired().endNodeAffinity()
                .endSpec().build();
    }
}
