package io.qube.apiserver.admission;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServiceSpec;
import io.qube.apiserver.codec.Json;
import io.qube.apiserver.registry.FieldErrors;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/** Kubernetes' validation of a Service (ValidateService, ValidateServiceUpdate), on a single-stack IPv4 cluster. */
final class ServiceValidation {

    private static final List<String> TYPES = List.of("ClusterIP", "ExternalName", "LoadBalancer", "NodePort");
    private static final List<String> AFFINITIES = List.of("ClientIP", "None");
    private static final List<String> TRAFFIC_POLICIES = List.of("Cluster", "Local");
    private static final List<String> FAMILY_POLICIES = List.of("PreferDualStack", "RequireDualStack", "SingleStack");
    private static final List<String> FAMILIES = List.of("IPv4", "IPv6");
    private static final int MAX_AFFINITY_SECONDS = 86400;

    private ServiceValidation() {
    }

    /** Call after the REST layer allocated cluster IPs and node ports, as Kubernetes allocates before validating. */
    static void validate(Service service, Service old, FieldErrors errors) {
        ServiceSpec spec = service.getSpec() == null ? new ServiceSpec() : service.getSpec();
        String type = NullSafe.string(spec.getType());
        boolean headless = isHeadless(spec);
        List<ServicePort> ports = NullSafe.list(spec.getPorts());
        if (ports.isEmpty() && !headless && !type.equals("ExternalName")) {
            errors.required("spec.ports", "");
        }
        if (headless && (type.equals("LoadBalancer") || type.equals("NodePort"))) {
            errors.invalid("spec.clusterIPs[0]", "None", "may not be set to 'None' for " + type + " services");
        }
        if (type.equals("ExternalName")) {
            externalName(spec, errors);
        }
        ports(ports, type, errors);
        MetadataValidation.validateLabels(spec.getSelector(), "spec.selector", errors);
        sessionAffinity(spec, errors);
        clusterIps(spec, errors);
        ipFamilies(spec, headless, errors);
        List<String> externalIps = NullSafe.list(spec.getExternalIPs());
        for (int i = 0; i < externalIps.size(); i++) {
            IpAddresses.validateRoutable(externalIps.get(i), "spec.externalIPs[" + i + "]", errors);
        }
        ContainerValidation.oneOf(type, TYPES, "spec.type", errors);
        loadBalancerFields(spec, type, errors);
        trafficPolicies(spec, type, errors);
        if (spec.getTrafficDistribution() != null && !spec.getTrafficDistribution().equals("PreferClose")) {
            errors.notSupported("spec.trafficDistribution", spec.getTrafficDistribution(), List.of("PreferClose"));
        }
        if (old != null && old.getSpec() != null) {
            update(spec, old.getSpec(), errors);
        }
    }

    /** A headless service has no cluster IP: DNS answers with its endpoints' addresses instead. */
    private static boolean isHeadless(ServiceSpec spec) {
        List<String> ips = NullSafe.list(spec.getClusterIPs());
        return "None".equals(spec.getClusterIP()) || (ips.size() == 1 && ips.get(0).equals("None"));
    }

    /** An ExternalName service is only a DNS alias: no IPs, and a name to point at. */
    private static void externalName(ServiceSpec spec, FieldErrors errors) {
        if (!NullSafe.list(spec.getClusterIPs()).isEmpty()) {
            errors.forbidden("spec.clusterIPs", "may not be set for ExternalName services");
        }
        if (!NullSafe.list(spec.getIpFamilies()).isEmpty()) {
            errors.forbidden("spec.ipFamilies", "may not be set for ExternalName services");
        }
        if (spec.getIpFamilyPolicy() != null) {
            errors.forbidden("spec.ipFamilyPolicy", "may not be set for ExternalName services");
        }
        // A trailing dot marks the name fully qualified.
        String cname = NullSafe.string(spec.getExternalName());
        cname = cname.endsWith(".") ? cname.substring(0, cname.length() - 1) : cname;
        if (cname.isEmpty()) {
            errors.required("spec.externalName", "");
        } else {
            String name = cname;
            NameSyntax.dns1123Subdomain(name).forEach(problem -> errors.invalid("spec.externalName", name, problem));
        }
    }

