package io.qube.controller.volume;

import io.fabric8.kubernetes.api.model.HasMetadata;

/** The annotations and finalizers through which Kubernetes' volume controllers, provisioners and schedulers talk. */
final class VolumeKeys {

    /** On a claim: the controller finished binding it; without it a claim with a volumeName is still unbound. */
    static final String BIND_COMPLETED = "pv.kubernetes.io/bind-completed";
    /** On a volume or claim: the controller, not the user, chose the binding. */
    static final String BOUND_BY_CONTROLLER = "pv.kubernetes.io/bound-by-controller";
    /** On a volume: the provisioner that made it, whose deleter reclaims it. */
    static final String PROVISIONED_BY = "pv.kubernetes.io/provisioned-by";
    /** On a claim: the external provisioner asked to make its volume. */
    static final String STORAGE_PROVISIONER = "volume.kubernetes.io/storage-provisioner";
    static final String BETA_STORAGE_PROVISIONER = "volume.beta.kubernetes.io/storage-provisioner";
    /** On a claim of a WaitForFirstConsumer class: the node the scheduler chose for its first pod. */
    static final String SELECTED_NODE = "volume.kubernetes.io/selected-node";
    /** The class before spec.storageClassName existed; still read first, as Kubernetes does. */
    static final String BETA_STORAGE_CLASS = "volume.beta.kubernetes.io/storage-class";

    static final String PVC_PROTECTION = "kubernetes.io/pvc-protection";
    static final String PV_PROTECTION = "kubernetes.io/pv-protection";

    /** The node agent's provisioner of directory volumes (qube.io/local-path). */
    static final String LOCAL_PATH = "qube.io/local-path";

    private VolumeKeys() {
    }

    /** Being deleted and held only until its protection controller removes this finalizer (IsDeletionCandidate). */
    static boolean deletionCandidate(HasMetadata object, String finalizer) {
        return object.getMetadata().getDeletionTimestamp() != null && object.getMetadata().getFinalizers() != null
                && object.getMetadata().getFinalizers().contains(finalizer);
    }
}
