package io.qube.scheduler.framework;

import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.storage.StorageClass;

import java.time.Duration;
import java.util.Collection;

/**
 * The storage objects volume plugins read, as the scheduler's informers last saw them; and a way to wait for the
 * next change to claims or volumes, for the binding cycle that waits until its claims are bound.
 */
public interface StorageLister {

    /** The claim, or null when there is none. */
    PersistentVolumeClaim claim(String namespace, String name);

    /** The volume, or null when there is none. */
    PersistentVolume volume(String name);

    Collection<PersistentVolume> volumes();

    /** The class, or null when there is none. */
    StorageClass storageClass(String name);

    /** Counts the changes to claims and volumes seen so far. */
    long changes();

    /** Returns once more than {@code seen} changes were seen, or when the timeout passes. */
    void awaitChange(long seen, Duration timeout) throws InterruptedException;
}
