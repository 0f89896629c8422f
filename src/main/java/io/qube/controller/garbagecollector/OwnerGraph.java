package io.qube.controller.garbagecollector;

import io.fabric8.kubernetes.api.model.OwnerReference;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Every watched object by uid, and for every uid the objects that name it as an owner, kept by the informers'
 * handlers as Kubernetes' graph builder keeps its graph. An owner the informers have not brought (yet, or ever)
 * is simply absent: whoever asks checks it against the API.
 */
final class OwnerGraph {

    private final Map<String, GraphNode> nodes = new HashMap<>();
    private final Map<String, Set<String>> dependents = new HashMap<>();

    /** Records the object's current state; the previous state's owner links are replaced. */
    synchronized GraphNode put(GraphNode node) {
        GraphNode old = nodes.put(node.uid(), node);
        if (old != null) {
            unlink(old);
        }
        for (OwnerReference owner : node.owners()) {
            dependents.computeIfAbsent(owner.getUid(), u -> new HashSet<>()).add(node.uid());
        }
        return old;
    }

    synchronized void remove(String uid) {
        GraphNode old = nodes.remove(uid);
        if (old != null) {
            unlink(old);
        }
    }

    synchronized GraphNode get(String uid) {
        return nodes.get(uid);
    }

    /** The known objects that name this uid as an owner. */
    synchronized List<GraphNode> dependentsOf(String ownerUid) {
        Set<String> uids = dependents.get(ownerUid);
        return uids == null ? List.of() : uids.stream().map(nodes::get).filter(n -> n != null).toList();
    }

    synchronized List<String> uids() {
        return List.copyOf(nodes.keySet());
    }

    private void unlink(GraphNode node) {
        for (OwnerReference owner : node.owners()) {
            Set<String> uids = dependents.get(owner.getUid());
            if (uids != null) {
                uids.remove(node.uid());
                if (uids.isEmpty()) {
                    dependents.remove(owner.getUid());
                }
            }
        }
    }
}
