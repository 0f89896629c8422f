package io.qube.apiserver.admission;

import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClass;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import org.junit.jupiter.api.Test;

import static io.qube.apiserver.admission.Admission.assertStored;
import static io.qube.apiserver.admission.Admission.defaulted;
import static io.qube.apiserver.admission.Manifests.clusterScoped;
import static io.qube.apiserver.admission.Manifests.namespaced;

/** networking/v1 defaults, compared with what a real cluster stores for the same manifests. */
class NetworkingDefaultsTest {

    @Test
    void aPolicyWithoutTypesIsAnIngressPolicyAndPortsAreTcp() {
        NetworkPolicy policy = defaulted(namespaced(NetworkPolicy.class, "api", """
                spec:
                  podSelector: {matchLabels: {app: api}}
                  ingress: [{ports: [{port: 8080}, {protocol: UDP, port: 53}]}]
                """), NetworkPolicy.class);

        assertStored(policy.getSpec(), """
                podSelector: {matchLabels: {app: api}}
                ingress: [{ports: [{port: 8080, protocol: TCP}, {protocol: UDP, port: 53}]}]
                policyTypes: [Ingress]
                """);
    }

    @Test
    void aPolicyWithEgressRulesIsAlsoAnEgressPolicy() {
        NetworkPolicy policy = defaulted(namespaced(NetworkPolicy.class, "api", """
                spec:
                  podSelector: {}
                  egress: [{ports: [{port: 443}]}]
                """), NetworkPolicy.class);
        NetworkPolicy egressOnly = defaulted(namespaced(NetworkPolicy.class, "deny", """
                spec: {podSelector: {}, policyTypes: [Egress]}
                """), NetworkPolicy.class);

        assertStored(policy.getSpec(), """
                podSelector: {}
                egress: [{ports: [{port: 443, protocol: TCP}]}]
                policyTypes: [Ingress, Egress]
                """);
        assertStored(egressOnly.getSpec(), "{podSelector: {}, policyTypes: [Egress]}");
    }

    @Test
    void classParametersAreClusterScopedUnlessSaid() {
        IngressClass ingressClass = defaulted(clusterScoped(IngressClass.class, "nginx", """
                spec:
                  controller: k8s.io/ingress-nginx
                  parameters: {apiGroup: k8s.example.com, kind: IngressParameters, name: external-lb}
                """), IngressClass.class);

        assertStored(ingressClass.getSpec(), """
                controller: k8s.io/ingress-nginx
                parameters: {apiGroup: k8s.example.com, kind: IngressParameters, name: external-lb, scope: Cluster}
                """);
    }

    @Test
    void anIngressIsStoredAsGiven() {
        Ingress ingress = defaulted(namespaced(Ingress.class, "web", """
                spec:
                  rules:
                  - http:
                      paths: [{path: /, pathType: Prefix, backend: {service: {name: shop, port: {number: 80}}}}]
                """), Ingress.class);

        assertStored(ingress.getSpec(), """
                rules:
                - http:
                    paths: [{path: /, pathType: Prefix, backend: {service: {name: shop, port: {number: 80}}}}]
                """);
    }
}
