package io.qube.scheduler;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.qube.scheduler.cache.SchedulerCache;
import io.qube.scheduler.framework.ClusterEvent;
import io.qube.scheduler.framework.PodInfo;
import io.qube.scheduler.queue.Nominations;
import io.qube.scheduler.queue.SchedulingQueue;

import java.util.Objects;

/**
 * What the informers' events mean to the scheduler. A bound pod goes to the cache; a pending pod this scheduler
 * is responsible for goes to the queue; and any change that may let unschedulable pods fit moves them back to be
 * tried. Handlers only update the cache and the queue; scheduling happens on the scheduling thread.
 */
final class ClusterEvents {

    private final String schedulerName;
    private final SchedulerCache cache;
    private final SchedulingQueue queue;
    private final Nominations nominations;

    ClusterEvents(String schedulerName, SchedulerCache cache, SchedulingQueue queue, Nominations nominations) {
        this.schedulerName = schedulerName;
        this.cache = cache;
        this.queue = queue;
        this.nominations = nominations;
    }

    ResourceEventHandler<Pod> pods() {
        return new ResourceEventHandler<>() {
            @Override
            public void onAdd(Pod pod) {
                podChanged(null, pod);
            }

            @Override
            public void onUpdate(Pod old, Pod pod) {
                podChanged(old, pod);
            }

            @Override
            public void onDelete(Pod pod, boolean finalStateUnknown) {
                podGone(pod);
            }
        };
    }

    private void podChanged(Pod old, Pod pod) {
        PodInfo info = new PodInfo(pod);
        if (info.isAssigned()) {
            queue.delete(info.key());
            nominations.remove(info.key());
            if (terminal(pod)) {
                // A finished pod's resources are free again.
                cache.removePod(info.key());
                queue.onEvent(ClusterEvent.ASSIGNED_POD_DELETED);
                return;
            }
            boolean added = old == null || !new PodInfo(old).isAssigned();
            cache.addPod(info);
            queue.onEvent(added ? ClusterEvent.ASSIGNED_POD_ADDED : ClusterEvent.ASSIGNED_POD_CHANGED);
        } else if (responsible(pod)) {
            nominations.nominate(info, null);
            queue.add(info);
        } else {
            queue.delete(info.key());
            nominations.remove(info.key());
        }
    }

    private void podGone(Pod pod) {
        PodInfo info = new PodInfo(pod);
        queue.delete(info.key());
        nominations.remove(info.key());
        if (cache.contains(info.key())) {
            cache.removePod(info.key());
            queue.onEvent(ClusterEvent.ASSIGNED_POD_DELETED);
        }
    }

    private boolean responsible(Pod pod) {
        String name = pod.getSpec().getSchedulerName();
        return (name == null || name.isEmpty() ? "default-scheduler" : name).equals(schedulerName)
                && pod.getMetadata().getDeletionTimestamp() == null && !terminal(pod);
    }

    private static boolean terminal(Pod pod) {
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        return "Succeeded".equals(phase) || "Failed".equals(phase);
    }

    ResourceEventHandler<Node> nodes() {
        return new ResourceEventHandler<>() {
            @Override
            public void onAdd(Node node) {
                cache.addOrUpdateNode(node);
                queue.onEvent(ClusterEvent.NODE_ADDED);
            }

            @Override
            public void onUpdate(Node old, Node node) {
                cache.addOrUpdateNode(node);
                // Heartbeats change only conditions' times; only what scheduling reads may help a pending pod.
                if (!Objects.equals(old.getSpec(), node.getSpec())
                        || !Objects.equals(old.getMetadata().getLabels(), node.getMetadata().getLabels())
                        || !Objects.equals(allocatable(old), allocatable(node))) {
                    queue.onEvent(ClusterEvent.NODE_CHANGED);
                }
            }

            @Override
            public void onDelete(Node node, boolean finalStateUnknown) {
                cache.removeNode(node.getMetadata().getName());
                queue.onEvent(ClusterEvent.NODE_DELETED);
            }
        };
    }

    private static Object allocatable(Node node) {
        return node.getStatus() == null ? null : node.getStatus().getAllocatable();
    }

    /**
     * Claims and volumes: any addition or change may let a pod's claims bind, so it moves the pods volume binding
     * rejected; every event, deletions too, is {@code seen} by binding cycles waiting for their claims.
     */
    <T extends HasMetadata> ResourceEventHandler<T> storageObjects(ClusterEvent event, Runnable seen) {
        return new ResourceEventHandler<>() {
            @Override
            public void onAdd(T object) {
                seen.run();
                queue.onEvent(event);
            }

            @Override
            public void onUpdate(T old, T object) {
                seen.run();
                queue.onEvent(event);
            }

            @Override
            public void onDelete(T object, boolean finalStateUnknown) {
                seen.run();
            }
        };
    }

    /** A new class, or new allowedTopologies (the only part of a class that may change), may let a claim bind. */
    ResourceEventHandler<StorageClass> storageClasses() {
        return new ResourceEventHandler<>() {
            @Override
            public void onAdd(StorageClass storageClass) {
                queue.onEvent(ClusterEvent.STORAGE_CLASS_CHANGED);
            }

            @Override
            public void onUpdate(StorageClass old, StorageClass storageClass) {
                if (!Objects.equals(old.getAllowedTopologies(), storageClass.getAllowedTopologies())) {
                    queue.onEvent(ClusterEvent.STORAGE_CLASS_CHANGED);
                }
            }

            @Override
            public void onDelete(StorageClass storageClass, boolean finalStateUnknown) {
                // Fewer classes let no pod fit.
            }
        };
    }

    ResourceEventHandler<Namespace> namespaces() {
        return new ResourceEventHandler<>() {
            @Override
            public void onAdd(Namespace namespace) {
                queue.onEvent(ClusterEvent.NAMESPACE_CHANGED);
            }

            @Override
            public void onUpdate(Namespace old, Namespace namespace) {
                if (!Objects.equals(old.getMetadata().getLabels(), namespace.getMetadata().getLabels())) {
                    queue.onEvent(ClusterEvent.NAMESPACE_CHANGED);
                }
            }

            @Override
            public void onDelete(Namespace namespace, boolean finalStateUnknown) {
                // Pods in it go too; their deletions are the events that matter.
            }
        };
    }
}
