package io.qube.apiserver.admission;

import io.fabric8.kubernetes.api.model.networking.v1.IngressClass;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicySpec;

import java.util.ArrayList;
import java.util.List;

/** Kubernetes' networking/v1 defaults (pkg/apis/networking/v1/defaults.go). An Ingress has none. */
final class NetworkingDefaults {

    private NetworkingDefaults() {
    }

    /**
     * Ports are TCP unless they say otherwise; a policy naming no policy types applies to ingress, and to egress as
     * well when it has egress rules.
     */
    static void networkPolicy(NetworkPolicy policy) {
        if (policy.getSpec() == null) {
            policy.setSpec(new NetworkPolicySpec());
        }
        NetworkPolicySpec spec = policy.getSpec();
        for (NetworkPolicyIngressRule rule : NullSafe.list(spec.getIngress())) {
            tcpByDefault(rule.getPorts());
        }
        for (NetworkPolicyEgressRule rule : NullSafe.list(spec.getEgress())) {
            tcpByDefault(rule.getPorts());
        }
        if (NullSafe.list(spec.getPolicyTypes()).isEmpty()) {
            List<String> types = new ArrayList<>(List.of("Ingress"));
            if (!NullSafe.list(spec.getEgress()).isEmpty()) {
                types.add("Egress");
            }
            spec.setPolicyTypes(types);
        }
    }

    /** Parameters without a scope are cluster-wide. */
    static void ingressClass(IngressClass ingressClass) {
        if (ingressClass.getSpec() != null && ingressClass.getSpec().getParameters() != null
                && ingressClass.getSpec().getParameters().getScope() == null) {
            ingressClass.getSpec().getParameters().setScope("Cluster");
        }
    }

    private static void tcpByDefault(List<NetworkPolicyPort> ports) {
        for (NetworkPolicyPort port : NullSafe.list(ports)) {
            if (port.getProtocol() == null) {
                port.setProtocol("TCP");
            }
        }
    }
}
