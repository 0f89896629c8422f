package io.qube.controller.deployment;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.qube.client.ApiRequests;
import io.qube.client.EventRecorder;
import io.qube.client.WorkQueue;
import io.qube.controller.ControllerRefs;
import io.qube.controller.api.Controller;
import io.qube.scheduler.framework.Selectors;

import java.util.function.Consumer;

/**
 * Kubernetes' Deployment controller. Handlers only enqueue the key of the Deployment an event concerns: its own,
 * a ReplicaSet's controller (for an orphan, every Deployment selecting it), and for a deleted pod its
 * ReplicaSet's Deployment (Recreate waits for old pods to go); {@link DeploymentSync#sync} does the rest.
 */
public final class DeploymentController implements Controller {

    static final String COMPONENT = "deployment-controller";

    private final KubernetesClient client;
    private final int workers;
    /** Made once the informers have synced, as for the ReplicaSet controller. */
    private volatile WorkQueue<String> queue;
    private SharedIndexInformer<Deployment> deployments;
    private SharedIndexInformer<ReplicaSet> replicaSets;
    private SharedIndexInformer<Pod> pods;

    public DeploymentController(KubernetesClient client, int workers) {
        this.client = client;
        this.workers = workers;
    }

    @Override
    public void start() {
        deployments = client.apps().deployments().inAnyNamespace().inform(handler(this::enqueue), 0);
        replicaSets = client.apps().replicaSets().inAnyNamespace().inform(handler(this::enqueueFor), 0);
        pods = client.pods().inAnyNamespace().inform(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Pod pod) {
                // Only a pod going matters: Recreate waits for the old ones to be gone.
            }

            @Override
            public void onUpdate(Pod old, Pod pod) {
                // As for onAdd.
            }

            @Override
            public void onDelete(Pod pod, boolean finalStateUnknown) {
                String set = ControllerRefs.controllerName(pod, "apps/v1", "ReplicaSet");
                ReplicaSet owner = set == null ? null
                        : replicaSets.getIndexer().getByKey(pod.getMetadata().getNamespace() + "/" + set);
                if (owner != null) {
                    enqueueFor(owner);
                }
            }
        }, 0);
        DeploymentSync sync = new DeploymentSync(client, deployments, replicaSets, pods,
                new EventRecorder(new ApiRequests(client), COMPONENT, COMPONENT));
        queue = new WorkQueue<>(COMPONENT, workers, sync::sync);
        deployments.getIndexer().list().forEach(this::enqueue);
    }

    private static <T extends HasMetadata> ResourceEventHandler<T> handler(Consumer<T> enqueue) {
        return new ResourceEventHandler<>() {
            @Override
            public void onAdd(T object) {
                enqueue.accept(object);
            }

            @Override
            public void onUpdate(T old, T object) {
                enqueue.accept(object);
            }

            @Override
            public void onDelete(T object, boolean finalStateUnknown) {
                enqueue.accept(object);
            }
        };
    }

    private void enqueue(Deployment deployment) {
        WorkQueue<String> ready = queue;
        if (ready != null) {
            ready.add(Cache.metaNamespaceKeyFunc(deployment));
        }
    }

    /** A ReplicaSet's Deployment, or for an orphan every Deployment whose selector matches it. */
    private void enqueueFor(ReplicaSet set) {
        String owner = ControllerRefs.controllerName(set, "apps/v1", "Deployment");
        String namespace = set.getMetadata().getNamespace();
        if (owner != null) {
            Deployment deployment = deployments.getIndexer().getByKey(namespace + "/" + owner);
            if (deployment != null) {
                enqueue(deployment);
            }
            return;
        }
        if (ControllerRefs.controllerOf(set) != null) {
            return;
        }
        for (Deployment deployment : deployments.getIndexer().byIndex(Cache.NAMESPACE_INDEX, namespace)) {
            if (Selectors.matches(deployment.getSpec().getSelector(), set.getMetadata().getLabels())) {
                enqueue(deployment);
            }
        }
    }

    @Override
    public void close() {
        if (queue != null) {
            queue.close();
        }
        for (SharedIndexInformer<?> informer : new SharedIndexInformer<?>[] {deployments, replicaSets, pods}) {
            if (informer != null) {
                informer.close();
            }
        }
    }
}
