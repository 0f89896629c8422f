package io.qube.controller.volume;

import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.qube.client.ApiRequests;
import io.qube.client.EventRecorder;
import io.qube.client.StorageNames;
import io.qube.client.VolumeMatching;
import io.qube.controller.api.Controller;
import io.qube.controller.api.ControllerQueue;
import io.qube.controller.api.EnqueueHandler;
import io.qube.controller.api.Informers;

import java.util.function.Predicate;

/**
 * kube-controller-manager's persistentvolume controller (the binder, with the expander's part for local-path
 * volumes): two queues as there, one of claims ({@link ClaimSync}) and one of volumes ({@link VolumeSync}). A volume
 * event also wakes its claim, and a free volume or a changed class the claims still unbound, so that binding does not
 * wait for the periodic look at Pending claims.
 */
public final class PersistentVolumeController implements Controller {

    static final String COMPONENT = "persistentvolume-controller";

    private final KubernetesClient client;
    private final ControllerQueue claimQueue;
    private final ControllerQueue volumeQueue;

    public PersistentVolumeController(KubernetesClient client, int workers) {
        this.client = client;
        this.claimQueue = new ControllerQueue(COMPONENT + "-claims", workers);
        this.volumeQueue = new ControllerQueue(COMPONENT + "-volumes", workers);
    }

    @Override
    public void start(Informers informers) {
        SharedIndexInformer<PersistentVolumeClaim> claims = informers.of(PersistentVolumeClaim.class);
        SharedIndexInformer<PersistentVolume> volumes = informers.of(PersistentVolume.class);
        SharedIndexInformer<StorageClass> classes = informers.of(StorageClass.class);
        SharedIndexInformer<Pod> pods = informers.of(Pod.class);
        claims.addEventHandler(new EnqueueHandler<>(claim -> {
            claimQueue.addKeyOf(claim);
            String volume = claim.getSpec().getVolumeName();
            if (volume != null && !volume.isEmpty()) {
                volumeQueue.add(volume);
            }
        }));
        volumes.addEventHandler(new EnqueueHandler<>(volume -> {
            volumeQueue.addKeyOf(volume);
            var ref = volume.getSpec().getClaimRef();
            if (ref != null) {
                claimQueue.add(ref.getNamespace() + "/" + ref.getName());
            } else {
                addUnboundClaims(claims, claim -> true);
            }
        }));
        classes.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(StorageClass storageClass) {
                // Its claims, and those without a class, which a new default class is for.
                addUnboundClaims(claims, claim -> claim.getSpec().getStorageClassName() == null
                        || VolumeMatching.claimClass(claim).equals(storageClass.getMetadata().getName()));
            }

            @Override
            public void onUpdate(StorageClass old, StorageClass storageClass) {
                onAdd(storageClass);
            }

            @Override
            public void onDelete(StorageClass storageClass, boolean finalStateUnknown) {
                // Claims waiting on a class keep waiting; their periodic look says it is gone.
            }
        });
        informers.awaitSynced();
        EventRecorder events = new EventRecorder(new ApiRequests(client), COMPONENT, COMPONENT);
        BindingWrites writes = new BindingWrites(client, events);
        ClaimSync claimSync = new ClaimSync(client, claims, volumes, classes, pods, writes, events);
        VolumeSync volumeSync = new VolumeSync(client, volumes, claims, writes, events, claimQueue::add);
        claimQueue.start(claimSync::sync);
        volumeQueue.start(volumeSync::sync);
        claimQueue.addAll(claims);
        volumeQueue.addAll(volumes);
    }

    private void addUnboundClaims(SharedIndexInformer<PersistentVolumeClaim> claims,
                                  Predicate<PersistentVolumeClaim> which) {
        for (PersistentVolumeClaim claim : claims.getIndexer().list()) {
            if (!ClaimSync.annotations(claim).containsKey(StorageNames.BIND_COMPLETED) && which.test(claim)) {
                claimQueue.addKeyOf(claim);
            }
        }
    }

    @Override
    public void close() {
        claimQueue.close();
        volumeQueue.close();
    }
}
