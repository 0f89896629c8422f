package io.qube.controller.volume;

import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.qube.client.StorageNames;
import io.qube.client.VolumeMatching;
import io.qube.client.WorkQueue;
import io.qube.controller.api.Controller;
import io.qube.controller.api.ControllerQueue;
import io.qube.controller.api.EnqueueHandler;
import io.qube.controller.api.Informers;

/**
 * Kubernetes' pv-protection controller: a volume being deleted loses its {@code kubernetes.io/pv-protection}
 * finalizer once it is not Bound, so a volume in use by a claim outlives its deletion until the claim lets go. The
 * apiserver adds the finalizer at create.
 */
public final class VolumeProtectionController implements Controller {

    static final String COMPONENT = "pv-protection-controller";

    private final KubernetesClient client;
    private final ControllerQueue queue;

    public VolumeProtectionController(KubernetesClient client, int workers) {
        this.client = client;
        this.queue = new ControllerQueue(COMPONENT, workers);
    }

    @Override
    public void start(Informers informers) {
        SharedIndexInformer<PersistentVolume> volumes = informers.of(PersistentVolume.class);
        volumes.addEventHandler(new EnqueueHandler<>(volume -> {
            if (StorageNames.deletionCandidate(volume, StorageNames.PV_PROTECTION)) {
                queue.addKeyOf(volume);
            }
        }));
        informers.awaitSynced();
        queue.start(name -> {
            PersistentVolume volume = volumes.getIndexer().getByKey(name);
            if (volume != null && StorageNames.deletionCandidate(volume, StorageNames.PV_PROTECTION)
                    && !"Bound".equals(VolumeMatching.phase(volume))) {
                PersistentVolume released = new PersistentVolumeBuilder(volume).build();
                released.getMetadata().getFinalizers().remove(StorageNames.PV_PROTECTION);
                client.persistentVolumes().resource(released).update();
            }
            return WorkQueue.Outcome.DONE; // its phase changing enqueues it again
        });
        queue.addAll(volumes);
    }


    @Override
    public void close() {
        queue.close();
    }
}
