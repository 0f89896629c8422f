package io.qube.apiserver.admission;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.PodSchedulingGate;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Toleration;
import io.qube.apiserver.registry.FieldErrors;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Kubernetes' validation of a pod spec, wherever it appears (ValidatePodSpec): in a Pod and in every workload's
 * pod template. Affinity, topology spread constraints and security contexts are not checked yet.
 */
final class PodSpecValidation {

    private static final List<String> RESTART_POLICIES = List.of("Always", "OnFailure", "Never");
    static final List<String> TAINT_EFFECTS = List.of("NoSchedule", "PreferNoSchedule", "NoExecute");
    private static final List<String> DNS_POLICIES = List.of("ClusterFirstWithHostNet", "ClusterFirst", "Default", "None");
    private static final List<String> PREEMPTION_POLICIES = List.of("PreemptLowerPriority", "Never");
    private static final List<String> OPERATING_SYSTEMS = List.of("linux", "windows");

    private PodSpecValidation() {
    }

    /**
     * @param inPod whether the spec is a Pod's own (stricter about host ports) rather than a template's
     */
    static void validate(PodSpec spec, String path, boolean inPod, FieldErrors errors) {
        if (spec.getTerminationGracePeriodSeconds() == null) {
            errors.required(path + ".terminationGracePeriodSeconds", "");
        }
        Long gracePeriod = spec.getTerminationGracePeriodSeconds();
        Set<String> volumes = VolumeValidation.validate(NullSafe.list(spec.getVolumes()), path + ".volumes", errors);
        List<Container> containers = NullSafe.list(spec.getContainers());
        ContainerValidation.containers(containers, volumes, gracePeriod, path + ".containers", errors);
        ContainerValidation.initContainers(NullSafe.list(spec.getInitContainers()), containers, volumes, gracePeriod,
                path + ".initContainers", errors);
        hostNetworkPorts(spec, path, inPod, errors);
        ContainerValidation.oneOf(spec.getRestartPolicy(), RESTART_POLICIES, path + ".restartPolicy", errors);
        ContainerValidation.oneOf(spec.getDnsPolicy(), DNS_POLICIES, path + ".dnsPolicy", errors);
        MetadataValidation.validateLabels(spec.getNodeSelector(), path + ".nodeSelector", errors);
        dnsConfig(spec, path, errors);
        readinessGates(spec, path, errors);
        schedulingGates(NullSafe.list(spec.getSchedulingGates()), path + ".schedulingGates", errors);
        subdomainNamed(spec.getServiceAccountName(), path + ".serviceAccountName", errors);
        subdomainNamed(spec.getNodeName(), path + ".nodeName", errors);
        if (spec.getActiveDeadlineSeconds() != null
                && (spec.getActiveDeadlineSeconds() < 1 || spec.getActiveDeadlineSeconds() > Integer.MAX_VALUE)) {
            errors.invalid(path + ".activeDeadlineSeconds", spec.getActiveDeadlineSeconds(),
                    NameSyntax.inclusiveRange(1, Integer.MAX_VALUE));
        }
        labelNamed(spec.getHostname(), path + ".hostname", errors);
        labelNamed(spec.getSubdomain(), path + ".subdomain", errors);
        tolerations(NullSafe.list(spec.getTolerations()), path + ".tolerations", errors);
        subdomainNamed(spec.getPriorityClassName(), path + ".priorityClassName", errors);
        if (spec.getPreemptionPolicy() != null) {
            ContainerValidation.oneOf(spec.getPreemptionPolicy(), PREEMPTION_POLICIES, path + ".preemptionPolicy", errors);
        }
        if (spec.getOs() != null) {
            if (NullSafe.isEmpty(spec.getOs().getName())) {
                errors.required(path + ".os.name", "cannot be empty");
            } else if (!OPERATING_SYSTEMS.contains(spec.getOs().getName())) {
                errors.notSupported(path + ".os", spec.getOs().getName(), OPERATING_SYSTEMS);
            }
        }
    }

