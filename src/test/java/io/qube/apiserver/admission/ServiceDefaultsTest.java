package io.qube.apiserver.admission;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import org.junit.jupiter.api.Test;

import static io.qube.apiserver.admission.Admission.assertStored;
import static io.qube.apiserver.admission.Admission.defaulted;
import static io.qube.apiserver.admission.Manifests.namespaced;
import static org.assertj.core.api.Assertions.assertThat;

/** Service defaults, compared with what a real 1.32 single-stack IPv4 cluster stores (before IP allocation). */
class ServiceDefaultsTest {

    @Test
    void kubectlCreateServiceClusterIpIsStoredWithTheClusterDefaults() {
        // What `kubectl create service clusterip my-svc --tcp=80:8080` sends.
        Service service = defaulted("""
                apiVersion: v1
                kind: Service
                metadata: {labels: {app: my-svc}, name: my-svc, namespace: default}
                spec:
                  ports:
                  - {name: 80-8080, port: 80, protocol: TCP, targetPort: 8080}
                  selector: {app: my-svc}
                  type: ClusterIP
                status: {loadBalancer: {}}
                """, Service.class);

        assertStored(service, """
                apiVersion: v1
                kind: Service
                metadata: {labels: {app: my-svc}, name: my-svc, namespace: default}
                spec:
                  internalTrafficPolicy: Cluster
                  ipFamilies: [IPv4]
                  ipFamilyPolicy: SingleStack
                  ports:
                  - {name: 80-8080, port: 80, protocol: TCP, targetPort: 8080}
                  selector: {app: my-svc}
                  sessionAffinity: None
                  type: ClusterIP
                status: {loadBalancer: {}}
                """);
    }

    @Test
    void aBarePortGetsTcpAndTargetsItself() {
        Service service = defaulted(namespaced(Service.class, "web", """
                spec:
                  selector: {app: web}
                  ports: [{port: 443}]
                """), Service.class);

        assertThat(service.getSpec().getType()).isEqualTo("ClusterIP");
        assertThat(service.getSpec().getPorts().get(0).getProtocol()).isEqualTo("TCP");
        assertThat(service.getSpec().getPorts().get(0).getTargetPort()).isEqualTo(new IntOrString(443));
    }

    @Test
    void externallyReachableServicesGetAnExternalTrafficPolicy() {
        Service nodePort = defaulted(namespaced(Service.class, "np", """
                spec: {type: NodePort, selector: {app: web}, ports: [{port: 80}]}
                """), Service.class);
        Service loadBalancer = defaulted(namespaced(Service.class, "lb", """
                spec: {type: LoadBalancer, selector: {app: web}, ports: [{port: 80}]}
                """), Service.class);

        assertThat(nodePort.getSpec().getExternalTrafficPolicy()).isEqualTo("Cluster");
        assertThat(nodePort.getSpec().getAllocateLoadBalancerNodePorts()).isNull();
        assertThat(loadBalancer.getSpec().getExternalTrafficPolicy()).isEqualTo("Cluster");
        assertThat(loadBalancer.getSpec().getAllocateLoadBalancerNodePorts()).isTrue();
    }

    @Test
    void clientIpAffinitySticksForThreeHours() {
        Service service = defaulted(namespaced(Service.class, "sticky", """
                spec: {sessionAffinity: ClientIP, selector: {app: web}, ports: [{port: 80}]}
                """), Service.class);

        assertStored(service.getSpec().getSessionAffinityConfig(), "clientIP: {timeoutSeconds: 10800}");
    }

    @Test
    void aHeadlessServiceWithoutSelectorSpansBothFamilies() {
        Service service = defaulted(namespaced(Service.class, "external-db", """
                spec: {clusterIP: None, ports: [{port: 5432}]}
                """), Service.class);

        assertThat(service.getSpec().getClusterIPs()).containsExactly("None");
        assertThat(service.getSpec().getIpFamilyPolicy()).isEqualTo("RequireDualStack");
        assertThat(service.getSpec().getIpFamilies()).containsExactly("IPv4", "IPv6");
    }

    @Test
    void anExternalNameServiceGetsNoIpFields() {
        Service service = defaulted(namespaced(Service.class, "alias", """
                spec: {type: ExternalName, externalName: db.example.com}
                """), Service.class);

        assertStored(service.getSpec(), """
                externalName: db.example.com
                sessionAffinity: None
                type: ExternalName
                """);
    }
}
