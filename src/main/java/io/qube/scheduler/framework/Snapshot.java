package io.qube.scheduler.framework;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The nodes one scheduling cycle works on, fixed for the cycle. The cache refreshes it before each cycle, copying
 * into it only the nodes that changed since the last one.
 */
public final class Snapshot {

    private final Map<String, NodeInfo> byName = new HashMap<>();
    private List<NodeInfo> nodes = List.of();
    private List<NodeInfo> withAffinity = List.of();
    private List<NodeInfo> withRequiredAntiAffinity = List.of();

    /** A snapshot of exactly these nodes, for tests and for preemption's what-ifs. */
    public static Snapshot of(List<NodeInfo> nodes) {
        Snapshot snapshot = new Snapshot();
        nodes.forEach(node -> snapshot.byName.put(node.name(), node));
        snapshot.relist(nodes);
        return snapshot;
    }

    /** All nodes with a Node object, in a stable order. */
    public List<NodeInfo> nodes() {
        return nodes;
    }

    public NodeInfo get(String name) {
        return byName.get(name);
    }

    /** Nodes with at least one pod that has pod affinity or anti-affinity terms. */
    public List<NodeInfo> withAffinity() {
        return withAffinity;
    }

    /** Nodes with at least one pod with required anti-affinity terms. */
    public List<NodeInfo> withRequiredAntiAffinity() {
        return withRequiredAntiAffinity;
    }

    /** The cache's side: the mutable map of copies it refreshes in place. */
    public Map<String, NodeInfo> byName() {
        return byName;
    }

    /** Rebuilds the lists from {@code ordered}, the nodes with a Node object. */
    public void relist(List<NodeInfo> ordered) {
        List<NodeInfo> affinity = new ArrayList<>();
        List<NodeInfo> antiAffinity = new ArrayList<>();
        for (NodeInfo node : ordered) {
            if (!node.podsWithAffinity().isEmpty()) {
                affinity.add(node);
            }
            if (!node.podsWithRequiredAntiAffinity().isEmpty()) {
                antiAffinity.add(node);
            }
        }
        this.nodes = List.copyOf(ordered);
        this.withAffinity = affinity;
        this.withRequiredAntiAffinity = antiAffinity;
    }
}