    /** Tolerations: a key (or none with Exists, meaning every taint), an operator, and a NoExecute grace time. */
    static void tolerations(List<Toleration> tolerations, String path, FieldErrors errors) {
        for (int i = 0; i < tolerations.size(); i++) {
            Toleration toleration = tolerations.get(i);
            String at = path + "[" + i + "]";
            String key = NullSafe.string(toleration.getKey());
            String operator = NullSafe.string(toleration.getOperator());
            String value = NullSafe.string(toleration.getValue());
            if (!key.isEmpty()) {
                NameSyntax.qualifiedName(key).forEach(problem -> errors.invalid(at + ".key", key, problem));
            } else if (!operator.equals("Exists")) {
                errors.invalid(at + ".operator", operator,
                        "operator must be Exists when `key` is empty, which means \"match all values and all keys\"");
            }
            if (toleration.getTolerationSeconds() != null && !"NoExecute".equals(toleration.getEffect())) {
                errors.invalid(at + ".effect", NullSafe.string(toleration.getEffect()),
                        "effect must be 'NoExecute' when `tolerationSeconds` is set");
            }
            switch (operator) {
                case "", "Equal" -> {
                    List<String> problems = NameSyntax.labelValue(value);
                    if (!problems.isEmpty()) {
                        errors.invalid(at + ".operator", value, String.join(";", problems));
                    }
                }
                case "Exists" -> {
                    if (!value.isEmpty()) {
                        errors.invalid(at + ".operator", value, "value must be empty when `operator` is 'Exists'");
                    }
                }
                default -> errors.notSupported(at + ".operator", operator, List.of("Equal", "Exists"));
            }
            if (!NullSafe.isEmpty(toleration.getEffect()) && !TAINT_EFFECTS.contains(toleration.getEffect())) {
                errors.notSupported(at + ".effect", toleration.getEffect(), TAINT_EFFECTS);
            }
        }
    }

    /**
     * On the host's network a container port is a host port: in a Pod (already defaulted) they must be equal; in a
     * template an unset host port is fine since it is defaulted when the pod is made.
     */
    private static void hostNetworkPorts(PodSpec spec, String path, boolean inPod, FieldErrors errors) {
        if (!Boolean.TRUE.equals(spec.getHostNetwork())) {
            return;
        }
        List<Container> containers = NullSafe.list(spec.getContainers());
        for (int i = 0; i < containers.size(); i++) {
            List<ContainerPort> ports = NullSafe.list(containers.get(i).getPorts());
            for (int j = 0; j < ports.size(); j++) {
                int hostPort = ports.get(j).getHostPort() == null ? 0 : ports.get(j).getHostPort();
                int containerPort = ports.get(j).getContainerPort() == null ? 0 : ports.get(j).getContainerPort();
                if ((inPod || hostPort != 0) && hostPort != containerPort) {
                    errors.invalid(path + ".containers[" + i + "].ports[" + j + "].hostPort", hostPort,
                            "must match `containerPort` when `hostNetwork` is true");
                }
            }
        }
    }

    private static void dnsConfig(PodSpec spec, String path, FieldErrors errors) {
        String at = path + ".dnsConfig";
        if ("None".equals(spec.getDnsPolicy())) {
            if (spec.getDnsConfig() == null) {
                errors.required(at, "must provide `dnsConfig` when `dnsPolicy` is None");
                return;
            }
            if (NullSafe.list(spec.getDnsConfig().getNameservers()).isEmpty()) {
                errors.required(at + ".nameservers", "must provide at least one DNS nameserver when `dnsPolicy` is None");
                return;
            }
        }
        if (spec.getDnsConfig() == null) {
            return;
        }
        List<String> nameservers = NullSafe.list(spec.getDnsConfig().getNameservers());
        if (nameservers.size() > 3) {
            errors.invalid(at + ".nameservers", String.join(",", nameservers), "must not have more than 3 nameservers");
        }
        for (int i = 0; i < nameservers.size(); i++) {
            if (IpAddresses.parse(nameservers.get(i)).isEmpty()) {
                errors.invalid(at + ".nameservers[" + i + "]", nameservers.get(i), IpAddresses.INVALID_IP);
            }
        }
    }

    private static void readinessGates(PodSpec spec, String path, FieldErrors errors) {
        for (int i = 0; i < NullSafe.list(spec.getReadinessGates()).size(); i++) {
            String at = path + ".readinessGates[" + i + "].conditionType";
            String type = NullSafe.string(spec.getReadinessGates().get(i).getConditionType());
            NameSyntax.qualifiedName(type).forEach(problem -> errors.invalid(at, type, problem));
        }
    }

    private static void schedulingGates(List<PodSchedulingGate> gates, String path, FieldErrors errors) {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < gates.size(); i++) {
            String at = path + "[" + i + "]";
            String name = NullSafe.string(gates.get(i).getName());
            NameSyntax.qualifiedName(name).forEach(problem -> errors.invalid(at, name, problem));
            if (!seen.add(name)) {
                errors.duplicate(at, name);
            }
        }
    }

    /** An optional reference to another object by name (service account, node, priority class). */
    private static void subdomainNamed(String name, String path, FieldErrors errors) {
        if (!NullSafe.isEmpty(name)) {
            NameSyntax.dns1123Subdomain(name).forEach(problem -> errors.invalid(path, name, problem));
        }
    }

    private static void labelNamed(String name, String path, FieldErrors errors) {
        if (!NullSafe.isEmpty(name)) {
            NameSyntax.dns1123Label(name).forEach(problem -> errors.invalid(path, name, problem));
        }
    }
}
