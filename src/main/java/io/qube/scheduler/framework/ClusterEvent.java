package io.qube.scheduler.framework;

/** A change in the cluster that may let an unschedulable pod fit (Kubernetes' ClusterEvent, coarse-grained). */
public enum ClusterEvent {
    NODE_ADDED,
    NODE_CHANGED,
    NODE_DELETED,
    ASSIGNED_POD_ADDED,
    ASSIGNED_POD_CHANGED,
    ASSIGNED_POD_DELETED,
    NAMESPACE_CHANGED,
    /** A PersistentVolumeClaim was added or changed. */
    PERSISTENT_VOLUME_CLAIM_CHANGED,
    /** A PersistentVolume was added or changed. */
    PERSISTENT_VOLUME_CHANGED,
    /** A StorageClass was added, or its allowedTopologies changed. */
    STORAGE_CLASS_CHANGED,
    /** Unschedulable pods that have waited too long are retried whatever happened (Kubernetes: 5 minutes). */
    UNSCHEDULABLE_TIMEOUT
}
