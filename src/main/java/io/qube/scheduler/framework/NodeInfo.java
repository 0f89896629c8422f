package io.qube.scheduler.framework;

import io.qube.client.Selectors;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Taint;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A node as the scheduler sees it: the Node object and the pods on it (bound or assumed), with their summed
 * requests and ports kept up to date as pods come and go. The cache owns one per node; each scheduling cycle reads
 * copies (the snapshot), so a cycle never sees a half-made change.
 */
public final class NodeInfo {

    private final String name;
    private Node node;
    private Resource allocatable = new Resource();
    // The Node's labels, taints and cordon, read out when the Node is set: every Filter on every node reads them,
    // and one field here is one memory access less per read than following Node, metadata/spec, then the field.
    private Map<String, String> labels = Map.of();
    private List<Taint> taints = List.of();
    private boolean unschedulable;
    private final List<PodInfo> pods;
    /** The same pods by namespace: affinity terms and spread constraints select within namespaces. */
    private final Map<String, List<PodInfo>> podsByNamespace;
    private final List<PodInfo> podsScoringOthers;
    private final List<PodInfo> podsWithRequiredAntiAffinity;
    private final List<HostPort> usedPorts;
    private final Resource requested;
    private long nonZeroMilliCpu;
    private long nonZeroMemory;

    public NodeInfo(String name) {
        this.name = name;
        this.pods = new ArrayList<>();
        this.podsByNamespace = new HashMap<>();
        this.podsScoringOthers = new ArrayList<>();
        this.podsWithRequiredAntiAffinity = new ArrayList<>();
        this.usedPorts = new ArrayList<>();
        this.requested = new Resource();
    }

    /** A node with these pods, for tests and for the cache. */
    public static NodeInfo of(Node node, PodInfo... pods) {
        NodeInfo info = new NodeInfo(node.getMetadata().getName());
        info.setNode(node);
        for (PodInfo pod : pods) {
            info.addPod(pod);
        }
        return info;
    }

    private NodeInfo(NodeInfo other) {
        this.name = other.name;
        this.node = other.node;
        this.allocatable = other.allocatable;
        this.labels = other.labels;
        this.taints = other.taints;
        this.unschedulable = other.unschedulable;
        this.pods = new ArrayList<>(other.pods);
        this.podsByNamespace = new HashMap<>();
        copyNamespaces(other);
        this.podsScoringOthers = new ArrayList<>(other.podsScoringOthers);
        this.podsWithRequiredAntiAffinity = new ArrayList<>(other.podsWithRequiredAntiAffinity);
        this.usedPorts = new ArrayList<>(other.usedPorts);
        this.requested = other.requested.copy();
        this.nonZeroMilliCpu = other.nonZeroMilliCpu;
        this.nonZeroMemory = other.nonZeroMemory;
    }

    public NodeInfo copy() {
        return new NodeInfo(this);
    }

    /** Makes this node's state that of {@code other} (the same node), keeping this object: snapshots refresh so. */
    public void copyFrom(NodeInfo other) {
        this.node = other.node;
        this.allocatable = other.allocatable;
        this.labels = other.labels;
        this.taints = other.taints;
        this.unschedulable = other.unschedulable;
        replace(pods, other.pods);
        podsByNamespace.clear();
        copyNamespaces(other);
        replace(podsScoringOthers, other.podsScoringOthers);
        replace(podsWithRequiredAntiAffinity, other.podsWithRequiredAntiAffinity);
        replace(usedPorts, other.usedPorts);
        this.requested.subtract(this.requested);
        this.requested.add(other.requested);
        this.nonZeroMilliCpu = other.nonZeroMilliCpu;
        this.nonZeroMemory = other.nonZeroMemory;
    }

    private void copyNamespaces(NodeInfo other) {
        other.podsByNamespace.forEach((namespace, list) -> podsByNamespace.put(namespace, new ArrayList<>(list)));
    }

    private static <T> void replace(List<T> target, List<T> source) {
        target.clear();
        target.addAll(source);
    }

    public String name() {
        return name;
    }

    /** Null while the cache knows pods on a node whose Node object it has not seen (or no longer sees). */
    public Node node() {
        return node;
    }

