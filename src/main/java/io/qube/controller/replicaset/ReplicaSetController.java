package io.qube.controller.replicaset;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.qube.client.ApiRequests;
import io.qube.client.EventRecorder;
import io.qube.controller.Expectations;
import io.qube.controller.OwnedPods;
import io.qube.controller.api.Controller;
import io.qube.controller.api.ControllerQueue;
import io.qube.controller.api.Informers;

import java.time.Clock;

/**
 * Kubernetes' ReplicaSet controller. Handlers only enqueue the key of the ReplicaSet an event concerns (a pod's
 * controller, or for an orphan every ReplicaSet whose selector matches it); {@link ReplicaSetSync#sync} does the
 * rest for one key, idempotently, from the informers' caches.
 */
public final class ReplicaSetController implements Controller {

    static final String COMPONENT = "replicaset-controller";

    private final KubernetesClient client;
    private final ControllerQueue queue;
    private final Expectations expectations = new Expectations(Clock.systemUTC());
    private SharedIndexInformer<ReplicaSet> replicaSets;
    private SharedIndexInformer<Pod> pods;

    public ReplicaSetController(KubernetesClient client, int workers) {
        this.client = client;
        this.queue = new ControllerQueue(COMPONENT, workers);
    }

    @Override
    public void start(Informers informers) {
        replicaSets = informers.of(ReplicaSet.class);
        replicaSets.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(ReplicaSet set) {
                queue.addKeyOf(set);
            }

            @Override
            public void onUpdate(ReplicaSet old, ReplicaSet set) {
                queue.addKeyOf(set);
            }

            @Override
            public void onDelete(ReplicaSet set, boolean finalStateUnknown) {
                String key = Cache.metaNamespaceKeyFunc(set);
                expectations.forget(key);
                queue.add(key);
            }
        });
        pods = informers.of(Pod.class);
        pods.addEventHandler(new OwnedPods<>("apps/v1", "ReplicaSet", replicaSets, set -> set.getSpec().getSelector(),
                expectations, queue::addKeyOf));
        informers.awaitSynced();
        ReplicaSetSync sync = new ReplicaSetSync(client, replicaSets, pods, expectations,
                new EventRecorder(new ApiRequests(client), COMPONENT, COMPONENT));
        queue.start(sync::sync);
        queue.addAll(replicaSets);
    }

    @Override
    public void close() {
        queue.close();
    }
}
