package io.qube.scheduler.cache;

import io.fabric8.kubernetes.api.model.Node;
import io.qube.scheduler.framework.NodeInfo;
import io.qube.scheduler.framework.PodInfo;
import io.qube.scheduler.framework.Snapshot;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The scheduler's picture of the cluster: every node with the pods on it, bound (from the informer) or assumed
 * (placed by this scheduler, binding not yet seen). Assuming lets the next cycle count a pod at once instead of
 * after its binding's round trip; a binding that fails is forgotten. Informer threads write; the scheduling thread
 * copies what changed into its snapshot before each cycle.
 */
public final class SchedulerCache {

    private record PodState(PodInfo pod, boolean assumed) {
    }

    private final Map<String, NodeInfo> nodes = new LinkedHashMap<>();
    private final Map<String, PodState> pods = new HashMap<>();
    /** Nodes changed since the last snapshot. */
    private final Set<String> dirty = new LinkedHashSet<>();
    private boolean nodeSetChanged;

    public synchronized void addOrUpdateNode(Node node) {
        String name = node.getMetadata().getName();
        NodeInfo info = nodes.computeIfAbsent(name, NodeInfo::new);
        if (info.node() == null) {
            nodeSetChanged = true;
        }
        info.setNode(node);
        dirty.add(name);
    }

    public synchronized void removeNode(String name) {
        NodeInfo info = nodes.get(name);
        if (info == null) {
            return;
        }
        // Pods still bound to it keep it as a nameless entry until they are gone too.
        if (info.pods().isEmpty()) {
            nodes.remove(name);
        } else {
            info.clearNode();
        }
        nodeSetChanged = true;
        dirty.add(name);
    }

    /** A bound pod from the informer; confirms the assumption when it is one this scheduler made. */
    public synchronized void addPod(PodInfo pod) {
        PodState current = pods.get(pod.key());
        if (current != null) {
            remove(current.pod());
        }
        place(pod);
        pods.put(pod.key(), new PodState(pod, false));
    }

    public synchronized void updatePod(PodInfo pod) {
        addPod(pod);
    }

    public synchronized void removePod(String key) {
        PodState current = pods.remove(key);
        if (current != null) {
            remove(current.pod());
        }
    }

    /** Counts the pod on its chosen node (pod.nodeName()) before the API knows. */
    public synchronized void assume(PodInfo pod) {
        if (pods.containsKey(pod.key())) {
            throw new IllegalStateException("pod " + pod.key() + " is already in the cache");
        }
        place(pod);
        pods.put(pod.key(), new PodState(pod, true));
    }

    /** Undoes an assumption whose binding failed; a pod the informer has meanwhile seen bound stays. */
    public synchronized void forget(String key) {
        PodState current = pods.get(key);
        if (current != null && current.assumed()) {
            pods.remove(key);
            remove(current.pod());
        }
    }

    public synchronized boolean isAssumed(String key) {
        PodState current = pods.get(key);
        return current != null && current.assumed();
    }

    public synchronized boolean contains(String key) {
        return pods.containsKey(key);
    }

    private void place(PodInfo pod) {
        NodeInfo info = nodes.computeIfAbsent(pod.nodeName(), NodeInfo::new);
        info.addPod(pod);
        dirty.add(info.name());
    }

    private void remove(PodInfo pod) {
        NodeInfo info = nodes.get(pod.nodeName());
        if (info == null) {
            return;
        }
        info.removePod(pod.key());
        dirty.add(info.name());
        if (info.node() == null && info.pods().isEmpty()) {
            nodes.remove(info.name());
        }
    }

    public synchronized int nodeCount() {
        return (int) nodes.values().stream().filter(n -> n.node() != null).count();
    }

    /**
     * Brings the snapshot up to date: copies in the nodes changed since the last call, and rebuilds its lists only
     * when nodes came or went or a changed node gained or lost pods with affinity terms.
     */
    public synchronized void updateSnapshot(Snapshot snapshot) {
        boolean relist = nodeSetChanged;
        for (String name : dirty) {
            NodeInfo current = nodes.get(name);
            NodeInfo copy = snapshot.get(name);
            if (current == null || current.node() == null) {
                relist |= snapshot.remove(name);
                continue;
            }
            if (copy == null) {
                snapshot.put(current.copy());
                relist = true;
                continue;
            }
            snapshot.refresh(copy, current);
        }
        dirty.clear();
        nodeSetChanged = false;
        if (relist) {
            List<NodeInfo> ordered = new ArrayList<>();
            for (String name : nodes.keySet()) {
                NodeInfo copy = snapshot.get(name);
                if (copy != null) {
                    ordered.add(copy);
                }
            }
            snapshot.relist(ordered);
        }
    }
}