    /** Names are needed to tell several ports apart (endpoints refer to them); ports are unique per protocol. */
    private static void ports(List<ServicePort> ports, String type, FieldErrors errors) {
        Set<String> names = new HashSet<>();
        Set<String> numbers = new HashSet<>();
        Set<String> nodePorts = new HashSet<>();
        for (int i = 0; i < ports.size(); i++) {
            ServicePort port = ports.get(i);
            String at = "spec.ports[" + i + "]";
            String name = NullSafe.string(port.getName());
            if (ports.size() > 1 && name.isEmpty()) {
                errors.required(at + ".name", "");
            } else if (!name.isEmpty()) {
                NameSyntax.dns1123Label(name).forEach(problem -> errors.invalid(at + ".name", name, problem));
                if (!names.add(name)) {
                    errors.duplicate(at + ".name", name);
                }
            }
            int number = port.getPort() == null ? 0 : port.getPort();
            NameSyntax.portNumber(number).forEach(problem -> errors.invalid(at + ".port", number, problem));
            ContainerValidation.oneOf(port.getProtocol(), ContainerValidation.PROTOCOLS, at + ".protocol", errors);
            ProbeValidation.portNumberOrName(port.getTargetPort(), at + ".targetPort", errors);
            if (port.getAppProtocol() != null) {
                NameSyntax.qualifiedName(port.getAppProtocol()).forEach(problem ->
                        errors.invalid(at + ".appProtocol", port.getAppProtocol(), problem));
            }
            int nodePort = port.getNodePort() == null ? 0 : port.getNodePort();
            if (type.equals("ClusterIP") && nodePort != 0) {
                errors.forbidden(at + ".nodePort", "may not be used when `type` is 'ClusterIP'");
            }
            if (nodePort != 0 && !nodePorts.add(port.getProtocol() + "/" + nodePort)) {
                errors.duplicate(at + ".nodePort", nodePort);
            }
            if (!numbers.add(port.getProtocol() + "/" + number)) {
                errors.duplicate(at, number + "/" + port.getProtocol());
            }
        }
    }

    private static void sessionAffinity(ServiceSpec spec, FieldErrors errors) {
        String affinity = NullSafe.string(spec.getSessionAffinity());
        ContainerValidation.oneOf(affinity, AFFINITIES, "spec.sessionAffinity", errors);
        String path = "spec.sessionAffinityConfig";
        if (affinity.equals("ClientIP")) {
            String when = "when session affinity type is ClientIP";
            if (spec.getSessionAffinityConfig() == null) {
                errors.required(path, when);
            } else if (spec.getSessionAffinityConfig().getClientIP() == null) {
                errors.required(path + ".clientIP", when);
            } else if (spec.getSessionAffinityConfig().getClientIP().getTimeoutSeconds() == null) {
                errors.required(path + ".clientIP.timeoutSeconds", when);
            } else {
                int timeout = spec.getSessionAffinityConfig().getClientIP().getTimeoutSeconds();
                if (timeout <= 0 || timeout > MAX_AFFINITY_SECONDS) {
                    errors.invalid(path + ".clientIP.timeoutSeconds", timeout,
                            "must be greater than 0 and less than " + MAX_AFFINITY_SECONDS);
                }
            }
        } else if (affinity.equals("None") && spec.getSessionAffinityConfig() != null) {
            errors.forbidden(path, "must not be set when session affinity is None");
        }
    }

    /** clusterIPs lists the service's IPs, the first being clusterIP; "None" (headless) must stand alone. */
    private static void clusterIps(ServiceSpec spec, FieldErrors errors) {
        List<String> ips = NullSafe.list(spec.getClusterIPs());
        for (int i = 0; i < ips.size(); i++) {
            String ip = ips.get(i);
            if (i == 0 && "None".equals(ip)) {
                if (ips.size() > 1) {
                    errors.invalid("spec.clusterIPs", Json.MAPPER.valueToTree(ips), "'None' must be the first and only value");
                }
            } else if (IpAddresses.parse(NullSafe.string(ip)).isEmpty()) {
                errors.invalid("spec.clusterIPs[" + i + "]", ip, IpAddresses.INVALID_IP);
            }
        }
        if (!ips.isEmpty() && !ips.get(0).equals(NullSafe.string(spec.getClusterIP()))) {
            errors.invalid("spec.clusterIPs", Json.MAPPER.valueToTree(ips), "first value must match `clusterIP`");
        }
    }

