package io.qube.apiserver.admission;

import io.fabric8.kubernetes.api.model.ClientIPConfig;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LoadBalancerStatus;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServiceSpec;
import io.fabric8.kubernetes.api.model.ServiceStatus;
import io.fabric8.kubernetes.api.model.SessionAffinityConfig;

import java.util.ArrayList;
import java.util.List;

/**
 * Kubernetes' defaults for a Service (SetDefaults_Service), plus the IP family fields its allocator fills in on a
 * single-stack IPv4 cluster. Allocating the cluster IP and node ports themselves is the REST layer's job.
 */
final class ServiceDefaults {

    /** Three hours: how long ClientIP affinity sticks by default. */
    private static final int DEFAULT_AFFINITY_SECONDS = 10800;

    private ServiceDefaults() {
    }

    static void apply(Service service) {
        if (service.getSpec() == null) {
            service.setSpec(new ServiceSpec());
        }
        ServiceSpec spec = service.getSpec();
        if (NullSafe.isEmpty(spec.getSessionAffinity())) {
            spec.setSessionAffinity("None");
        }
        if (spec.getSessionAffinity().equals("None")) {
            spec.setSessionAffinityConfig(null);
        } else if (spec.getSessionAffinity().equals("ClientIP") && !hasAffinityTimeout(spec)) {
            spec.setSessionAffinityConfig(new SessionAffinityConfig(new ClientIPConfig(DEFAULT_AFFINITY_SECONDS)));
        }
        if (NullSafe.isEmpty(spec.getType())) {
            spec.setType("ClusterIP");
        }
        String type = spec.getType();
        NullSafe.list(spec.getPorts()).forEach(ServiceDefaults::port);
        if (isExternallyAccessible(spec) && NullSafe.isEmpty(spec.getExternalTrafficPolicy())) {
            spec.setExternalTrafficPolicy("Cluster");
        }
        if (NullSafe.isEmpty(spec.getInternalTrafficPolicy()) && List.of("ClusterIP", "NodePort", "LoadBalancer").contains(type)) {
            spec.setInternalTrafficPolicy("Cluster");
        }
        if (type.equals("LoadBalancer") && spec.getAllocateLoadBalancerNodePorts() == null) {
            spec.setAllocateLoadBalancerNodePorts(true);
        }
        if (!type.equals("ExternalName")) {
            clusterIps(spec);
            ipFamilies(spec);
        }
        if (service.getStatus() == null) {
            // A real cluster always shows "status: {loadBalancer: {}}".
            service.setStatus(new ServiceStatus(new ArrayList<>(), new LoadBalancerStatus()));
        }
    }

    private static void port(ServicePort port) {
        if (NullSafe.isEmpty(port.getProtocol())) {
            port.setProtocol("TCP");
        }
        IntOrString target = port.getTargetPort();
        boolean unset = target == null || (target.getIntVal() == null && NullSafe.isEmpty(target.getStrVal()))
                || Integer.valueOf(0).equals(target.getIntVal());
        if (unset && port.getPort() != null) {
            port.setTargetPort(new IntOrString(port.getPort()));
        }
    }

    private static boolean hasAffinityTimeout(ServiceSpec spec) {
        return spec.getSessionAffinityConfig() != null && spec.getSessionAffinityConfig().getClientIP() != null
                && spec.getSessionAffinityConfig().getClientIP().getTimeoutSeconds() != null;
    }

    /** Reachable from outside the cluster: through node ports, a load balancer or external IPs. */
    static boolean isExternallyAccessible(ServiceSpec spec) {
        return spec.getType().equals("LoadBalancer") || spec.getType().equals("NodePort")
                || (spec.getType().equals("ClusterIP") && !NullSafe.list(spec.getExternalIPs()).isEmpty());
    }

    /** clusterIP is clusterIPs[0]: whichever of the two the client gave fills the other. */
    private static void clusterIps(ServiceSpec spec) {
        if (!NullSafe.isEmpty(spec.getClusterIP()) && NullSafe.list(spec.getClusterIPs()).isEmpty()) {
            spec.setClusterIPs(new ArrayList<>(List.of(spec.getClusterIP())));
        } else if (NullSafe.isEmpty(spec.getClusterIP()) && !NullSafe.list(spec.getClusterIPs()).isEmpty()) {
            spec.setClusterIP(spec.getClusterIPs().get(0));
        }
    }

    /**
     * Qube's cluster is IPv4 single-stack. A headless service without a selector has no cluster IP and
     * endpoints someone else manages, so Kubernetes lets it span both families.
     */
    private static void ipFamilies(ServiceSpec spec) {
        boolean headlessWithoutSelector = "None".equals(spec.getClusterIP()) && NullSafe.map(spec.getSelector()).isEmpty();
        if (NullSafe.isEmpty(spec.getIpFamilyPolicy())) {
            spec.setIpFamilyPolicy(headlessWithoutSelector ? "RequireDualStack" : "SingleStack");
        }
        if (NullSafe.list(spec.getIpFamilies()).isEmpty()) {
            spec.setIpFamilies(new ArrayList<>(headlessWithoutSelector && !spec.getIpFamilyPolicy().equals("SingleStack")
                    ? List.of("IPv4", "IPv6") : List.of("IPv4")));
        }
    }
}
