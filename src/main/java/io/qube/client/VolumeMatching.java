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
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Which volume a claim may bind, for the PV controller and the scheduler alike, as Kubernetes decides it (the
 * controller's volume index and component-helpers' FindMatchingVolume): volumes are grouped by their exact set of
 * access modes, the groups holding every mode the claim asks for are tried from the fewest modes up, and in the first
 * group with a fit the volume pre-bound to the claim wins, else the smallest Available, unreserved volume of the
 * claim's class, volumeMode and selector whose capacity covers the request (a pre-bound volume needs only the size,
 * volumeMode and volume attributes class to fit). When the scheduler passes a node, a volume counts only if its node
 * affinity admits the node, and a pre-bound volume the node cannot reach means no match at all.
 */
public final class VolumeMatching {

    private static final String FILESYSTEM = "Filesystem";

    private VolumeMatching() {
    }

    /** In one access-mode group: the volume found (null: none, and nothing else may be taken either). */
    private record Decision(PersistentVolume volume) {
    }

    /**
     * The volume to bind the claim to, or null when none fits.
     *
     * @param node         the scheduler's candidate node (its affinity must admit it), null for the PV controller
     * @param excluded     names of volumes already chosen for other claims (the scheduler's); never matched
     * @param delayBinding the claim's class binds WaitForFirstConsumer and no node is given: only a volume pre-bound
     *                     to the claim may be taken
     */
    public static PersistentVolume findBestMatch(PersistentVolumeClaim claim, Collection<PersistentVolume> volumes,
                                                 Node node, Set<String> excluded, boolean delayBinding) {
        Set<String> wanted = accessModes(claim.getSpec().getAccessModes());
        Map<String, List<PersistentVolume>> byModes = new TreeMap<>();
        for (PersistentVolume volume : volumes) {
            Set<String> modes = accessModes(volume.getSpec().getAccessModes());
            if (modes.containsAll(wanted) && !excluded.contains(volume.getMetadata().getName())) {
                byModes.computeIfAbsent(String.join(",", modes), key -> new ArrayList<>()).add(volume);
            }
        }
        List<List<PersistentVolume>> groups = new ArrayList<>(byModes.values());
        groups.sort(Comparator.comparingInt(group -> accessModes(group.get(0).getSpec().getAccessModes()).size()));
        for (List<PersistentVolume> group : groups) {
            Decision decision = findInGroup(claim, group, node, delayBinding && node == null);
            if (decision != null) {
                return decision.volume();
            }
        }
        return null;
    }

    /** The PV controller's question: no node, nothing excluded. */
    public static PersistentVolume findBestMatch(PersistentVolumeClaim claim, Collection<PersistentVolume> volumes,
                                                 boolean delayBinding) {
        return findBestMatch(claim, volumes, null, Set.of(), delayBinding);
    }

    private static Decision findInGroup(PersistentVolumeClaim claim, List<PersistentVolume> volumes, Node node,
                                        boolean delayBinding) {
        BigDecimal requested = requestedStorage(claim);
        String requestedClass = claimClass(claim);
        PersistentVolume smallest = null;
        BigDecimal smallestSize = null;
        List<PersistentVolume> ordered = new ArrayList<>(volumes);
        ordered.sort(Comparator.comparing(v -> v.getMetadata().getName()));
        for (PersistentVolume volume : ordered) {
            BigDecimal size = capacity(volume);
            if (size.compareTo(requested) < 0 || volumeModeMismatch(claim, volume)
                    || !Objects.equals(claim.getSpec().getVolumeAttributesClassName(),
                    volume.getSpec().getVolumeAttributesClassName())
                    || volume.getMetadata().getDeletionTimestamp() != null) {
                continue;
            }
            boolean reachable = node == null || admits(volume, node);
            if (isBoundToClaim(volume, claim)) {
                // The claim's own volume is its only candidate: if the node cannot reach it, nothing fits there.
                return new Decision(reachable ? volume : null);
            }
            if (delayBinding) {
                continue; // the scheduler binds such claims, once it knows the node
            }
            if (!"Available".equals(phase(volume)) || volume.getSpec().getClaimRef() != null
                    || claim.getSpec().getSelector() != null
                    && !Selectors.matches(claim.getSpec().getSelector(), volume.getMetadata().getLabels())
                    || !volumeClass(volume).equals(requestedClass) || !reachable) {
                continue;
            }
            if (smallestSize == null || smallestSize.compareTo(size) > 0) {
                smallest = volume;
                smallestSize = size;
            }
        }
        return smallest == null ? null : new Decision(smallest);
    }

