package io.qube.controller.statefulset;

import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.qube.client.ApiRequests;
import io.qube.client.EventRecorder;
import io.qube.controller.Expectations;
import io.qube.controller.OwnedPods;
import io.qube.controller.api.Controller;
import io.qube.controller.api.ControllerQueue;
import io.qube.controller.api.EnqueueHandler;
import io.qube.controller.api.Informers;
import io.qube.controller.history.RevisionEvents;

import java.time.Clock;

/**
 * Kubernetes' StatefulSet controller. Handlers only enqueue StatefulSet keys: a pod's or revision's controller
 * (for an orphan, every StatefulSet selecting it); {@link StatefulSetSync#sync} does the rest for one key from the
 * informers' caches. Claims are read from their informer and never watched for changes, as in Kubernetes.
 */
public final class StatefulSetController implements Controller {

    static final String COMPONENT = "statefulset-controller";

    private final KubernetesClient client;
    private final ControllerQueue queue;
    private final Expectations expectations = new Expectations(Clock.systemUTC());

    public StatefulSetController(KubernetesClient client, int workers) {
        this.client = client;
        this.queue = new ControllerQueue(COMPONENT, workers);
    }

    @Override
    public void start(Informers informers) {
        SharedIndexInformer<StatefulSet> sets = informers.of(StatefulSet.class);
        // A deleted set's expectations are forgotten by its next sync, which finds it gone.
        sets.addEventHandler(new EnqueueHandler<>(queue::addKeyOf));
        OwnedPods<StatefulSet> owned = new OwnedPods<>("apps/v1", "StatefulSet", sets,
                set -> set.getSpec().getSelector(), expectations, queue::addKeyOf)
                .recheckWhenAvailable(Replicas::minReadySeconds, queue);
        SharedIndexInformer<ControllerRevision> revisions = informers.of(ControllerRevision.class);
        revisions.addEventHandler(new RevisionEvents<>(owned, queue::addKeyOf));
        SharedIndexInformer<Pod> pods = informers.of(Pod.class);
        pods.addEventHandler(owned);
        SharedIndexInformer<PersistentVolumeClaim> claims = informers.of(PersistentVolumeClaim.class);
        informers.awaitSynced();
        StatefulSetSync sync = new StatefulSetSync(client, sets, pods, revisions, claims, expectations,
                new EventRecorder(new ApiRequests(client), COMPONENT, COMPONENT));
        queue.start(sync::sync);
        queue.addAll(sets);
    }

    @Override
    public void close() {
        queue.close();
    }
}
