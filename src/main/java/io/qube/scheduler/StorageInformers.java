package io.qube.scheduler;

import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.qube.scheduler.framework.ClusterEvent;
import io.qube.scheduler.framework.StorageLister;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The scheduler's informers on PersistentVolumeClaims, PersistentVolumes and StorageClasses, read by the volume
 * plugins. Every claim or volume event is counted, so that a binding cycle waiting for its claims to be bound wakes
 * when something changed instead of polling blind.
 */
final class StorageInformers implements StorageLister {

    private SharedIndexInformer<PersistentVolumeClaim> claims;
    private SharedIndexInformer<PersistentVolume> volumes;
    private SharedIndexInformer<StorageClass> classes;
    private long changes;

    /** Starts the three informers (each waits for its first list) with the cluster events' handlers. */
    List<SharedIndexInformer<?>> start(KubernetesClient client, ClusterEvents events) {
        claims = client.persistentVolumeClaims().inAnyNamespace()
                .inform(events.storageObjects(ClusterEvent.PERSISTENT_VOLUME_CLAIM_CHANGED, this::changed), 0);
        volumes = client.persistentVolumes()
                .inform(events.storageObjects(ClusterEvent.PERSISTENT_VOLUME_CHANGED, this::changed), 0);
        classes = client.storage().v1().storageClasses().inform(events.storageClasses(), 0);
        return List.of(claims, volumes, classes);
    }

    @Override
    public PersistentVolumeClaim claim(String namespace, String name) {
        return claims == null ? null : claims.getIndexer().getByKey(namespace + "/" + name);
    }

    @Override
    public PersistentVolume volume(String name) {
        return volumes == null || name == null ? null : volumes.getIndexer().getByKey(name);
    }

    @Override
    public Collection<PersistentVolume> volumes() {
        return volumes == null ? List.of() : volumes.getIndexer().list();
    }

    @Override
    public StorageClass storageClass(String name) {
        return classes == null || name == null || name.isEmpty() ? null : classes.getIndexer().getByKey(name);
    }

    private synchronized void changed() {
        changes++;
        notifyAll();
    }

    @Override
    public synchronized long changes() {
        return changes;
    }

    @Override
    public synchronized void awaitChange(long seen, Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (changes <= seen) {
            long left = end - System.nanoTime();
            if (left <= 0) {
                return;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
    }
}
