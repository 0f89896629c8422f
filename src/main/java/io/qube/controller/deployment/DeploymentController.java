package io.qube.controller.deployment;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.qube.client.ApiRequests;
import io.qube.client.EventRecorder;
import io.qube.controller.ControllerRefs;
import io.qube.controller.OwnedPods;
import io.qube.controller.api.Controller;
import io.qube.controller.api.ControllerQueue;
import io.qube.controller.api.DeleteHandler;
import io.qube.controller.api.EnqueueHandler;
import io.qube.controller.api.Informers;
import io.qube.client.Selectors;

/**
 * Kubernetes' Deployment controller. Handlers only enqueue the key of the Deployment an event concerns: its own,
 * a ReplicaSet's controller (for an orphan, every Deployment selecting it), and for a deleted pod its
 * ReplicaSet's Deployment (Recreate waits for old pods to go); {@link DeploymentSync#sync} does the rest.
 */
public final class DeploymentController implements Controller {

    static final String COMPONENT = "deployment-controller";

    private final KubernetesClient client;
    private final ControllerQueue queue;
    private SharedIndexInformer<Deployment> deployments;
    private SharedIndexInformer<ReplicaSet> replicaSets;

    public DeploymentController(KubernetesClient client, int workers) {
        this.client = client;
        this.queue = new ControllerQueue(COMPONENT, workers);
    }

    @Override
    public void start(Informers informers) {
        deployments = informers.of(Deployment.class);
        deployments.addEventHandler(new EnqueueHandler<>(queue::addKeyOf));
        replicaSets = informers.of(ReplicaSet.class);
        replicaSets.addEventHandler(new EnqueueHandler<>(this::enqueueFor));
        SharedIndexInformer<Pod> pods = informers.of(Pod.class);
        // Only a pod going matters: Recreate waits for the old ones to be gone. The Deployment keeps no pod
        // expectations of its own; its ReplicaSets do.
        OwnedPods<ReplicaSet> replicaSetPods = new OwnedPods<>("apps/v1", "ReplicaSet", replicaSets,
                set -> set.getSpec().getSelector(), null, this::enqueueFor);
        pods.addEventHandler(new DeleteHandler<>(pod -> replicaSetPods.onDelete(pod, false)));
        informers.awaitSynced();
        DeploymentSync sync = new DeploymentSync(client, deployments, replicaSets, pods,
                new EventRecorder(new ApiRequests(client), COMPONENT, COMPONENT));
        queue.start(sync::sync);
        queue.addAll(deployments);
    }

    /** A ReplicaSet's Deployment, or for an orphan every Deployment whose selector matches it. */
    private void enqueueFor(ReplicaSet set) {
        String owner = ControllerRefs.controllerName(set, "apps/v1", "Deployment");
        String namespace = set.getMetadata().getNamespace();
        if (owner != null) {
            Deployment deployment = deployments.getIndexer().getByKey(namespace + "/" + owner);
            if (deployment != null) {
                queue.addKeyOf(deployment);
            }
            return;
        }
        if (ControllerRefs.controllerOf(set) != null) {
            return;
        }
        for (Deployment deployment : deployments.getIndexer().byIndex(Cache.NAMESPACE_INDEX, namespace)) {
            if (Selectors.matches(deployment.getSpec().getSelector(), set.getMetadata().getLabels())) {
                queue.addKeyOf(deployment);
            }
        }
    }

    @Override
    public void close() {
        queue.close();
    }
}
