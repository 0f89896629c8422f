package io.qube.controller.volume;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.qube.client.EventRecorder;
import io.qube.client.StorageNames;
import io.qube.client.VolumeMatching;
import io.qube.client.WorkQueue;
import io.qube.controller.ActivePods;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * One claim brought in line with the volumes, as kube-controller-manager's syncClaim does: an unbound claim gets the
 * volume it names, the one pre-bound to it, or the best fit ({@link VolumeMatching}); failing that, a claim without
 * class gets the default class if one has appeared since, and otherwise it stays Pending
 * and says why (no class, WaitForFirstConsumer, or a class whose external provisioner is asked through the
 * storage-provisioner annotations). A bound claim follows its volume: Bound, or Lost when the volume is gone or
 * claimed by another; and {@link ClaimExpansion} settles a larger request.
 */
final class ClaimSync {

    /** How often a Pending claim is looked at again, as Kubernetes' periodic resync (15 s) would. */
    static final Duration RESYNC = Duration.ofSeconds(15);
    static final String WAIT_FOR_FIRST_CONSUMER = "WaitForFirstConsumer";
    private static final String NO_CLASS_MESSAGE =
            "no persistent volumes available for this claim and no storage class is set";

    private final KubernetesClient client;
    private final SharedIndexInformer<PersistentVolumeClaim> claims;
    private final SharedIndexInformer<PersistentVolume> volumes;
    private final SharedIndexInformer<StorageClass> classes;
    private final SharedIndexInformer<Pod> pods;
    private final BindingWrites writes;
    private final EventRecorder events;
    private final ClaimExpansion expansion;

    ClaimSync(KubernetesClient client, SharedIndexInformer<PersistentVolumeClaim> claims,
              SharedIndexInformer<PersistentVolume> volumes, SharedIndexInformer<StorageClass> classes,
              SharedIndexInformer<Pod> pods, BindingWrites writes, EventRecorder events) {
        this.client = client;
        this.claims = claims;
        this.volumes = volumes;
        this.classes = classes;
        this.pods = pods;
        this.writes = writes;
        this.events = events;
        this.expansion = new ClaimExpansion(client, classes, events);
    }

    WorkQueue.Outcome sync(String key) {
        PersistentVolumeClaim claim = claims.getIndexer().getByKey(key);
        if (claim == null) {
            return WorkQueue.Outcome.DONE;
        }
        return annotations(claim).containsKey(StorageNames.BIND_COMPLETED) ? syncBound(claim) : syncUnbound(claim);
    }

    private WorkQueue.Outcome syncUnbound(PersistentVolumeClaim claim) {
        String volumeName = claim.getSpec().getVolumeName();
        if (volumeName == null || volumeName.isEmpty()) {
            return bindAnyVolume(claim);
        }
        PersistentVolume volume = volumes.getIndexer().getByKey(volumeName);
        if (volume == null) {
            // The user named a volume that does not exist (yet): Pending, and looked at again.
            writes.updateClaimStatus(claim, "Pending", null);
            return WorkQueue.Outcome.after(RESYNC);
        }
        if (volume.getSpec().getClaimRef() == null) {
            String mismatch = VolumeMatching.mismatch(volume, claim);
            if (mismatch != null) {
                events.warning(claim, "VolumeMismatch", "Cannot bind to requested volume \"" + volumeName + "\": "
                        + mismatch);
                writes.updateClaimStatus(claim, "Pending", null);
                return WorkQueue.Outcome.after(RESYNC);
            }
            writes.bind(volume, claim);
            return WorkQueue.Outcome.DONE;
        }
        if (VolumeMatching.isBoundToClaim(volume, claim)) {
            writes.bind(volume, claim);
            return WorkQueue.Outcome.DONE;
        }
        if (!annotations(claim).containsKey(StorageNames.BOUND_BY_CONTROLLER)) {
            events.warning(claim, "FailedBinding", "volume \"" + volumeName + "\" already bound to a different claim.");
            writes.updateClaimStatus(claim, "Pending", null);
            return WorkQueue.Outcome.after(RESYNC);
        }
        // Only a user removing bind-completed from a claim the controller bound gets here; Kubernetes leaves it too.
        throw new IllegalStateException("invalid binding of claim " + key(claim) + " to volume " + volumeName
                + ": volume already claimed by " + volume.getSpec().getClaimRef().getNamespace() + "/"
                + volume.getSpec().getClaimRef().getName());
    }

    private WorkQueue.Outcome bindAnyVolume(PersistentVolumeClaim claim) {
        String className = VolumeMatching.claimClass(claim);
        StorageClass storageClass = className.isEmpty() ? null : classes.getIndexer().getByKey(className);
        boolean delayBinding = storageClass != null
                && WAIT_FOR_FIRST_CONSUMER.equals(storageClass.getVolumeBindingMode());
        PersistentVolume volume = VolumeMatching.findBestMatch(claim, volumes.getIndexer().list(), delayBinding);
        if (volume != null) {
            writes.bind(volume, claim);
            return WorkQueue.Outcome.DONE;
        }
        if (assignDefaultClass(claim)) {
            return WorkQueue.Outcome.DONE; // the claim's update brings it back, with its class
        }
        if (delayBinding && !annotations(claim).containsKey(StorageNames.SELECTED_NODE)) {
            recordWaitingForConsumer(claim);
        } else if (!className.isEmpty()) {
            // Kubernetes leaves the claim's phase as it is while a provisioner works.
            provision(claim, className, storageClass);
            return WorkQueue.Outcome.after(RESYNC);
        } else {
            events.normal(claim, "FailedBinding", NO_CLASS_MESSAGE);
        }
        writes.updateClaimStatus(claim, "Pending", null);
        return WorkQueue.Outcome.after(RESYNC);
    }

