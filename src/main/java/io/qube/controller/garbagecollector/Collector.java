package io.qube.controller.garbagecollector;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.qube.client.WorkQueue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * One object's turn, idempotent: an owner deleted with Orphan frees its dependents and then lets go of its
 * finalizer; an owner deleted with Foreground has its dependents deleted and lets go once no blocking one is
 * left; an object whose owners are all gone (or all waiting for their dependents) is deleted, and one that keeps
 * a live owner drops its references to the others.
 */
final class Collector {

    private final OwnerGraph graph;
    private final LiveObjects live;
    /** Kinds by "apiVersion/kind", as owner references name them (custom ones come and go). */
    private final Map<String, ResourceDefinitionContext> kinds;
    private final Consumer<String> enqueue;

    Collector(OwnerGraph graph, LiveObjects live, Map<String, ResourceDefinitionContext> kinds,
              Consumer<String> enqueue) {
        this.graph = graph;
        this.live = live;
        this.kinds = kinds;
        this.enqueue = enqueue;
    }

    WorkQueue.Outcome sync(String uid) {
        GraphNode node = graph.get(uid);
        if (node == null) {
            return WorkQueue.Outcome.DONE;
        }
        if (node.orphaning()) {
            orphanDependents(node);
        } else if (node.deletingForeground()) {
            deleteDependentsFirst(node);
        } else if (!node.deleting() && !node.owners().isEmpty()) {
            checkOwners(node);
        }
        return WorkQueue.Outcome.DONE;
    }

    private void orphanDependents(GraphNode owner) {
        for (GraphNode dependent : graph.dependentsOf(owner.uid())) {
            live.edit(dependent, object -> object.getMetadata().getOwnerReferences()
                    .removeIf(ref -> owner.uid().equals(ref.getUid())));
        }
        removeFinalizer(owner, GraphNode.ORPHAN);
    }

    /**
     * Dependents go first: each not yet deleting is looked at (and deleted, unless another owner keeps it); the
     * owner lets go of its finalizer once none of those that block it is left. Their removals bring it back here.
     */
    private void deleteDependentsFirst(GraphNode owner) {
        boolean blocked = false;
        for (GraphNode dependent : graph.dependentsOf(owner.uid())) {
            OwnerReference ref = dependent.ownerRef(owner.uid());
            blocked |= ref != null && Boolean.TRUE.equals(ref.getBlockOwnerDeletion());
            if (!dependent.deleting()) {
                enqueue.accept(dependent.uid());
            }
        }
        if (!blocked) {
            removeFinalizer(owner, GraphNode.FOREGROUND);
        }
    }

    private void checkOwners(GraphNode node) {
        List<OwnerReference> solid = new ArrayList<>();
        Set<String> gone = new HashSet<>();
        boolean waiting = false;
        for (OwnerReference ref : node.owners()) {
            switch (stateOf(ref, node)) {
                case SOLID -> solid.add(ref);
                case DANGLING -> gone.add(ref.getUid());
                case WAITING -> {
                    gone.add(ref.getUid());
                    waiting = true;
                }
            }
        }
        if (gone.isEmpty()) {
            return;
        }
        if (!solid.isEmpty()) {
            live.edit(node, object -> object.getMetadata().getOwnerReferences()
                    .removeIf(ref -> gone.contains(ref.getUid())));
            return;
        }
        // An owner waiting for its dependents passes Foreground on, so that the dependents' own dependents go
        // before them, as Kubernetes does.
        boolean foreground = waiting && !graph.dependentsOf(node.uid()).isEmpty();
        live.delete(node, foreground ? "Foreground" : "Background");
    }

    private enum OwnerState { SOLID, DANGLING, WAITING }

    /** The owner as the graph knows it, or, when the graph does not, as the API has it. */
    private OwnerState stateOf(OwnerReference ref, GraphNode dependent) {
        GraphNode known = graph.get(ref.getUid());
        if (known != null) {
            return known.deletingForeground() ? OwnerState.WAITING : OwnerState.SOLID;
        }
        ResourceDefinitionContext kind = kinds.get(ref.getApiVersion() + "/" + ref.getKind());
        if (kind == null || kind.isNamespaceScoped() && dependent.namespace() == null) {
            // A kind this API does not serve, or a namespaced owner of a cluster-wide object: Kubernetes cannot
            // resolve these either and leaves the dependent alone.
            return OwnerState.SOLID;
        }
        HasMetadata owner = live.get(kind, kind.isNamespaceScoped() ? dependent.namespace() : null, ref.getName());
        if (owner == null || !ref.getUid().equals(owner.getMetadata().getUid())) {
            return OwnerState.DANGLING;
        }
        return GraphNode.of(owner, kind).deletingForeground() ? OwnerState.WAITING : OwnerState.SOLID;
    }

    private void removeFinalizer(GraphNode owner, String finalizer) {
        live.edit(owner, object -> object.getMetadata().getFinalizers() != null
                && object.getMetadata().getFinalizers().remove(finalizer));
    }
}
