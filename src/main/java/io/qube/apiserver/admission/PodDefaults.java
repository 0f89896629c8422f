package io.qube.apiserver.admission;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;

import org.eclipse.microprofile.config.ConfigProvider;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a real cluster fills into a Pod beyond the pod spec defaults: SetDefaults_Pod, then what the default
 * admission plugins add (ServiceAccount, Priority, DefaultTolerationSeconds), then the status a new pod starts with.
 */
final class PodDefaults {

    /**
     * How long a pod stays bound to a not-ready or unreachable node (DefaultTolerationSeconds admission), by taint:
     * {@code qube.apiserver.default-not-ready-toleration-seconds} and {@code ...-unreachable-...} (see
     * ApiServerSettings, which declares them; admission runs outside CDI and reads them from the config itself).
     */
    private static final long DEFAULT_TOLERATION_SECONDS = 300;

    private static final class TolerationSeconds {
        static final Map<String, Long> BY_TAINT = Map.of(
                "node.kubernetes.io/not-ready", setting("qube.apiserver.default-not-ready-toleration-seconds"),
                "node.kubernetes.io/unreachable", setting("qube.apiserver.default-unreachable-toleration-seconds"));

        private static long setting(String name) {
            return ConfigProvider.getConfig().getOptionalValue(name, Long.class)
                    .orElse(DEFAULT_TOLERATION_SECONDS);
        }
    }

    private static final List<String> NODE_PROBLEM_TAINTS =
            List.of("node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable");

    private PodDefaults() {
    }

    static void apply(Pod pod) {
        if (pod.getSpec() == null) {
            pod.setSpec(new PodSpec());
        }
        PodSpec spec = pod.getSpec();
        NullSafe.list(spec.getContainers()).forEach(PodDefaults::requestsFromLimits);
        NullSafe.list(spec.getInitContainers()).forEach(PodDefaults::requestsFromLimits);
        if (spec.getEnableServiceLinks() == null) {
            spec.setEnableServiceLinks(true);
        }
        if (Boolean.TRUE.equals(spec.getHostNetwork())) {
            NullSafe.list(spec.getContainers()).forEach(PodDefaults::hostPortsFromContainerPorts);
            NullSafe.list(spec.getInitContainers()).forEach(PodDefaults::hostPortsFromContainerPorts);
        }
        PodSpecDefaults.apply(spec);
        serviceAccount(spec);
        priority(spec);
        tolerations(spec);
        status(pod);
    }

    /** A limit without a request means "request exactly that much". */
    private static void requestsFromLimits(Container container) {
        if (container.getResources() == null || NullSafe.map(container.getResources().getLimits()).isEmpty()) {
            return;
        }
        Map<String, Quantity> requests = new LinkedHashMap<>(NullSafe.map(container.getResources().getRequests()));
        container.getResources().getLimits().forEach(requests::putIfAbsent);
        container.getResources().setRequests(requests);
    }

    /** On the host's network a container port is a host port. */
    private static void hostPortsFromContainerPorts(Container container) {
        for (ContainerPort port : NullSafe.list(container.getPorts())) {
            if (port.getHostPort() == null || port.getHostPort() == 0) {
                port.setHostPort(port.getContainerPort());
            }
        }
    }

    private static void serviceAccount(PodSpec spec) {
        if (NullSafe.isEmpty(spec.getServiceAccountName())) {
            spec.setServiceAccountName("default");
        }
        spec.setServiceAccount(spec.getServiceAccountName());
    }

    /**
     * Without a class the pod gets priority 0 (a cluster-wide default class, if any, is the REST layer's to look
     * up); the two system classes have fixed values; any other class is the REST layer's to resolve. Pods preempt
     * lower priorities, Kubernetes' default policy.
     */
    private static void priority(PodSpec spec) {
        String className = spec.getPriorityClassName();
        Integer known = NullSafe.isEmpty(className) ? Integer.valueOf(0) : SystemPriorityClasses.VALUES.get(className);
        if (known == null) {
            return;
        }
        if (spec.getPriority() == null) {
            spec.setPriority(known);
        }
        if (NullSafe.isEmpty(spec.getPreemptionPolicy())) {
            spec.setPreemptionPolicy("PreemptLowerPriority");
        }
    }

    /** Tolerate a not-ready or unreachable node for a while (five minutes), unless the pod already says how long. */
    private static void tolerations(PodSpec spec) {
        List<Toleration> tolerations = new ArrayList<>(NullSafe.list(spec.getTolerations()));
        for (String taint : NODE_PROBLEM_TAINTS) {
            boolean tolerated = tolerations.stream().anyMatch(toleration ->
                    (NullSafe.isEmpty(toleration.getKey()) || taint.equals(toleration.getKey()))
                            && (NullSafe.isEmpty(toleration.getEffect()) || "NoExecute".equals(toleration.getEffect())));
            if (!tolerated) {
                tolerations.add(new TolerationBuilder().withKey(taint).withOperator("Exists").withEffect("NoExecute")
                        .withTolerationSeconds(TolerationSeconds.BY_TAINT.get(taint)).build());
            }
        }
        spec.setTolerations(tolerations);
    }

    /** A new pod is Pending; its QoS class is fixed for life from its resources. */
    private static void status(Pod pod) {
        if (pod.getStatus() == null) {
            pod.setStatus(new PodStatus());
        }
        if (NullSafe.isEmpty(pod.getStatus().getPhase())) {
            pod.getStatus().setPhase("Pending");
        }
        if (NullSafe.isEmpty(pod.getStatus().getQosClass())) {
            pod.getStatus().setQosClass(QosClass.of(pod.getSpec()));
        }
    }
}