    /**
     * Why the volume a claim names in spec.volumeName cannot be its volume (Kubernetes' checkVolumeSatisfyClaim), or
     * null when it can. The claim's selector does not count here: naming the volume overrides it.
     */
    public static String mismatch(PersistentVolume volume, PersistentVolumeClaim claim) {
        if (volume.getMetadata().getDeletionTimestamp() != null) {
            return "the volume is marked for deletion \"" + volume.getMetadata().getName() + "\"";
        }
        if (capacity(volume).compareTo(requestedStorage(claim)) < 0) {
            return "requested PV is too small";
        }
        if (!volumeClass(volume).equals(claimClass(claim))) {
            return "storageClassName does not match";
        }
        if (volumeModeMismatch(claim, volume)) {
            return "incompatible volumeMode";
        }
        if (!accessModes(volume.getSpec().getAccessModes()).containsAll(accessModes(claim.getSpec().getAccessModes()))) {
            return "incompatible accessMode";
        }
        return null;
    }

    /** The volume's claimRef names this claim, and its uid if it has one (Kubernetes' IsVolumeBoundToClaim). */
    public static boolean isBoundToClaim(PersistentVolume volume, PersistentVolumeClaim claim) {
        ObjectReference ref = volume.getSpec().getClaimRef();
        return ref != null && Objects.equals(ref.getName(), claim.getMetadata().getName())
                && Objects.equals(ref.getNamespace(), claim.getMetadata().getNamespace())
                && (ref.getUid() == null || ref.getUid().isEmpty()
                || ref.getUid().equals(claim.getMetadata().getUid()));
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
        return (annotations != null && annotations.containsKey(StorageNames.BIND_COMPLETED))
                || (claim.getStatus() != null && "Bound".equals(claim.getStatus().getPhase()));
    }

    /** An absent volumeMode is Filesystem on both sides. */
    public static boolean volumeModeMismatch(PersistentVolumeClaim claim, PersistentVolume volume) {
        return !Objects.requireNonNullElse(claim.getSpec().getVolumeMode(), FILESYSTEM)
                .equals(Objects.requireNonNullElse(volume.getSpec().getVolumeMode(), FILESYSTEM));
    }

    /** The claim's class: the beta annotation, else spec.storageClassName, else "" (no class). */
    public static String claimClass(PersistentVolumeClaim claim) {
        return storageClass(claim.getMetadata().getAnnotations(), claim.getSpec().getStorageClassName());
    }

    /** The volume's class, read as the claim's is. */
    public static String volumeClass(PersistentVolume volume) {
        return storageClass(volume.getMetadata().getAnnotations(), volume.getSpec().getStorageClassName());
    }

    private static String storageClass(Map<String, String> annotations, String specClass) {
        if (annotations != null && annotations.containsKey(StorageNames.BETA_STORAGE_CLASS)) {
            return annotations.get(StorageNames.BETA_STORAGE_CLASS);
        }
        return specClass == null ? "" : specClass;
    }

    /** Whether the class binds only once a pod using the claim is scheduled. */
    public static boolean waitsForFirstConsumer(StorageClass storageClass) {
        return storageClass != null && "WaitForFirstConsumer".equals(storageClass.getVolumeBindingMode());
    }

    /** Whether the class names a provisioner that can create volumes. */
    public static boolean provisions(StorageClass storageClass) {
        String provisioner = storageClass.getProvisioner();
        return provisioner != null && !provisioner.isEmpty() && !StorageNames.NO_PROVISIONER.equals(provisioner);
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
    public static BigDecimal requestedStorage(PersistentVolumeClaim claim) {
        var resources = claim.getSpec().getResources();
        return bytes(resources == null || resources.getRequests() == null ? null
                : resources.getRequests().get("storage"));
    }

    /** The volume's storage capacity in bytes (0 when it has none). */
    public static BigDecimal capacity(PersistentVolume volume) {
        return bytes(volume.getSpec().getCapacity() == null ? null : volume.getSpec().getCapacity().get("storage"));
    }

    public static BigDecimal bytes(Quantity quantity) {
        return quantity == null ? BigDecimal.ZERO : quantity.getNumericalAmount();
    }

    public static String phase(PersistentVolume volume) {
        return volume.getStatus() == null ? null : volume.getStatus().getPhase();
    }

    private static Set<String> accessModes(List<String> modes) {
        return modes == null ? Set.of() : new TreeSet<>(modes);
    }
}
