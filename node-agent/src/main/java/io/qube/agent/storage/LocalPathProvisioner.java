package io.qube.agent.storage;

import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.qube.agent.pod.PodEvents;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The node's half of the {@code qube.io/local-path} provisioner, Kubernetes' external-provisioner protocol for one
 * node (or the simulated nodes of one agent): a claim the scheduler gave this node
 * ({@code volume.kubernetes.io/selected-node}) and the PV controller handed to this provisioner
 * ({@code volume.kubernetes.io/storage-provisioner}) gets a directory under the agent's state directory and a local
 * PV {@code pvc-<claim uid>} pinned to this node; such a PV once Released with reclaim policy Delete loses its
 * directory, then is deleted. Two informers without resync and one thread: an object is
 * looked at when it changes, and a failure is tried again with back-off from the informer's copy.
 */
public final class LocalPathProvisioner implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(LocalPathProvisioner.class);
    private static final Duration FIRST_RETRY = Duration.ofSeconds(1);
    private static final Duration LAST_RETRY = Duration.ofMinutes(2);

    private final KubernetesClient client;
    private final Set<String> nodes;
    private final LocalVolumeDirectories directories;
    private final PodEvents events;
    private final SharedIndexInformer<PersistentVolumeClaim> claims;
    private final SharedIndexInformer<PersistentVolume> volumes;
    private final ScheduledExecutorService worker = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "local-path");
        thread.setDaemon(true);
        return thread;
    });
    /** The claims (by uid) whose volume this agent created: their later updates until bound need nothing. */
    private final Set<String> provisioned = ConcurrentHashMap.newKeySet();
    /** The next retry's delay of each failing claim or volume, by key. */
    private final Map<String, Duration> retries = new ConcurrentHashMap<>();

    private LocalPathProvisioner(KubernetesClient client, Set<String> nodes, Path root) {
        this.client = client;
        this.nodes = Set.copyOf(nodes);
        this.directories = new LocalVolumeDirectories(root);
        String host = nodes.size() == 1 ? nodes.iterator().next() : root.toString();
        this.events = new PodEvents(client, LocalPathVolumes.PROVISIONER + "_" + host, host);
        this.claims = client.persistentVolumeClaims().inAnyNamespace().runnableInformer(0);
        this.volumes = client.persistentVolumes().runnableInformer(0);
        claims.addEventHandler(new Handler<>(this::claimChanged, claim -> {
            provisioned.remove(claim.getMetadata().getUid());
            retries.remove(claimKey(claim));
        }));
        volumes.addEventHandler(new Handler<>(this::volumeChanged, volume -> retries.remove(volumeKey(volume))));
    }

    /**
     * Starts watching claims and volumes; provisions into {@code root} ({@code <state dir>/volumes}).
     *
     * @param nodes the nodes' names, which their Nodes' {@code kubernetes.io/hostname} labels have too
     */
    public static LocalPathProvisioner start(KubernetesClient client, Set<String> nodes, Path root) {
        LocalPathProvisioner provisioner = new LocalPathProvisioner(client, nodes, root);
        for (SharedIndexInformer<?> informer : java.util.List.of(provisioner.claims, provisioner.volumes)) {
            informer.start().whenComplete((ok, failure) -> {
                if (failure != null) {
                    LOG.errorf("local-path provisioner of %s: %s", nodes, failure.getMessage());
                }
            });
        }
        return provisioner;
    }

    private void claimChanged(PersistentVolumeClaim claim) {
        // A claim waiting for its retry is not provisioned early by its next update too: one chain of retries each.
        if (LocalPathVolumes.wanted(claim, nodes) && !provisioned.contains(claim.getMetadata().getUid())
                && !retries.containsKey(claimKey(claim))) {
            worker.execute(() -> provision(claimKey(claim)));
        }
    }

    private void volumeChanged(PersistentVolume volume) {
        if (LocalPathVolumes.reclaimable(volume, nodes) && !retries.containsKey(volumeKey(volume))) {
            worker.execute(() -> reclaim(volumeKey(volume)));
        }
    }

    /** Provisions the claim as the informer has it now (it may have been bound or deleted meanwhile). */
    private void provision(String key) {
        PersistentVolumeClaim claim = claims.getStore().getByKey(key);
        if (claim == null || !LocalPathVolumes.wanted(claim, nodes)
                || provisioned.contains(claim.getMetadata().getUid())) {
            return;
        }
        String className = claim.getSpec().getStorageClassName();
        String volume = LocalPathVolumes.name(claim);
        try {
            StorageClass storageClass = className == null || className.isEmpty() ? null
                    : client.storage().v1().storageClasses().withName(className).get();
            if (storageClass == null) {
                throw new IllegalArgumentException("storageclass.storage.k8s.io \"" + className + "\" not found");
            }
            if (!LocalPathVolumes.PROVISIONER.equals(storageClass.getProvisioner())) {
                throw new IllegalArgumentException("the class's provisioner is " + storageClass.getProvisioner()
                        + ", not " + LocalPathVolumes.PROVISIONER);
            }
            events.normal(claim, "Provisioning", "External provisioner is provisioning volume for claim \""
                    + key + "\"");
            PersistentVolume made = LocalPathVolumes.of(claim, storageClass, LocalPathVolumes.selectedNode(claim),
                    directories.create(volume));
            try {
                client.persistentVolumes().resource(made).create();
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409) {
                    throw e;
                }
                // Made before a crash or by a retry whose answer was lost: the volume is there, which is the point.
            }
            provisioned.add(claim.getMetadata().getUid());
            retries.remove(key);
            events.normal(claim, "ProvisioningSucceeded", "Successfully provisioned volume " + volume);
            LOG.infof("provisioned %s for claim %s in %s", volume, key, made.getSpec().getLocal().getPath());
        } catch (IOException | RuntimeException e) {
            events.warning(claim, "ProvisioningFailed", "failed to provision volume with StorageClass \""
                    + className + "\": " + e.getMessage());
            retry(key, () -> provision(key));
        }
    }

    /** Deletes the volume's directory, then the volume, as the informer has it now. */
    private void reclaim(String key) {
        PersistentVolume volume = volumes.getStore().getByKey(key);
        if (volume == null || !LocalPathVolumes.reclaimable(volume, nodes)) {
            return;
        }
        try {
            directories.remove(volume.getSpec().getLocal().getPath());
            client.persistentVolumes().withName(key).delete();
            retries.remove(key);
            LOG.infof("deleted volume %s and its directory %s", key, volume.getSpec().getLocal().getPath());
        } catch (IOException | RuntimeException e) {
            events.warning(volume, "VolumeFailedDelete", e.getMessage());
            retry(key, () -> reclaim(key));
        }
    }

    private void retry(String key, Runnable again) {
        Duration delay = retries.merge(key, FIRST_RETRY, (before, first) -> {
            Duration doubled = before.multipliedBy(2);
            return doubled.compareTo(LAST_RETRY) > 0 ? LAST_RETRY : doubled;
        });
        if (!worker.isShutdown()) {
            worker.schedule(again, delay.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private static String claimKey(PersistentVolumeClaim claim) {
        return claim.getMetadata().getNamespace() + "/" + claim.getMetadata().getName();
    }

    private static String volumeKey(PersistentVolume volume) {
        return volume.getMetadata().getName();
    }

    @Override
    public void close() {
        claims.close();
        volumes.close();
        worker.shutdownNow();
    }

    /** Hands adds and updates to one callback, deletes to another. */
    private record Handler<T>(java.util.function.Consumer<T> changed, java.util.function.Consumer<T> deleted)
            implements ResourceEventHandler<T> {
        @Override
        public void onAdd(T object) {
            changed.accept(object);
        }

        @Override
        public void onUpdate(T before, T object) {
            changed.accept(object);
        }

        @Override
        public void onDelete(T object, boolean unknownFinalState) {
            deleted.accept(object);
        }
    }
}
