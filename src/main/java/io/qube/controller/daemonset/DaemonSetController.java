package io.qube.controller.daemonset;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.qube.client.ApiRequests;
import io.qube.client.EventRecorder;
import io.qube.client.Selectors;
import io.qube.client.WorkQueue;
import io.qube.controller.ActivePods;
import io.qube.controller.ControllerRefs;
import io.qube.controller.Expectations;
import io.qube.controller.api.Controller;
import io.qube.controller.api.Informers;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * Kubernetes' DaemonSet controller. Handlers only enqueue DaemonSet keys: a pod's or revision's controller (for an
 * orphan, every DaemonSet selecting it), and for a node every DaemonSet whose placement on it changed;
 * {@link DaemonSetSync#sync} does the rest for one key from the informers' caches.
 */
public final class DaemonSetController implements Controller {

    static final String COMPONENT = "daemonset-controller";

    private final KubernetesClient client;
    private final int workers;
    /** Made once the informers have synced, as for the ReplicaSet controller. */
    private volatile WorkQueue<String> queue;
    private final Expectations expectations = new Expectations(Clock.systemUTC());
    private SharedIndexInformer<DaemonSet> daemonSets;

    public DaemonSetController(KubernetesClient client, int workers) {
        this.client = client;
        this.workers = workers;
    }

    @Override
    public void start(Informers informers) {
        daemonSets = informers.of(DaemonSet.class);
        daemonSets.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(DaemonSet set) {
                enqueue(set);
            }

            @Override
            public void onUpdate(DaemonSet old, DaemonSet set) {
                enqueue(set);
            }

            @Override
            public void onDelete(DaemonSet set, boolean finalStateUnknown) {
                expectations.forget(Cache.metaNamespaceKeyFunc(set));
                enqueue(set);
            }
        });
        SharedIndexInformer<ControllerRevision> revisions = informers.of(ControllerRevision.class);
        revisions.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(ControllerRevision revision) {
                enqueueFor(revision);
            }

            @Override
            public void onUpdate(ControllerRevision old, ControllerRevision revision) {
                enqueueOldOwner(old, revision);
                enqueueFor(revision);
            }

            @Override
            public void onDelete(ControllerRevision revision, boolean finalStateUnknown) {
                enqueueOwner(revision);
            }
        });
        SharedIndexInformer<Pod> pods = informers.of(Pod.class);
        pods.addEventHandler(podHandler());
        SharedIndexInformer<Node> nodes = informers.of(Node.class);
        nodes.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Node node) {
                for (DaemonSet set : daemonSets.getIndexer().list()) {
                    if (DaemonNodes.placement(node, set).shouldRun()) {
                        enqueue(set);
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
                        enqueue(set);
                    }
                }
            }

            @Override
            public void onDelete(Node node, boolean finalStateUnknown) {
                // Not in Kubernetes (its status waits for another event): the desired count drops now.
                daemonSets.getIndexer().list().forEach(DaemonSetController.this::enqueue);
            }
        });
        informers.awaitSynced();
        DaemonSetSync sync = new DaemonSetSync(client, daemonSets, revisions, pods, nodes, expectations,
                new EventRecorder(new ApiRequests(client), COMPONENT, COMPONENT));
        queue = new WorkQueue<>(COMPONENT, workers, sync::sync);
        daemonSets.getIndexer().list().forEach(this::enqueue);
    }

    private ResourceEventHandler<Pod> podHandler() {
        return new ResourceEventHandler<>() {
            @Override
            public void onAdd(Pod pod) {
                if (pod.getMetadata().getDeletionTimestamp() != null) {
                    onDelete(pod, false);
                    return;
                }
                DaemonSet owner = owner(pod);
                if (owner != null) {
                    expectations.creationObserved(Cache.metaNamespaceKeyFunc(owner));
                    enqueue(owner);
                } else if (ControllerRefs.controllerOf(pod) == null) {
                    enqueueSelecting(pod);
                }
            }

            @Override
            public void onUpdate(Pod old, Pod pod) {
                if (Objects.equals(old.getMetadata().getResourceVersion(), pod.getMetadata().getResourceVersion())) {
                    return;
                }
                if (pod.getMetadata().getDeletionTimestamp() != null) {
                    onDelete(pod, false);
                    return;
                }
                enqueueOldOwner(old, pod);
                DaemonSet owner = owner(pod);
                if (owner != null) {
                    enqueue(owner);
                    int minReadySeconds = RollingUpdate.minReadySeconds(owner);
                    if (minReadySeconds > 0 && !ActivePods.isReady(old) && ActivePods.isReady(pod)) {
                        // It becomes available later with no event to say so; a second's margin for clock skew.
                        enqueueAfter(owner, Duration.ofSeconds(minReadySeconds + 1L));
                    }
                } else if (ControllerRefs.controllerOf(pod) == null) {
                    enqueueSelecting(pod);
                }
            }

            @Override
            public void onDelete(Pod pod, boolean finalStateUnknown) {
                DaemonSet owner = owner(pod);
                if (owner != null) {
                    expectations.deletionObserved(Cache.metaNamespaceKeyFunc(owner), Cache.metaNamespaceKeyFunc(pod));
                    enqueue(owner);
                }
            }
        };
    }

    /** The DaemonSet that controls the object, if it still exists with the UID the reference names. */
    private DaemonSet owner(HasMetadata object) {
        return resolve(object.getMetadata().getNamespace(), ControllerRefs.controllerOf(object));
    }

    private DaemonSet resolve(String namespace, OwnerReference reference) {
        if (reference == null || !"DaemonSet".equals(reference.getKind())) {
            return null;
        }
        DaemonSet set = daemonSets.getIndexer().getByKey(namespace + "/" + reference.getName());
        return set != null && Objects.equals(set.getMetadata().getUid(), reference.getUid()) ? set : null;
    }

    private void enqueueFor(ControllerRevision revision) {
        DaemonSet owner = owner(revision);
        if (owner != null) {
            enqueue(owner);
        } else if (ControllerRefs.controllerOf(revision) == null) {
            enqueueSelecting(revision);
        }
    }

    private void enqueueOwner(HasMetadata object) {
        DaemonSet owner = owner(object);
        if (owner != null) {
            enqueue(owner);
        }
    }

    /** A controller reference changed: the former controller has lost something. */
    private void enqueueOldOwner(HasMetadata old, HasMetadata object) {
        OwnerReference before = ControllerRefs.controllerOf(old);
        if (before != null && !before.equals(ControllerRefs.controllerOf(object))) {
            DaemonSet former = resolve(old.getMetadata().getNamespace(), before);
            if (former != null) {
                enqueue(former);
            }
        }
    }

    /** An orphan: every DaemonSet that could adopt it. */
    private void enqueueSelecting(HasMetadata orphan) {
        for (DaemonSet set : daemonSets.getIndexer().byIndex(Cache.NAMESPACE_INDEX,
                orphan.getMetadata().getNamespace())) {
            if (Selectors.matches(set.getSpec().getSelector(), orphan.getMetadata().getLabels())) {
                enqueue(set);
            }
        }
    }

    private void enqueue(DaemonSet set) {
        WorkQueue<String> ready = queue;
        if (ready != null) {
            ready.add(Cache.metaNamespaceKeyFunc(set));
        }
    }

    private void enqueueAfter(DaemonSet set, Duration delay) {
        WorkQueue<String> ready = queue;
        if (ready != null) {
            ready.addAfter(Cache.metaNamespaceKeyFunc(set), delay);
        }
    }

    @Override
    public void close() {
        if (queue != null) {
            queue.close();
        }
    }
}
