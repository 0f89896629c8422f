package io.qube.client;

import io.fabric8.kubernetes.api.model.HasMetadata;

import java.util.Map;

/**
 * The annotations, finalizers and provisioner names through which Kubernetes' storage admission, volume controllers,
 * provisioners and scheduler talk, in one place for the API server, the PV controller and the scheduler.
 */
public final class StorageNames {

    /** On a claim: the controller finished binding it; without it a claim with a volumeName is still unbound. */
    public static final String BIND_COMPLETED = "pv.kubernetes.io/bind-completed";
    /** On a volume or claim: the controller, not the user, chose the binding. */
    public static final String BOUND_BY_CONTROLLER = "pv.kubernetes.io/bound-by-controller";
    /** On a volume: the provisioner that made it, whose deleter reclaims it. */
    public static final String PROVISIONED_BY = "pv.kubernetes.io/provisioned-by";
    /** On a claim: the external provisioner asked to make its volume. */
    public static final String STORAGE_PROVISIONER = "volume.kubernetes.io/storage-provisioner";
    public static final String BETA_STORAGE_PROVISIONER = "volume.beta.kubernetes.io/storage-provisioner";
    /** On a claim of a WaitForFirstConsumer class: the node the scheduler chose, for the provisioner to use. */
    public static final String SELECTED_NODE = "volume.kubernetes.io/selected-node";
    /** The class before spec.storageClassName existed; still read first, as Kubernetes does. */
    public static final String BETA_STORAGE_CLASS = "volume.beta.kubernetes.io/storage-class";
    /** On a StorageClass: claims that name no class get this one. */
    public static final String DEFAULT_CLASS = "storageclass.kubernetes.io/is-default-class";
    public static final String BETA_DEFAULT_CLASS = "storageclass.beta.kubernetes.io/is-default-class";

    /** Finalizer of a claim, held while a pod uses it. */
    public static final String PVC_PROTECTION = "kubernetes.io/pvc-protection";
    /** Finalizer of a volume, held while it is bound. */
    public static final String PV_PROTECTION = "kubernetes.io/pv-protection";

    /** The node agent's provisioner of directory volumes. */
    public static final String LOCAL_PATH = "qube.io/local-path";
    /** A class with this provisioner (or none) cannot provision volumes. */
    public static final String NO_PROVISIONER = "kubernetes.io/no-provisioner";

    private StorageNames() {
    }

    /** The annotations mark a StorageClass as the default, in the GA or the beta spelling (IsDefaultAnnotation). */
    public static boolean isDefaultClass(Map<String, String> annotations) {
        return annotations != null
                && ("true".equals(annotations.get(DEFAULT_CLASS)) || "true".equals(annotations.get(BETA_DEFAULT_CLASS)));
    }

    /** Being deleted and held only until its protection controller removes this finalizer (IsDeletionCandidate). */
    public static boolean deletionCandidate(HasMetadata object, String finalizer) {
        return object.getMetadata().getDeletionTimestamp() != null && object.getMetadata().getFinalizers() != null
                && object.getMetadata().getFinalizers().contains(finalizer);
    }
}
