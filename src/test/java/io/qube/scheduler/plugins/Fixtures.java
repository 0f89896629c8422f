package io.qube.scheduler.plugins;

import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.AffinityBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAffinityBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeSelectorBuilder;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirement;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirementBuilder;
import io.fabric8.kubernetes.api.model.NodeSelectorTerm;
import io.fabric8.kubernetes.api.model.NodeSelectorTermBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodAffinityBuilder;
import io.fabric8.kubernetes.api.model.PodAffinityTerm;
import io.fabric8.kubernetes.api.model.PodAffinityTermBuilder;
import io.fabric8.kubernetes.api.model.PodAntiAffinityBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSchedulingGateBuilder;
import io.fabric8.kubernetes.api.model.PreferredSchedulingTerm;
import io.fabric8.kubernetes.api.model.PreferredSchedulingTermBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.TaintBuilder;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraint;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraintBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.WeightedPodAffinityTerm;
import io.fabric8.kubernetes.api.model.WeightedPodAffinityTermBuilder;
import io.qube.scheduler.framework.NodeInfo;
import io.qube.scheduler.framework.PodInfo;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Hand-made nodes and pods for the scheduler's unit tests. A node has the hostname label, 4 cpu, 8Gi and 110 pods
 * unless told otherwise; a pod lives in "default", has one container "app" without requests and priority 0.
 */
public final class Fixtures {

    public static final String ZONE = "topology.kubernetes.io/zone";
    public static final String HOSTNAME = "kubernetes.io/hostname";

    private Fixtures() {
    }

    public static NodeMaker node(String name) {
        return new NodeMaker(name);
    }

    public static PodMaker pod(String name) {
        return new PodMaker(name);
    }

    /** The NodeInfos of these nodes, with their pods. */
    public static List<NodeInfo> infos(NodeMaker... nodes) {
        List<NodeInfo> infos = new ArrayList<>();
        for (NodeMaker node : nodes) {
            infos.add(node.info());
        }
        return infos;
    }

    // Selector helpers.

    public static NodeSelectorRequirement expr(String key, String operator, String... values) {
        return new NodeSelectorRequirementBuilder().withKey(key).withOperator(operator).withValues(values).build();
    }

    public static NodeSelectorRequirement field(String operator, String... names) {
        return new NodeSelectorRequirementBuilder().withKey("metadata.name").withOperator(operator).withValues(names)
                .build();
    }

    /** A node selector term: label requirements and field requirements (see {@link #field}), ANDed. */
    public static NodeSelectorTerm term(NodeSelectorRequirement... requirements) {
        NodeSelectorTermBuilder builder = new NodeSelectorTermBuilder();
        for (NodeSelectorRequirement requirement : requirements) {
            if ("metadata.name".equals(requirement.getKey())) {
                builder.addToMatchFields(requirement);
            } else {
                builder.addToMatchExpressions(requirement);
            }
        }
        return builder.build();
    }

    public static PreferredSchedulingTerm preferred(int weight, NodeSelectorTerm term) {
        return new PreferredSchedulingTermBuilder().withWeight(weight).withPreference(term).build();
    }

    /** A label selector from key=value pairs. */
    public static LabelSelector selector(String... keyValues) {
        return new LabelSelectorBuilder().withMatchLabels(map(keyValues)).build();
    }

    /** A pod (anti-)affinity term selecting pods with these labels in the pod's own namespace. */
    public static PodAffinityTerm podTerm(String topologyKey, String... keyValues) {
        return new PodAffinityTermBuilder().withTopologyKey(topologyKey).withLabelSelector(selector(keyValues)).build();
    }

    public static PodAffinityTerm podTerm(String topologyKey, LabelSelector selector) {
        return new PodAffinityTermBuilder().withTopologyKey(topologyKey).withLabelSelector(selector).build();
    }

    public static PodAffinityTerm podTerm(String topologyKey, List<String> namespaces, LabelSelector namespaceSelector,
                                          String... keyValues) {
        return new PodAffinityTermBuilder().withTopologyKey(topologyKey).withLabelSelector(selector(keyValues))
                .withNamespaces(namespaces).withNamespaceSelector(namespaceSelector).build();
    }