    public void setNode(Node node) {
        this.node = node;
        Map<String, io.fabric8.kubernetes.api.model.Quantity> amounts = node.getStatus() == null ? null
                : node.getStatus().getAllocatable() != null ? node.getStatus().getAllocatable()
                : node.getStatus().getCapacity();
        this.allocatable = Resource.of(amounts);
        this.labels = node.getMetadata().getLabels() == null ? Map.of() : node.getMetadata().getLabels();
        this.taints = node.getSpec() == null || node.getSpec().getTaints() == null ? List.of()
                : node.getSpec().getTaints();
        this.unschedulable = node.getSpec() != null && Boolean.TRUE.equals(node.getSpec().getUnschedulable());
    }

    public void clearNode() {
        this.node = null;
        this.labels = Map.of();
        this.taints = List.of();
        this.unschedulable = false;
    }

    public Map<String, String> labels() {
        return labels;
    }

    public List<Taint> taints() {
        return taints;
    }

    /** Cordoned: spec.unschedulable. */
    public boolean unschedulable() {
        return unschedulable;
    }

    public Resource allocatable() {
        return allocatable;
    }

    public Resource requested() {
        return requested;
    }

    public long nonZeroMilliCpu() {
        return nonZeroMilliCpu;
    }

    public long nonZeroMemory() {
        return nonZeroMemory;
    }

    public List<PodInfo> pods() {
        return pods;
    }

    /** The pods of one namespace on this node. */
    public List<PodInfo> podsIn(String namespace) {
        List<PodInfo> inNamespace = podsByNamespace.get(namespace);
        return inNamespace == null ? List.of() : inNamespace;
    }

    /** How many pods of {@code namespace} {@code selector} selects on this node, those being deleted only if asked. */
    public int countMatching(String namespace, LabelSelector selector, boolean withTerminating) {
        int count = 0;
        for (PodInfo placed : podsIn(namespace)) {
            if ((withTerminating || !placed.terminating()) && Selectors.matches(selector, placed.labels())) {
                count++;
            }
        }
        return count;
    }

    /** The namespaces this node has pods of. */
    public Set<String> namespaces() {
        return podsByNamespace.keySet();
    }

    /** Its pods whose terms count in other pods' scores ({@link PodInfo#scoresOthers()}). */
    public List<PodInfo> podsScoringOthers() {
        return podsScoringOthers;
    }

    public List<PodInfo> podsWithRequiredAntiAffinity() {
        return podsWithRequiredAntiAffinity;
    }

    public List<HostPort> usedPorts() {
        return usedPorts;
    }

    public void addPod(PodInfo pod) {
        pods.add(pod);
        podsByNamespace.computeIfAbsent(pod.namespace(), namespace -> new ArrayList<>()).add(pod);
        if (pod.scoresOthers()) {
            podsScoringOthers.add(pod);
        }
        if (!pod.requiredAntiAffinity().isEmpty()) {
            podsWithRequiredAntiAffinity.add(pod);
        }
        usedPorts.addAll(pod.hostPorts());
        account(pod, 1);
    }

    /** Removes the pod with this key; false if the node does not have it. */
    public boolean removePod(String key) {
        for (int i = 0; i < pods.size(); i++) {
            PodInfo pod = pods.get(i);
            if (pod.key().equals(key)) {
                pods.remove(i);
                List<PodInfo> inNamespace = podsByNamespace.get(pod.namespace());
                inNamespace.remove(pod);
                if (inNamespace.isEmpty()) {
                    podsByNamespace.remove(pod.namespace());
                }
                podsScoringOthers.removeIf(p -> p.key().equals(key));
                podsWithRequiredAntiAffinity.removeIf(p -> p.key().equals(key));
                for (HostPort port : pod.hostPorts()) {
                    usedPorts.remove(port);
                }
                account(pod, -1);
                return true;
            }
        }
        return false;
    }

    private void account(PodInfo pod, int sign) {
        if (sign > 0) {
            requested.add(pod.requests());
        } else {
            requested.subtract(pod.requests());
        }
        requested.pods += sign;
        nonZeroMilliCpu += sign * pod.nonZeroMilliCpu();
        nonZeroMemory += sign * pod.nonZeroMemory();
    }

    @Override
    public String toString() {
        return name + " " + pods;
    }
}