    /**
     * Qube's cluster is IPv4 single-stack: a service may prefer dual stack (and gets IPv4) but not require it,
     * except a headless one without selector, which has no IP to allocate.
     */
    private static void ipFamilies(ServiceSpec spec, boolean headless, FieldErrors errors) {
        String policy = spec.getIpFamilyPolicy();
        if (policy != null && !FAMILY_POLICIES.contains(policy)) {
            errors.notSupported("spec.ipFamilyPolicy", policy, FAMILY_POLICIES);
        }
        boolean allocatesIps = !headless || !NullSafe.map(spec.getSelector()).isEmpty();
        if ("RequireDualStack".equals(policy) && allocatesIps) {
            errors.invalid("spec.ipFamilyPolicy", policy, "this cluster is not configured for dual-stack services");
        }
        List<String> families = NullSafe.list(spec.getIpFamilies());
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < families.size(); i++) {
            String family = NullSafe.string(families.get(i));
            String at = "spec.ipFamilies[" + i + "]";
            if (!FAMILIES.contains(family)) {
                errors.notSupported(at, family, FAMILIES);
            } else if (!seen.add(family)) {
                errors.duplicate(at, family);
            } else if (family.equals("IPv6") && allocatesIps && !"PreferDualStack".equals(policy)) {
                errors.invalid(at, family, "not configured on this cluster");
            }
        }
        if ("SingleStack".equals(policy) && families.size() > 1) {
            errors.invalid("spec.ipFamilies", Json.MAPPER.valueToTree(families),
                    "when spec.ipFamilyPolicy is SingleStack, spec.ipFamilies may only have one entry");
        }
    }

    private static void loadBalancerFields(ServiceSpec spec, String type, FieldErrors errors) {
        boolean loadBalancer = type.equals("LoadBalancer");
        List<String> ranges = NullSafe.list(spec.getLoadBalancerSourceRanges());
        if (!ranges.isEmpty() && !loadBalancer) {
            errors.forbidden("spec.loadBalancerSourceRanges", "may only be used when `type` is 'LoadBalancer'");
        }
        for (int i = 0; i < ranges.size(); i++) {
            // Space padding is allowed: the field replaced an annotation whose values had it.
            String range = NullSafe.string(ranges.get(i)).strip();
            if (!IpAddresses.isValidCidr(range)) {
                errors.invalid("spec.loadBalancerSourceRanges[" + i + "]", range, IpAddresses.INVALID_CIDR);
            }
        }
        if (spec.getAllocateLoadBalancerNodePorts() != null && !loadBalancer) {
            errors.forbidden("spec.allocateLoadBalancerNodePorts", "may only be used when `type` is 'LoadBalancer'");
        } else if (spec.getAllocateLoadBalancerNodePorts() == null && loadBalancer) {
            errors.required("spec.allocateLoadBalancerNodePorts", "");
        }
    }

    private static void trafficPolicies(ServiceSpec spec, String type, FieldErrors errors) {
        if (!TYPES.contains(type)) {
            // Already reported; which policies apply depends on a known type.
            return;
        }
        String external = NullSafe.string(spec.getExternalTrafficPolicy());
        if (!ServiceDefaults.isExternallyAccessible(spec)) {
            if (!external.isEmpty()) {
                errors.invalid("spec.externalTrafficPolicy", external, "may only be set for externally-accessible services");
            }
        } else {
            ContainerValidation.oneOf(external, TRAFFIC_POLICIES, "spec.externalTrafficPolicy", errors);
        }
        int healthCheckPort = spec.getHealthCheckNodePort() == null ? 0 : spec.getHealthCheckNodePort();
        if (!needsHealthCheck(spec)) {
            if (healthCheckPort != 0) {
                errors.invalid("spec.healthCheckNodePort", healthCheckPort,
                        "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'");
            }
        } else if (healthCheckPort == 0) {
            errors.required("spec.healthCheckNodePort", "");
        } else {
            NameSyntax.portNumber(healthCheckPort).forEach(problem ->
                    errors.invalid("spec.healthCheckNodePort", healthCheckPort, problem));
        }
        String internal = spec.getInternalTrafficPolicy();
        if (internal == null && List.of("ClusterIP", "NodePort", "LoadBalancer").contains(type)) {
            errors.required("spec.internalTrafficPolicy", "");
        } else if (internal != null && !TRAFFIC_POLICIES.contains(internal)) {
            errors.notSupported("spec.internalTrafficPolicy", internal, TRAFFIC_POLICIES);
        }
    }

    /** Load balancers check each node's health port to send traffic only where a local endpoint runs. */
    private static boolean needsHealthCheck(ServiceSpec spec) {
        return "LoadBalancer".equals(spec.getType()) && "Local".equals(spec.getExternalTrafficPolicy());
    }

    /**
     * A cluster IP, once allocated, is the service's identity for its clients: it never changes (unless the
     * service turns into or out of an ExternalName). Likewise the health check port of a Local load balancer.
     */
    private static void update(ServiceSpec spec, ServiceSpec old, FieldErrors errors) {
        boolean externalName = "ExternalName".equals(spec.getType()) || "ExternalName".equals(old.getType());
        if (!externalName && !(isHeadless(spec) && isHeadless(old))) {
            String oldIp = primaryIp(old);
            String newIp = primaryIp(spec);
            Object shown = Json.MAPPER.valueToTree(NullSafe.list(spec.getClusterIPs()));
            if (!oldIp.isEmpty() && newIp.isEmpty()) {
                errors.invalid("spec.clusterIPs[0]", shown, "primary clusterIP can not be unset");
            } else if (!oldIp.isEmpty() && !oldIp.equals(newIp)) {
                errors.invalid("spec.clusterIPs[0]", shown, "may not change once set");
            }
        }
        if (needsHealthCheck(old) && needsHealthCheck(spec)
                && !Objects.equals(spec.getHealthCheckNodePort(), old.getHealthCheckNodePort())) {
            errors.forbidden("spec.healthCheckNodePort", "field is immutable");
        }
    }

    private static String primaryIp(ServiceSpec spec) {
        List<String> ips = NullSafe.list(spec.getClusterIPs());
        return ips.isEmpty() ? NullSafe.string(spec.getClusterIP()) : NullSafe.string(ips.get(0));
    }
}
