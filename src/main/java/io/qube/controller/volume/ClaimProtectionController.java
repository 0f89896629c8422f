package io.qube.controller.volume;

import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.qube.client.StorageNames;
import io.qube.client.WorkQueue;
import io.qube.controller.api.Controller;
import io.qube.controller.api.ControllerQueue;
import io.qube.controller.api.EnqueueHandler;
import io.qube.controller.api.Informers;

import java.util.Objects;

/**
 * Kubernetes' pvc-protection controller: a claim being deleted loses its {@code kubernetes.io/pvc-protection}
 * finalizer (so the apiserver removes it) once no pod may still have its volume mounted ({@link ClaimUsers#mayUse}).
 * The informer's pods are asked first; when none uses the claim, a live list of the namespace's pods confirms it, since
 * a pod created a moment ago may not be in the cache yet. The apiserver adds the finalizer at create.
 */
public final class ClaimProtectionController implements Controller {

    static final String COMPONENT = "pvc-protection-controller";

    private final KubernetesClient client;
    private final ControllerQueue queue;

    public ClaimProtectionController(KubernetesClient client, int workers) {
        this.client = client;
        this.queue = new ControllerQueue(COMPONENT, workers);
    }

    @Override
    public void start(Informers informers) {
        SharedIndexInformer<PersistentVolumeClaim> claims = informers.of(PersistentVolumeClaim.class);
        SharedIndexInformer<Pod> pods = informers.of(Pod.class);
        claims.addEventHandler(new EnqueueHandler<>(claim -> {
            if (StorageNames.deletionCandidate(claim, StorageNames.PVC_PROTECTION)) {
                queue.addKeyOf(claim);
            }
        }));
        pods.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Pod pod) {
                // A new pod frees no claim.
            }

            @Override
            public void onUpdate(Pod old, Pod pod) {
                if (!Objects.equals(old.getMetadata().getUid(), pod.getMetadata().getUid())) {
                    addClaimsOf(old); // the update hides a deletion and a new pod of the same name
                }
                addClaimsOf(pod);
            }

            @Override
            public void onDelete(Pod pod, boolean finalStateUnknown) {
                addClaimsOf(pod);
            }
        });
        informers.awaitSynced();
        queue.start(key -> sync(key, claims, pods));
        queue.addAll(claims);
    }

    private void addClaimsOf(Pod pod) {
        ClaimUsers.claimNames(pod).forEach(name -> queue.add(pod.getMetadata().getNamespace() + "/" + name));
    }

    private WorkQueue.Outcome sync(String key, SharedIndexInformer<PersistentVolumeClaim> claims,
                                   SharedIndexInformer<Pod> pods) {
        PersistentVolumeClaim claim = claims.getIndexer().getByKey(key);
        if (claim == null || !StorageNames.deletionCandidate(claim, StorageNames.PVC_PROTECTION) || used(claim, pods)) {
            return WorkQueue.Outcome.DONE; // a pod that stops using it enqueues it again
        }
        PersistentVolumeClaim released = new PersistentVolumeClaimBuilder(claim).build();
        released.getMetadata().getFinalizers().remove(StorageNames.PVC_PROTECTION);
        client.persistentVolumeClaims().inNamespace(claim.getMetadata().getNamespace()).resource(released).update();
        return WorkQueue.Outcome.DONE;
    }

    private boolean used(PersistentVolumeClaim claim, SharedIndexInformer<Pod> pods) {
        String namespace = claim.getMetadata().getNamespace();
        if (pods.getIndexer().byIndex(Cache.NAMESPACE_INDEX, namespace).stream()
                .anyMatch(pod -> ClaimUsers.mayUse(pod, claim))) {
            return true;
        }
        return client.pods().inNamespace(namespace).list().getItems().stream()
                .anyMatch(pod -> ClaimUsers.mayUse(pod, claim));
    }


    @Override
    public void close() {
        queue.close();
    }
}
