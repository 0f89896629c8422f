package io.qube.scheduler.framework;

import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodAffinityTerm;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.WeightedPodAffinityTerm;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A pod with what the scheduler asks of it again and again worked out once: its resource requests (as Kubernetes
 * sums them over containers, init containers, sidecars and overhead), host ports and affinity terms.
 */
public final class PodInfo {

    /** What a container without a request counts as when scoring (Kubernetes' non-zero defaults). */
    static final long DEFAULT_MILLI_CPU = 100;
    static final long DEFAULT_MEMORY = 200L * 1024 * 1024;

    private final Pod pod;
    private final String key;
    private final Resource requests;
    private final long nonZeroMilliCpu;
    private final long nonZeroMemory;
    private final List<HostPort> hostPorts;
    private final List<AffinityTerm> requiredAffinity;
    private final List<AffinityTerm> requiredAntiAffinity;
    private final List<AffinityTerm> preferredAffinity;
    private final List<AffinityTerm> preferredAntiAffinity;
    private final String nodeName;
    /** Read for every placed pod in the affinity and spread loops: kept here, one hop nearer. */
    private final String namespace;
    private final Map<String, String> labels;
    private final boolean terminating;

    /** The same pod as placed on {@code nodeName} by this scheduler before the API has bound it. */
    private PodInfo(PodInfo other, String nodeName) {
        this.pod = other.pod;
        this.key = other.key;
        this.requests = other.requests;
        this.nonZeroMilliCpu = other.nonZeroMilliCpu;
        this.nonZeroMemory = other.nonZeroMemory;
        this.hostPorts = other.hostPorts;
        this.requiredAffinity = other.requiredAffinity;
        this.requiredAntiAffinity = other.requiredAntiAffinity;
        this.preferredAffinity = other.preferredAffinity;
        this.preferredAntiAffinity = other.preferredAntiAffinity;
        this.nodeName = nodeName;
        this.namespace = other.namespace;
        this.labels = other.labels;
        this.terminating = other.terminating;
    }

    public PodInfo(Pod pod) {
        this.pod = pod;
        this.nodeName = pod.getSpec().getNodeName();
        this.namespace = pod.getMetadata().getNamespace();
        this.labels = pod.getMetadata().getLabels() == null ? Map.of() : pod.getMetadata().getLabels();
        this.terminating = pod.getMetadata().getDeletionTimestamp() != null;
        this.key = pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
        PodSpec spec = pod.getSpec();
        Resource sum = new Resource();
        Resource nonZero = new Resource();
        for (Container container : list(spec.getContainers())) {
            add(container, sum, nonZero);
        }
        // Init containers run one at a time before the others, each beside the sidecars started before it.
        Resource sidecars = new Resource();
        Resource sidecarsNonZero = new Resource();
        Resource initPeak = new Resource();
        Resource initPeakNonZero = new Resource();
        for (Container container : list(spec.getInitContainers())) {
            if ("Always".equals(container.getRestartPolicy())) {
                add(container, sidecars, sidecarsNonZero);
                continue;
            }
            Resource alone = sidecars.copy();
            Resource aloneNonZero = sidecarsNonZero.copy();
            add(container, alone, aloneNonZero);
            initPeak.raiseTo(alone);
            initPeakNonZero.raiseTo(aloneNonZero);
        }
        sum.add(sidecars);
        nonZero.add(sidecarsNonZero);
        sum.raiseTo(initPeak);
        nonZero.raiseTo(initPeakNonZero);
        if (spec.getOverhead() != null) {
            Resource overhead = Resource.of(spec.getOverhead());
            sum.add(overhead);
            nonZero.add(overhead);
        }
        this.requests = sum;
        this.nonZeroMilliCpu = nonZero.milliCpu;
        this.nonZeroMemory = nonZero.memory;
        this.hostPorts = hostPorts(spec);
        Affinity affinity = spec.getAffinity();
        String namespace = pod.getMetadata().getNamespace();
        if (affinity != null && affinity.getPodAffinity() != null) {
            requiredAffinity = required(affinity.getPodAffinity().getRequiredDuringSchedulingIgnoredDuringExecution(), namespace);
            preferredAffinity = preferred(affinity.getPodAffinity().getPreferredDuringSchedulingIgnoredDuringExecution(), namespace);
        } else {
            requiredAffinity = List.of();
            preferredAffinity = List.of();
        }
        if (affinity != null && affinity.getPodAntiAffinity() != null) {
            requiredAntiAffinity = required(affinity.getPodAntiAffinity().getRequiredDuringSchedulingIgnoredDuringExecution(), namespace);
            preferredAntiAffinity = preferred(affinity.getPodAntiAffinity().getPreferredDuringSchedulingIgnoredDuringExecution(), namespace);
        } else {
            requiredAntiAffinity = List.of();
            preferredAntiAffinity = List.of();
        }
    }

