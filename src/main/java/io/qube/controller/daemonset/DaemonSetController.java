package io.qube.controller.daemonset;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
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
import io.qube.controller.history.RevisionEvents;

import java.time.Clock;

/**
 * Kubernetes' DaemonSet controller. Handlers only enqueue DaemonSet keys: a pod's or revision's controller (for an
 * orphan, every DaemonSet selecting it), and for a node every DaemonSet whose placement on it changed;
 * {@link DaemonSetSync#sync} does the rest for one key from the informers' caches.
 */
public final class DaemonSetController implements Controller {

    static final String COMPONENT = "daemonset-controller";

    private final KubernetesClient client;
    private final ControllerQueue queue;
    private final Expectations expectations = new Expectations(Clock.systemUTC());
    private SharedIndexInformer<DaemonSet> daemonSets;

    public DaemonSetController(KubernetesClient client, int workers) {
        this.client = client;
        this.queue = new ControllerQueue(COMPONENT, workers);
    }

    @Override
    public void start(Informers informers) {
        daemonSets = informers.of(DaemonSet.class);
        daemonSets.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(DaemonSet set) {
                queue.addKeyOf(set);
            }

            @Override
            public void onUpdate(DaemonSet old, DaemonSet set) {
                queue.addKeyOf(set);
            }

            @Override
            public void onDelete(DaemonSet set, boolean finalStateUnknown) {
                expectations.forget(Cache.metaNamespaceKeyFunc(set));
                queue.addKeyOf(set);
            }
        });
        // Pods and revisions are both owned by a DaemonSet, and both resolve to it the same way.
        OwnedPods<DaemonSet> owned = new OwnedPods<>("apps/v1", "DaemonSet", daemonSets,
                set -> set.getSpec().getSelector(), expectations, queue::addKeyOf)
                .recheckWhenAvailable(RollingUpdate::minReadySeconds, queue);
        SharedIndexInformer<ControllerRevision> revisions = informers.of(ControllerRevision.class);
        revisions.addEventHandler(new RevisionEvents<>(owned, queue::addKeyOf));
        SharedIndexInformer<Pod> pods = informers.of(Pod.class);
        pods.addEventHandler(owned);
        SharedIndexInformer<Node> nodes = informers.of(Node.class);
        nodes.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Node node) {
                for (DaemonSet set : daemonSets.getIndexer().list()) {
                    if (DaemonNodes.placement(node, set).shouldRun()) {
                        queue.addKeyOf(set);
                    }
                }
            }

            @Override
            public void onUpdate(Node old, Node node) {
                if (!DaemonNodes.placementMayDiffer(old, node)) {
                    return;
                }
                for (DaemonSet set : daemonSets.getIndexer().list()) {
                    if (!DaemonNodes.placement(old, set).equals(DaemonNodes.placement(node, set))) {
                        queue.addKeyOf(set);
                    }
                }
            }

            @Override
            public void onDelete(Node node, boolean finalStateUnknown) {
                // Not in Kubernetes (its status waits for another event): the desired count drops now.
                queue.addAll(daemonSets);
            }
        });
        informers.awaitSynced();
        DaemonSetSync sync = new DaemonSetSync(client, daemonSets, revisions, pods, nodes, expectations,
                new EventRecorder(new ApiRequests(client), COMPONENT, COMPONENT));
        queue.start(sync::sync);
        queue.addAll(daemonSets);
    }

    @Override
    public void close() {
        queue.close();
    }
}
