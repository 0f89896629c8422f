package io.qube.scheduler.framework;

import io.fabric8.kubernetes.api.model.LabelSelector;

import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The nodes one scheduling cycle works on, fixed for the cycle. The cache refreshes it before each cycle, copying
 * into it only the nodes that changed since the last one; the indexes below follow those changes, so that plugins
 * whose rules select pods look only where such pods are instead of at every pod on every node.
 */
public final class Snapshot {

    private final Map<String, NodeInfo> byName = new HashMap<>();
    private List<NodeInfo> nodes = List.of();
    /** Per namespace, the nodes with pods of it. */
    private final Map<String, Set<NodeInfo>> byNamespace = new HashMap<>();
    private final Set<NodeInfo> scoringOthers = new HashSet<>();
    private final AntiAffinityTerms antiAffinityTerms = new AntiAffinityTerms();
    private final DomainCounts domainCounts = new DomainCounts();

    /** A snapshot of exactly these nodes, for tests and for preemption's what-ifs. */
    public static Snapshot of(List<NodeInfo> nodes) {
        Snapshot snapshot = new Snapshot();
        nodes.forEach(snapshot::put);
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

    /** Nodes with at least one pod whose terms count in other pods' scores ({@link PodInfo#scoresOthers()}). */
    public Collection<NodeInfo> scoringOthers() {
        return scoringOthers;
    }

    /**
     * Placed pods' required anti-affinity terms, each distinct term once, with how many pods carry it per value of
     * its topology key (only values with pods). Read-only; the snapshot keeps it.
     */
    public Map<AffinityTerm, Map<String, Integer>> requiredAntiAffinityTerms() {
        return antiAffinityTerms.view();
    }

    /** The nodes with at least one pod of {@code namespace}. */
    public Collection<NodeInfo> withPodsIn(String namespace) {
        Set<NodeInfo> inNamespace = byNamespace.get(namespace);
        return inNamespace == null ? List.of() : inNamespace;
    }

    /**
     * Per value of {@code topologyKey} over every node that has the label, how many pods of {@code namespace}
     * {@code selector} selects there (zero where none), those being deleted only if {@code withTerminating}
     * (topology spreading leaves them out, pod affinity counts them). Read-only; the snapshot keeps it.
     */
    public Map<String, Integer> podsPerDomain(String namespace, LabelSelector selector, String topologyKey,
                                              boolean withTerminating) {
        return domainCounts.get(byName.values(), namespace, selector, topologyKey, withTerminating);
    }

    /** How many nodes have the label {@code key}. */
    public int nodesWithLabel(String key) {
        return domainCounts.nodesWithLabel(byName.values(), key);
    }

    /**
     * Adds a node it does not have (a copy the snapshot now owns); {@link #nodes()} follows at the next
     * {@link #relist}.
     */
    public void put(NodeInfo node) {
        byName.put(node.name(), node);
        domainCounts.clear();
        antiAffinityTerms.account(node, 1);
        index(node, Set.of(), node.namespaces());
        indexAffinity(node);
    }

    /** Makes the snapshot's copy of {@code current}'s node equal to it, in place. */
    public void refresh(NodeInfo copy, NodeInfo current) {
        boolean relabelled = copy.node() != current.node() && !copy.labels().equals(current.labels());
        if (relabelled) {
            domainCounts.clear();
        } else {
            domainCounts.account(copy, -1);
        }
        antiAffinityTerms.account(copy, -1);
        Set<String> before = new HashSet<>(copy.namespaces());
        copy.copyFrom(current);
        if (!relabelled) {
            domainCounts.account(copy, 1);
        }
        antiAffinityTerms.account(copy, 1);
        index(copy, before, copy.namespaces());
        indexAffinity(copy);
    }

    /** Drops a node; false if the snapshot did not have it. {@link #nodes()} follows at the next relist. */
    public boolean remove(String name) {
        NodeInfo node = byName.remove(name);
        if (node == null) {
            return false;
        }
        domainCounts.clear();
        antiAffinityTerms.account(node, -1);
        index(node, node.namespaces(), Set.of());
        scoringOthers.remove(node);
        return true;
    }

    /** Sets the list of nodes, {@code ordered}: the nodes with a Node object, after nodes came or went. */
    public void relist(List<NodeInfo> ordered) {
        this.nodes = List.copyOf(ordered);
    }

    private void index(NodeInfo node, Set<String> before, Set<String> after) {
        for (String namespace : before) {
            if (!after.contains(namespace)) {
                Set<NodeInfo> inNamespace = byNamespace.get(namespace);
                inNamespace.remove(node);
                if (inNamespace.isEmpty()) {
                    byNamespace.remove(namespace);
                }
            }
        }
        for (String namespace : after) {
            if (!before.contains(namespace)) {
                byNamespace.computeIfAbsent(namespace, n -> new HashSet<>()).add(node);
            }
        }
    }

    private void indexAffinity(NodeInfo node) {
        if (node.podsScoringOthers().isEmpty()) {
            scoringOthers.remove(node);
        } else {
            scoringOthers.add(node);
        }
    }
}