    /**
     * Kubernetes' retroactive default class: a claim created while no class was the default, and that asked for none
     * (not even ""), gets the default class once there is one. Whether it was given one.
     */
    private boolean assignDefaultClass(PersistentVolumeClaim claim) {
        if (claim.getSpec().getStorageClassName() != null
                || annotations(claim).containsKey(StorageNames.BETA_STORAGE_CLASS)) {
            return false;
        }
        StorageClass chosen = defaultClass(classes.getIndexer().list());
        if (chosen == null) {
            return false;
        }
        client.persistentVolumeClaims().inNamespace(claim.getMetadata().getNamespace())
                .resource(new PersistentVolumeClaimBuilder(claim).editSpec()
                        .withStorageClassName(chosen.getMetadata().getName()).endSpec().build()).update();
        return true;
    }

    /** The default class: of those annotated so, the newest, and on a tie the first by name (GetDefaultClass). */
    static StorageClass defaultClass(Collection<StorageClass> candidates) {
        return candidates.stream().filter(c -> StorageNames.isDefaultClass(c.getMetadata().getAnnotations()))
                .max(Comparator.comparing((StorageClass c) -> Instant.parse(c.getMetadata().getCreationTimestamp()))
                        .thenComparing(c -> c.getMetadata().getName(), Comparator.reverseOrder()))
                .orElse(null);
    }

    /** Kubernetes' emitEventForUnboundDelayBindingClaim: which pods the claim waits for, if any names it yet. */
    private void recordWaitingForConsumer(PersistentVolumeClaim claim) {
        List<String> waiting = pods.getIndexer().byIndex(Cache.NAMESPACE_INDEX, claim.getMetadata().getNamespace())
                .stream().filter(pod -> !ActivePods.isTerminated(pod)
                        && (pod.getSpec().getNodeName() == null || pod.getSpec().getNodeName().isEmpty())
                        && ClaimUsers.references(pod, claim))
                .map(pod -> pod.getMetadata().getName()).sorted().toList();
        if (waiting.isEmpty()) {
            events.normal(claim, WAIT_FOR_FIRST_CONSUMER, "waiting for first consumer to be created before binding");
        } else if (waiting.size() == 1) {
            events.normal(claim, "WaitForPodScheduled", "waiting for pod " + waiting.get(0) + " to be scheduled");
        } else {
            events.normal(claim, "WaitForPodScheduled", "waiting for pods " + String.join(",", waiting)
                    + " to be scheduled");
        }
    }

    /**
     * Kubernetes' provisionClaim with no volume plugin of its own: a class's external provisioner is asked through
     * the claim's annotations; an in-tree name (kubernetes.io/...) has no plugin here, and a missing class is said.
     */
    private void provision(PersistentVolumeClaim claim, String className, StorageClass storageClass) {
        if (storageClass == null) {
            events.warning(claim, "ProvisioningFailed", "storageclass.storage.k8s.io \"" + className + "\" not found");
            return;
        }
        String provisioner = storageClass.getProvisioner();
        if (provisioner.startsWith("kubernetes.io/")) {
            events.warning(claim, "ProvisioningFailed", "no volume plugin matched name: " + provisioner);
            return;
        }
        PersistentVolumeClaim annotated = writes.setClaimProvisioner(claim, provisioner);
        events.normal(annotated, "ExternalProvisioning", "Waiting for a volume to be created either by the external "
                + "provisioner '" + provisioner + "' or manually by the system administrator. If volume creation is "
                + "delayed, please verify that the provisioner is running and correctly registered.");
    }

    private WorkQueue.Outcome syncBound(PersistentVolumeClaim claim) {
        String volumeName = claim.getSpec().getVolumeName();
        if (volumeName == null || volumeName.isEmpty()) {
            writes.updateClaimStatusWithEvent(claim, "Lost", "ClaimLost",
                    "Bound claim has lost reference to PersistentVolume. Data on the volume is lost!");
            return WorkQueue.Outcome.DONE;
        }
        PersistentVolume volume = volumes.getIndexer().getByKey(volumeName);
        if (volume == null) {
            // A cache may lag; the API's word decides that a volume is gone.
            volume = client.persistentVolumes().withName(volumeName).get();
        }
        if (volume == null) {
            writes.updateClaimStatusWithEvent(claim, "Lost", "ClaimLost",
                    "Bound claim has lost its PersistentVolume. Data on the volume is lost!");
            return WorkQueue.Outcome.DONE;
        }
        var ref = volume.getSpec().getClaimRef();
        if (ref != null && !claim.getMetadata().getUid().equals(ref.getUid())) {
            writes.updateClaimStatusWithEvent(claim, "Lost", "ClaimMisbound",
                    "Two claims are bound to the same volume, this one is bound incorrectly");
            return WorkQueue.Outcome.DONE;
        }
        // Unbound volume (a user cleared it, or the cache lags): bound again; otherwise a no-op but for phases.
        BindingWrites.Bound bound = writes.bind(volume, claim);
        expansion.settle(bound.claim(), bound.volume());
        return WorkQueue.Outcome.DONE;
    }

    static String key(PersistentVolumeClaim claim) {
        return claim.getMetadata().getNamespace() + "/" + claim.getMetadata().getName();
    }

    static Map<String, String> annotations(HasMetadata object) {
        return object.getMetadata().getAnnotations() == null ? Map.of() : object.getMetadata().getAnnotations();
    }
}
