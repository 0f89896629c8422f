package io.qube.client;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.TopologySelectorLabelRequirement;
import io.fabric8.kubernetes.api.model.TopologySelectorTerm;
import io.fabric8.kubernetes.api.model.storage.StorageClass;

import java.math.BigDecimal;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which PersistentVolume a claim may bind to, by the rules Kubernetes' PV controller and scheduler share
 * (component-helpers' FindMatchingVolume): a volume pre-bound to the claim wins; otherwise the smallest Available
 * volume of the claim's class, large enough, with the claim's volumeMode, every requested access mode, labels the
 * claim's selector accepts and, when a node is given, node affinity that admits the node.
 */
public final class VolumeMatching {

    /** On a claim: the node the scheduler chose, for the provisioner to create its volume on. */
    public static final String SELECTED_NODE = "volume.kubernetes.io/selected-node";
    /** On a claim: the PV controller finished binding it (the value does not matter). */
    public static final String BIND_COMPLETED = "pv.kubernetes.io/bind-completed";
    /** On a volume or claim: a controller, not the user, made the binding. */
    public static final String BOUND_BY_CONTROLLER = "pv.kubernetes.io/bound-by-controller";
    /** The class before spec.storageClassName existed; still wins over the field, as in Kubernetes. */
    public static final String BETA_STORAGE_CLASS = "volume.beta.kubernetes.io/storage-class";
    /** A class with this provisioner (or none) cannot provision volumes. */
    public static final String NO_PROVISIONER = "kubernetes.io/no-provisioner";

    private VolumeMatching() {
    }

    /** The claim's class name, "" for none. */
    public static String claimClass(PersistentVolumeClaim claim) {
        return className(claim.getMetadata().getAnnotations(), claim.getSpec().getStorageClassName());
    }

    /** The volume's class name, "" for none. */
    public static String volumeClass(PersistentVolume volume) {
        return className(volume.getMetadata().getAnnotations(), volume.getSpec().getStorageClassName());
    }

    private static String className(Map<String, String> annotations, String field) {
        if (annotations != null && annotations.containsKey(BETA_STORAGE_CLASS)) {
            return annotations.get(BETA_STORAGE_CLASS);
        }
        return field == null ? "" : field;
    }

    /** Whether the class binds only once a pod using the claim is scheduled. */
    public static boolean waitsForFirstConsumer(StorageClass storageClass) {
        return storageClass != null && "WaitForFirstConsumer".equals(storageClass.getVolumeBindingMode());
    }

    /** Whether the class names a provisioner that can create volumes. */
    public static boolean provisions(StorageClass storageClass) {
        String provisioner = storageClass.getProvisioner();
        return provisioner != null && !provisioner.isEmpty() && !NO_PROVISIONER.equals(provisioner);
    }

    /**
     * The PV controller finished binding the claim: it names its volume and carries bind-completed (or, the same
     * thing seen later, its phase is Bound).
     */
    public static boolean isFullyBound(PersistentVolumeClaim claim) {
        String volumeName = claim.getSpec().getVolumeName();
        if (volumeName == null || volumeName.isEmpty()) {
            return false;
        }
        Map<String, String> annotations = claim.getMetadata().getAnnotations();
        return (annotations != null && annotations.containsKey(BIND_COMPLETED))
                || (claim.getStatus() != null && "Bound".equals(claim.getStatus().getPhase()));
    }

    /** The volume's claimRef names this claim (and its uid, when the reference carries one). */
    public static boolean isBoundTo(PersistentVolume volume, PersistentVolumeClaim claim) {
        ObjectReference ref = volume.getSpec().getClaimRef();
        if (ref == null || !claim.getMetadata().getName().equals(ref.getName())
                || !claim.getMetadata().getNamespace().equals(ref.getNamespace())) {
            return false;
        }
        return ref.getUid() == null || ref.getUid().isEmpty() || ref.getUid().equals(claim.getMetadata().getUid());
    }

    /** The volume's required node affinity admits the node (a volume without one is reachable everywhere). */
    public static boolean admits(PersistentVolume volume, Node node) {
        var affinity = volume.getSpec().getNodeAffinity();
        if (affinity == null || affinity.getRequired() == null) {
            return true;
        }
        var terms = affinity.getRequired().getNodeSelectorTerms();
        return Selectors.matchesAnyTerm(terms == null ? List.of() : terms, node);
    }

    /** The class's allowedTopologies admit the node: no terms, or one whose every label requirement it meets. */
    public static boolean topologyAdmits(StorageClass storageClass, Node node) {
        List<TopologySelectorTerm> terms = storageClass.getAllowedTopologies();
        if (terms == null || terms.isEmpty()) {
            return true;
        }
        Map<String, String> labels = node.getMetadata().getLabels() == null ? Map.of() : node.getMetadata().getLabels();
        for (TopologySelectorTerm term : terms) {
            boolean all = true;
            for (TopologySelectorLabelRequirement requirement : term.getMatchLabelExpressions() == null
                    ? List.<TopologySelectorLabelRequirement>of() : term.getMatchLabelExpressions()) {
                String value = labels.get(requirement.getKey());
                if (value == null || requirement.getValues() == null || !requirement.getValues().contains(value)) {
                    all = false;
                    break;
                }
            }
            if (all) {
                return true;
            }
        }
        return false;
    }

    /** The claim's storage request in bytes (0 when it has none). */
    public static BigDecimal requestedBytes(PersistentVolumeClaim claim) {
        var resources = claim.getSpec().getResources();
        Quantity requested = resources == null || resources.getRequests() == null ? null
                : resources.getRequests().get("storage");
        return requested == null ? BigDecimal.ZERO : Quantity.getAmountInBytes(requested);
    }

    private static BigDecimal capacityBytes(PersistentVolume volume) {
        Map<String, Quantity> capacities = volume.getSpec().getCapacity();
        Quantity capacity = capacities == null ? null : capacities.get("storage");
        return capacity == null ? BigDecimal.ZERO : Quantity.getAmountInBytes(capacity);
    }

    /**
     * The volume for the claim among {@code volumes}, or null. {@code node}: the scheduler's question (affinity and
     * access modes count; null for the PV controller's). {@code delayBinding} (the PV controller's, for a class that
     * waits for its first consumer): only a volume pre-bound to the claim is returned. {@code excluded}: names of
     * volumes already taken by other claims of the same pod or by pods in flight.
     */
    public static PersistentVolume findMatchingVolume(PersistentVolumeClaim claim, Collection<PersistentVolume> volumes,
                                                      Node node, Set<String> excluded, boolean delayBinding) {
        BigDecimal requested = requestedBytes(claim);
        String requestedClass = claimClass(claim);
        PersistentVolume smallest = null;
        BigDecimal smallestSize = null;
        for (PersistentVolume volume : volumes) {
            if (excluded.contains(volume.getMetadata().getName())) {
                continue;
            }
            boolean boundToClaim = isBoundTo(volume, claim);
            if (volume.getSpec().getClaimRef() != null && !boundToClaim) {
                continue;
            }
            BigDecimal size = capacityBytes(volume);
            if (size.compareTo(requested) < 0 || !sameVolumeMode(claim, volume)
                    || volume.getMetadata().getDeletionTimestamp() != null) {
                continue;
            }
            boolean reachable = node == null || admits(volume, node);
            if (boundToClaim) {
                // A volume pre-bound to the claim is the only candidate: if the node cannot reach it, nothing fits.
                return reachable ? volume : null;
            }
            if (node == null && delayBinding) {
                continue;
            }
            String phase = volume.getStatus() == null ? null : volume.getStatus().getPhase();
            if (!"Available".equals(phase)
                    || (claim.getSpec().getSelector() != null
                    && !Selectors.matches(claim.getSpec().getSelector(), volume.getMetadata().getLabels()))
                    || !volumeClass(volume).equals(requestedClass) || !reachable
                    || (node != null && !hasAccessModes(claim, volume))) {
                continue;
            }
            if (smallest == null || smallestSize.compareTo(size) > 0) {
                smallest = volume;
                smallestSize = size;
            }
        }
        return smallest;
    }

    /** An absent volumeMode is Filesystem on both sides. */
    public static boolean sameVolumeMode(PersistentVolumeClaim claim, PersistentVolume volume) {
        return modeOf(claim.getSpec().getVolumeMode()).equals(modeOf(volume.getSpec().getVolumeMode()));
    }

    private static String modeOf(String mode) {
        return mode == null ? "Filesystem" : mode;
    }

    /** The volume offers every access mode the claim asks for. */
    public static boolean hasAccessModes(PersistentVolumeClaim claim, PersistentVolume volume) {
        List<String> offered = volume.getSpec().getAccessModes();
        if (offered == null) {
            offered = List.of();
        }
        return claim.getSpec().getAccessModes() == null || offered.containsAll(claim.getSpec().getAccessModes());
    }
}