    public static Map<String, String> map(String... keyValues) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            map.put(keyValues[i], keyValues[i + 1]);
        }
        return map;
    }

    private static Map<String, Quantity> quantities(Map<String, String> amounts) {
        Map<String, Quantity> quantities = new LinkedHashMap<>();
        amounts.forEach((name, amount) -> quantities.put(name, new Quantity(amount)));
        return quantities;
    }

    public static final class NodeMaker {
        private final String name;
        private final Map<String, String> labels = new LinkedHashMap<>();
        private final Map<String, String> allocatable = new LinkedHashMap<>();
        private final List<Taint> taints = new ArrayList<>();
        private final List<PodMaker> pods = new ArrayList<>();
        private boolean unschedulable;

        private NodeMaker(String name) {
            this.name = name;
            labels.put(HOSTNAME, name);
            allocatable.put("cpu", "4");
            allocatable.put("memory", "8Gi");
            allocatable.put("pods", "110");
        }

        public String name() {
            return name;
        }

        public NodeMaker label(String key, String value) {
            labels.put(key, value);
            return this;
        }

        public NodeMaker zone(String zone) {
            return label(ZONE, zone);
        }

        public NodeMaker withoutLabel(String key) {
            labels.remove(key);
            return this;
        }

        public NodeMaker cpu(String amount) {
            return allocatable("cpu", amount);
        }

        public NodeMaker memory(String amount) {
            return allocatable("memory", amount);
        }

        public NodeMaker pods(int count) {
            return allocatable("pods", Integer.toString(count));
        }

        public NodeMaker allocatable(String resource, String amount) {
            allocatable.put(resource, amount);
            return this;
        }

        public NodeMaker taint(String key, String value, String effect) {
            taints.add(new TaintBuilder().withKey(key).withValue(value).withEffect(effect).build());
            return this;
        }

        public NodeMaker unschedulable() {
            this.unschedulable = true;
            return this;
        }

        /** Places the pod here (its spec.nodeName becomes this node). */
        public NodeMaker with(PodMaker... placed) {
            for (PodMaker pod : placed) {
                pods.add(pod.nodeName(name));
            }
            return this;
        }

        public Node build() {
            return new NodeBuilder()
                    .withNewMetadata().withName(name).withLabels(new LinkedHashMap<>(labels)).endMetadata()
                    .withNewSpec().withTaints(new ArrayList<>(taints)).withUnschedulable(unschedulable ? true : null)
                    .endSpec()
                    .withNewStatus().withAllocatable(quantities(allocatable)).withCapacity(quantities(allocatable))
                    .endStatus()
                    .build();
        }

        public NodeInfo info() {
            return NodeInfo.of(build(), pods.stream().map(PodMaker::info).toArray(PodInfo[]::new));
        }
    }

    public static final class PodMaker {
        private final String name;
        private String namespace = "default";
        private final Map<String, String> labels = new LinkedHashMap<>();
        private final List<Map<String, String>> containers = new ArrayList<>();
        private final List<Map<String, String>> initContainers = new ArrayList<>();
        private final List<Boolean> sidecars = new ArrayList<>();
        private final List<ContainerPort> ports = new ArrayList<>();
        private final Map<String, String> nodeSelector = new LinkedHashMap<>();
        private List<NodeSelectorTerm> requiredNodeTerms;
        private final List<PreferredSchedulingTerm> preferredNodeTerms = new ArrayList<>();
        private final List<PodAffinityTerm> requiredAffinity = new ArrayList<>();
        private final List<PodAffinityTerm> requiredAntiAffinity = new ArrayList<>();
        private final List<WeightedPodAffinityTerm> preferredAffinity = new ArrayList<>();
        private final List<WeightedPodAffinityTerm> preferredAntiAffinity = new ArrayList<>();
        private final List<Toleration> tolerations = new ArrayList<>();
        private final List<TopologySpreadConstraint> spread = new ArrayList<>();
        private final List<String> gates = new ArrayList<>();
        private final List<Volume> volumes = new ArrayList<>();
        private Integer priority;
        private String nodeName;
        private String startTime;
        private String preemptionPolicy;
        private String nominatedNodeName;
        private boolean terminating;

        private PodMaker(String name) {
            this.name = name;
            containers.add(new LinkedHashMap<>());
        }

        public PodMaker namespace(String namespace) {
            this.namespace = namespace;
            return this;
        }

        public PodMaker label(String key, String value) {
            labels.put(key, value);
            return this;
        }

        /** The first container's cpu and memory requests (null leaves one out). */
        public PodMaker requests(String cpu, String memory) {
            if (cpu != null) {
                containers.get(0).put("cpu", cpu);
            }
            if (memory != null) {
                containers.get(0).put("memory", memory);
            }
            return this;
        }

        public PodMaker request(String resource, String amount) {
            containers.get(0).put(resource, amount);
            return this;
        }

        /** Another container with these requests, as name/amount pairs. */
        public PodMaker container(String... requests) {
            containers.add(map(requests));
            return this;
        }

        public PodMaker initContainer(String... requests) {
            initContainers.add(map(requests));
            sidecars.add(false);
            return this;
        }

        /** An init container with restartPolicy Always: it keeps running beside the others. */
        public PodMaker sidecar(String... requests) {
            initContainers.add(map(requests));
            sidecars.add(true);
            return this;
        }

        public PodMaker hostPort(int port, String protocol, String ip) {
            ports.add(new ContainerPortBuilder().withContainerPort(port).withHostPort(port).withProtocol(protocol)
                    .withHostIP(ip).build());
            return this;
        }

        public PodMaker nodeSelector(String key, String value) {
            nodeSelector.put(key, value);
            return this;
        }

        /** Required node affinity with exactly these terms (none: an empty list of terms). */
        public PodMaker requiredNodeAffinity(NodeSelectorTerm... terms) {
            requiredNodeTerms = List.of(terms);
            return this;
        }

        public PodMaker preferredNodeAffinity(PreferredSchedulingTerm... terms) {
            preferredNodeTerms.addAll(List.of(terms));
            return this;
        }

        public PodMaker requiredAffinity(PodAffinityTerm term) {
            requiredAffinity.add(term);
            return this;
        }

        public PodMaker requiredAntiAffinity(PodAffinityTerm term) {
            requiredAntiAffinity.add(term);
            return this;
        }

        public PodMaker preferredAffinity(int weight, PodAffinityTerm term) {
            preferredAffinity.add(new WeightedPodAffinityTermBuilder().withWeight(weight).withPodAffinityTerm(term)
                    .build());
            return this;
        }

        public PodMaker preferredAntiAffinity(int weight, PodAffinityTerm term) {
            preferredAntiAffinity.add(new WeightedPodAffinityTermBuilder().withWeight(weight).withPodAffinityTerm(term)
                    .build());
            return this;
        }

        /** A toleration; null fields are left unset (an empty operator means Equal). */
        public PodMaker tolerate(String key, String operator, String value, String effect) {
            tolerations.add(new TolerationBuilder().withKey(key).withOperator(operator).withValue(value)
                    .withEffect(effect).build());
            return this;
        }

        public PodMaker spread(int maxSkew, String topologyKey, String whenUnsatisfiable, LabelSelector selector) {
            return spread(new TopologySpreadConstraintBuilder().withMaxSkew(maxSkew).withTopologyKey(topologyKey)
                    .withWhenUnsatisfiable(whenUnsatisfiable).withLabelSelector(selector).build());
        }

        public PodMaker spread(TopologySpreadConstraint constraint) {
            spread.add(constraint);
            return this;
        }

        public PodMaker priority(int priority) {
            this.priority = priority;
            return this;
        }

        public PodMaker nodeName(String nodeName) {
            this.nodeName = nodeName;
            return this;
        }

        /** status.startTime, e.g. "2024-01-01T10:00:00Z". */
        public PodMaker startedAt(String startTime) {
            this.startTime = startTime;
            return this;
        }

        public PodMaker preemptionPolicy(String policy) {
            this.preemptionPolicy = policy;
            return this;
        }

        public PodMaker nominatedNodeName(String node) {
            this.nominatedNodeName = node;
            return this;
        }

        /** A volume from this PersistentVolumeClaim. */
        public PodMaker claim(String volume, String claimName) {
            volumes.add(new VolumeBuilder().withName(volume).withNewPersistentVolumeClaim().withClaimName(claimName)
                    .endPersistentVolumeClaim().build());
            return this;
        }

        /** A generic ephemeral volume, whose claim is "<pod>-<volume>". */
        public PodMaker ephemeral(String volume) {
            volumes.add(new VolumeBuilder().withName(volume).withNewEphemeral().withNewVolumeClaimTemplate()
                    .withNewSpec().withAccessModes("ReadWriteOnce").endSpec().endVolumeClaimTemplate().endEphemeral()
                    .build());
            return this;
        }

        /** A volume that needs no claim. */
        public PodMaker emptyDir(String volume) {
            volumes.add(new VolumeBuilder().withName(volume).withNewEmptyDir().endEmptyDir().build());
            return this;
        }

        public PodMaker gate(String gate) {
            gates.add(gate);
            return this;
        }

        public PodMaker terminating() {
            this.terminating = true;
            return this;
        }

        public Pod build() {
            List<Container> built = new ArrayList<>();
            for (int i = 0; i < containers.size(); i++) {
                built.add(container("app" + i, containers.get(i), i == 0 ? ports : List.of()));
            }
            List<Container> builtInit = new ArrayList<>();
            for (int i = 0; i < initContainers.size(); i++) {
                Container init = container("init" + i, initContainers.get(i), List.of());
                if (sidecars.get(i)) {
                    init.setRestartPolicy("Always");
                }
                builtInit.add(init);
            }
            return new PodBuilder()
                    .withNewMetadata().withNamespace(namespace).withName(name).withUid(namespace + "-" + name)
                    .withLabels(new LinkedHashMap<>(labels))
                    .withCreationTimestamp("2024-01-01T00:00:00Z")
                    .withDeletionTimestamp(terminating ? "2024-01-02T00:00:00Z" : null)
                    .endMetadata()
                    .withNewSpec()
                    .withContainers(built)
                    .withInitContainers(builtInit)
                    .withNodeSelector(nodeSelector.isEmpty() ? null : new LinkedHashMap<>(nodeSelector))
                    .withAffinity(affinity())
                    .withTolerations(new ArrayList<>(tolerations))
                    .withTopologySpreadConstraints(new ArrayList<>(spread))
                    .withPriority(priority)
                    .withNodeName(nodeName)
                    .withPreemptionPolicy(preemptionPolicy)
                    .withVolumes(new ArrayList<>(volumes))
                    .withSchedulingGates(gates.stream().map(g -> new PodSchedulingGateBuilder().withName(g).build())
                            .toList())
                    .endSpec()
                    .withNewStatus().withPhase(nodeName == null ? "Pending" : "Running").withStartTime(startTime)
                    .withNominatedNodeName(nominatedNodeName).endStatus()
                    .build();
        }

        public PodInfo info() {
            return new PodInfo(build());
        }

        private static Container container(String name, Map<String, String> requests, List<ContainerPort> ports) {
            ContainerBuilder builder = new ContainerBuilder().withName(name).withImage("registry.example/app:1")
                    .withPorts(new ArrayList<>(ports));
            if (!requests.isEmpty()) {
                builder.withNewResources().withRequests(quantities(requests)).endResources();
            }
            return builder.build();
        }

        private Affinity affinity() {
            boolean node = requiredNodeTerms != null || !preferredNodeTerms.isEmpty();
            boolean podAffinity = !requiredAffinity.isEmpty() || !preferredAffinity.isEmpty();
            boolean podAntiAffinity = !requiredAntiAffinity.isEmpty() || !preferredAntiAffinity.isEmpty();
            if (!node && !podAffinity && !podAntiAffinity) {
                return null;
            }
            AffinityBuilder builder = new AffinityBuilder();
            if (node) {
                NodeAffinityBuilder nodeAffinity = new NodeAffinityBuilder()
                        .withPreferredDuringSchedulingIgnoredDuringExecution(new ArrayList<>(preferredNodeTerms));
                if (requiredNodeTerms != null) {
                    nodeAffinity.withRequiredDuringSchedulingIgnoredDuringExecution(new NodeSelectorBuilder()
                            .withNodeSelectorTerms(new ArrayList<>(requiredNodeTerms)).build());
                }
                builder.withNodeAffinity(nodeAffinity.build());
            }
            if (podAffinity) {
                builder.withPodAffinity(new PodAffinityBuilder()
                        .withRequiredDuringSchedulingIgnoredDuringExecution(new ArrayList<>(requiredAffinity))
                        .withPreferredDuringSchedulingIgnoredDuringExecution(new ArrayList<>(preferredAffinity))
                        .build());
            }
            if (podAntiAffinity) {
                builder.withPodAntiAffinity(new PodAntiAffinityBuilder()
                        .withRequiredDuringSchedulingIgnoredDuringExecution(new ArrayList<>(requiredAntiAffinity))
                        .withPreferredDuringSchedulingIgnoredDuringExecution(new ArrayList<>(preferredAntiAffinity))
                        .build());
            }
            return builder.build();
        }
    }
}
