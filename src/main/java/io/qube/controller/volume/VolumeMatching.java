package io.qube.controller.volume;

import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Quantity;
import io.qube.client.Selectors;

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
 * Which volume a claim may bind, as kube-controller-manager's persistentvolume controller decides it (its volume
 * index and FindMatchingVolume): volumes are grouped by their exact set of access modes, the groups holding every
 * mode the claim asks for are tried from the fewest modes up, and in the first group with a fit the volume pre-bound
 * to the claim wins, else the smallest Available, unreserved volume of the claim's class, volumeMode and selector
 * whose capacity covers the request (a pre-bound volume needs only the size, volumeMode and volume attributes class
 * to fit). Node affinity is the scheduler's concern, not this one's.
 */
final class VolumeMatching {

    private static final String FILESYSTEM = "Filesystem";

    private VolumeMatching() {
    }

    /**
     * The volume to bind the claim to, or null when none fits.
     *
     * @param delayBinding the claim's class binds WaitForFirstConsumer: only a volume pre-bound to it may be taken
     */
    static PersistentVolume findBestMatch(PersistentVolumeClaim claim, Collection<PersistentVolume> volumes,
                                          boolean delayBinding) {
        Set<String> wanted = accessModes(claim.getSpec().getAccessModes());
        Map<String, List<PersistentVolume>> byModes = new TreeMap<>();
        for (PersistentVolume volume : volumes) {
            Set<String> modes = accessModes(volume.getSpec().getAccessModes());
            if (modes.containsAll(wanted)) {
                byModes.computeIfAbsent(String.join(",", modes), key -> new ArrayList<>()).add(volume);
            }
        }
        List<List<PersistentVolume>> groups = new ArrayList<>(byModes.values());
        groups.sort(Comparator.comparingInt(group -> accessModes(group.get(0).getSpec().getAccessModes()).size()));
        for (List<PersistentVolume> group : groups) {
            PersistentVolume best = findInGroup(claim, group, delayBinding);
            if (best != null) {
                return best;
            }
        }
        return null;
    }

    private static PersistentVolume findInGroup(PersistentVolumeClaim claim, List<PersistentVolume> volumes,
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
            if (isBoundToClaim(volume, claim)) {
                return volume;
            }
            if (delayBinding) {
                continue; // the scheduler binds such claims, once it knows the node
            }
            if (!"Available".equals(phase(volume)) || volume.getSpec().getClaimRef() != null
                    || claim.getSpec().getSelector() != null
                    && !Selectors.matches(claim.getSpec().getSelector(), volume.getMetadata().getLabels())
                    || !volumeClass(volume).equals(requestedClass)) {
                continue;
            }
            if (smallestSize == null || smallestSize.compareTo(size) > 0) {
                smallest = volume;
                smallestSize = size;
            }
        }
        return smallest;
    }

    /**
     * Why the volume a claim names in spec.volumeName cannot be its volume (Kubernetes' checkVolumeSatisfyClaim), or
     * null when it can. The claim's selector does not count here: naming the volume overrides it.
     */
    static String mismatch(PersistentVolume volume, PersistentVolumeClaim claim) {
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
    static boolean isBoundToClaim(PersistentVolume volume, PersistentVolumeClaim claim) {
        ObjectReference ref = volume.getSpec().getClaimRef();
        return ref != null && Objects.equals(ref.getName(), claim.getMetadata().getName())
                && Objects.equals(ref.getNamespace(), claim.getMetadata().getNamespace())
                && (ref.getUid() == null || ref.getUid().isEmpty()
                || ref.getUid().equals(claim.getMetadata().getUid()));
    }

    static boolean volumeModeMismatch(PersistentVolumeClaim claim, PersistentVolume volume) {
        return !Objects.requireNonNullElse(claim.getSpec().getVolumeMode(), FILESYSTEM)
                .equals(Objects.requireNonNullElse(volume.getSpec().getVolumeMode(), FILESYSTEM));
    }

    /** The claim's class: the beta annotation, else spec.storageClassName, else "" (no class). */
    static String claimClass(PersistentVolumeClaim claim) {
        return storageClass(claim.getMetadata().getAnnotations(), claim.getSpec().getStorageClassName());
    }

    static String volumeClass(PersistentVolume volume) {
        return storageClass(volume.getMetadata().getAnnotations(), volume.getSpec().getStorageClassName());
    }

    private static String storageClass(Map<String, String> annotations, String specClass) {
        if (annotations != null && annotations.containsKey(VolumeKeys.BETA_STORAGE_CLASS)) {
            return annotations.get(VolumeKeys.BETA_STORAGE_CLASS);
        }
        return specClass == null ? "" : specClass;
    }

    static BigDecimal requestedStorage(PersistentVolumeClaim claim) {
        var resources = claim.getSpec().getResources();
        return bytes(resources == null || resources.getRequests() == null ? null
                : resources.getRequests().get("storage"));
    }

    static BigDecimal capacity(PersistentVolume volume) {
        return bytes(volume.getSpec().getCapacity() == null ? null : volume.getSpec().getCapacity().get("storage"));
    }

    static BigDecimal bytes(Quantity quantity) {
        return quantity == null ? BigDecimal.ZERO : quantity.getNumericalAmount();
    }

    static String phase(PersistentVolume volume) {
        return volume.getStatus() == null ? null : volume.getStatus().getPhase();
    }

    private static Set<String> accessModes(List<String> modes) {
        return modes == null ? Set.of() : new TreeSet<>(modes);
    }
}