    private static void add(Container container, Resource sum, Resource nonZero) {
        Map<String, Quantity> requested = container.getResources() == null ? null : container.getResources().getRequests();
        Resource own = Resource.of(requested);
        sum.add(own);
        Resource counted = own.copy();
        if (requested == null || !requested.containsKey(Resource.CPU)) {
            counted.milliCpu = DEFAULT_MILLI_CPU;
        }
        if (requested == null || !requested.containsKey(Resource.MEMORY)) {
            counted.memory = DEFAULT_MEMORY;
        }
        nonZero.add(counted);
    }

    private static List<HostPort> hostPorts(PodSpec spec) {
        List<HostPort> ports = new ArrayList<>();
        for (Container container : list(spec.getContainers())) {
            for (ContainerPort port : list(container.getPorts())) {
                if (port.getHostPort() != null && port.getHostPort() > 0) {
                    ports.add(HostPort.of(port.getHostIP(), port.getProtocol(), port.getHostPort()));
                }
            }
        }
        return List.copyOf(ports);
    }

    private static List<AffinityTerm> required(List<PodAffinityTerm> terms, String namespace) {
        return terms == null ? List.of() : terms.stream().map(t -> AffinityTerm.of(t, namespace, 1)).toList();
    }

    private static List<AffinityTerm> preferred(List<WeightedPodAffinityTerm> terms, String namespace) {
        return terms == null ? List.of() : terms.stream()
                .map(t -> AffinityTerm.of(t.getPodAffinityTerm(), namespace, t.getWeight() == null ? 0 : t.getWeight()))
                .toList();
    }

    private static <T> List<T> list(List<T> items) {
        return items == null ? List.of() : items;
    }

    public Pod pod() {
        return pod;
    }

    /** namespace/name, the key of the queue and the cache. */
    public String key() {
        return key;
    }

    public String namespace() {
        return namespace;
    }

    public String name() {
        return pod.getMetadata().getName();
    }

    public String uid() {
        return pod.getMetadata().getUid();
    }

    public Map<String, String> labels() {
        return labels;
    }

    /** The node the pod is bound or assumed to; null or empty while pending. */
    public String nodeName() {
        return nodeName;
    }

    public boolean isAssigned() {
        return nodeName != null && !nodeName.isEmpty();
    }

    public PodInfo assumedOn(String node) {
        return new PodInfo(this, node);
    }

    public int priority() {
        return pod.getSpec().getPriority() == null ? 0 : pod.getSpec().getPriority();
    }

    /** When the pod started (its creation until the node reports a start), for ranking preemption victims. */
    public Instant startTime() {
        String started = pod.getStatus() == null ? null : pod.getStatus().getStartTime();
        if (started == null) {
            started = pod.getMetadata().getCreationTimestamp();
        }
        return started == null ? Instant.EPOCH : Instant.parse(started);
    }

    public boolean terminating() {
        return terminating;
    }

    public Resource requests() {
        return requests;
    }

    public long nonZeroMilliCpu() {
        return nonZeroMilliCpu;
    }

    public long nonZeroMemory() {
        return nonZeroMemory;
    }

    public List<HostPort> hostPorts() {
        return hostPorts;
    }

    public List<AffinityTerm> requiredAffinity() {
        return requiredAffinity;
    }

    public List<AffinityTerm> requiredAntiAffinity() {
        return requiredAntiAffinity;
    }

    public List<AffinityTerm> preferredAffinity() {
        return preferredAffinity;
    }

    public List<AffinityTerm> preferredAntiAffinity() {
        return preferredAntiAffinity;
    }

    /**
     * Whether, once placed, its terms count in other pods' InterPodAffinity scores: required affinity (with the
     * hard pod affinity weight) and preferred terms do; required anti-affinity only filters.
     */
    public boolean scoresOthers() {
        return !requiredAffinity.isEmpty() || !preferredAffinity.isEmpty() || !preferredAntiAffinity.isEmpty();
    }

    @Override
    public String toString() {
        return key;
    }
}
