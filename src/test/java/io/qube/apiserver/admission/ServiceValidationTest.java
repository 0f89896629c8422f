package io.qube.apiserver.admission;

import io.fabric8.kubernetes.api.model.Service;
import io.qube.apiserver.registry.FieldErrors.Cause;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.qube.apiserver.admission.Admission.copy;
import static io.qube.apiserver.admission.Admission.create;
import static io.qube.apiserver.admission.Admission.read;
import static io.qube.apiserver.admission.Admission.reasonsAndFields;
import static io.qube.apiserver.admission.Admission.update;
import static io.qube.apiserver.admission.Manifests.namespaced;
import static org.assertj.core.api.Assertions.assertThat;

/** Typical mistakes in a Service, and its fixed cluster IP, with Kubernetes' field paths and reasons. */
class ServiceValidationTest {

    @Test
    void aWellFormedServicePasses() {
        assertThat(create(service("""
                spec:
                  selector: {app: web}
                  ports:
                  - {name: http, port: 80, targetPort: http}
                  - {name: https, port: 443, targetPort: 8443}
                """))).isEmpty();
    }

    @Test
    void aServiceNeedsPorts() {
        assertThat(create(service("spec: {selector: {app: web}}")))
                .containsExactly(new Cause("FieldValueRequired", "Required value", "spec.ports"));
        assertThat(create(service("spec: {clusterIP: None, selector: {app: web}}"))).isEmpty();
    }

    @Test
    void severalPortsNeedUniqueNames() {
        List<Cause> causes = create(service("""
                spec:
                  selector: {app: web}
                  ports:
                  - {port: 80}
                  - {name: web, port: 443}
                  - {name: web, port: 8443}
                """));

        assertThat(causes).containsExactly(
                new Cause("FieldValueRequired", "Required value", "spec.ports[0].name"),
                new Cause("FieldValueDuplicate", "Duplicate value: \"web\"", "spec.ports[2].name"));
    }

    @Test
    void portsNeedValidNumbersProtocolsAndTargets() {
        List<Cause> causes = create(service("""
                spec:
                  selector: {app: web}
                  ports:
                  - {name: a, port: 0, protocol: HTTP, targetPort: Web_Port}
                  - {name: b, port: 80}
                  - {name: c, port: 80}
                """));

        assertThat(causes).containsExactly(
                new Cause("FieldValueInvalid", "Invalid value: 0: must be between 1 and 65535, inclusive", "spec.ports[0].port"),
                new Cause("FieldValueNotSupported", "Unsupported value: \"HTTP\": supported values: \"SCTP\", \"TCP\", \"UDP\"",
                        "spec.ports[0].protocol"),
                new Cause("FieldValueInvalid", "Invalid value: \"Web_Port\": must contain only alpha-numeric characters "
                        + "(a-z, 0-9), and hyphens (-)", "spec.ports[0].targetPort"),
                new Cause("FieldValueDuplicate", "Duplicate value: \"80/TCP\"", "spec.ports[2]"));
    }

    @Test
    void typeAndAffinityMustBeKnownAndNodePortsNeedTheirType() {
        List<Cause> causes = create(service("""
                spec:
                  type: Internal
                  sessionAffinity: Sticky
                  selector: {app: web}
                  ports: [{port: 80}]
                """));
        List<Cause> nodePort = create(service("""
                spec:
                  selector: {app: web}
                  ports: [{port: 80, nodePort: 30080}]
                """));

        assertThat(reasonsAndFields(causes)).containsExactly(
                "FieldValueNotSupported spec.sessionAffinity", "FieldValueNotSupported spec.type");
        assertThat(nodePort).containsExactly(new Cause("FieldValueForbidden",
                "Forbidden: may not be used when `type` is 'ClusterIP'", "spec.ports[0].nodePort"));
    }

    @Test
    void clientIpAffinityNeedsASensibleTimeout() {
        assertThat(create(service("""
                spec:
                  selector: {app: web}
                  ports: [{port: 80}]
                  sessionAffinity: ClientIP
                  sessionAffinityConfig: {clientIP: {timeoutSeconds: 0}}
                """))).containsExactly(new Cause("FieldValueInvalid",
                "Invalid value: 0: must be greater than 0 and less than 86400",
                "spec.sessionAffinityConfig.clientIP.timeoutSeconds"));
    }

    @Test
    void anExternalNameServiceNeedsAName() {
        assertThat(create(service("spec: {type: ExternalName}")))
                .containsExactly(new Cause("FieldValueRequired", "Required value", "spec.externalName"));
        assertThat(create(service("spec: {type: ExternalName, externalName: db.example.com.}"))).isEmpty();
    }

    @Test
    void externalIpsMustBeRoutableAddresses() {
        assertThat(create(service("""
                spec:
                  selector: {app: web}
                  ports: [{port: 80}]
                  externalIPs: [127.0.0.1, not-an-ip, 192.0.2.10]
                """))).containsExactly(
                new Cause("FieldValueInvalid", "Invalid value: \"127.0.0.1\": may not be in the loopback range "
                        + "(127.0.0.0/8, ::1/128)", "spec.externalIPs[0]"),
                new Cause("FieldValueInvalid", "Invalid value: \"not-an-ip\": must be a valid IP address, "
                        + "(e.g. 10.9.8.7 or 2001:db8::ffff)", "spec.externalIPs[1]"));
    }

    @Test
    void thisSingleStackClusterCannotRequireDualStack() {
        assertThat(reasonsAndFields(create(service("""
                spec:
                  ipFamilyPolicy: RequireDualStack
                  selector: {app: web}
                  ports: [{port: 80}]
                """)))).containsExactly("FieldValueInvalid spec.ipFamilyPolicy");
    }

    @Test
    void anAllocatedClusterIpNeverChanges() {
        Service old = service("""
                spec:
                  selector: {app: web}
                  ports: [{port: 80}]
                """);
        assertThat(create(old)).isEmpty();
        // Allocation is the REST layer's; here the stored object simply has its IP.
        old.getSpec().setClusterIP("10.96.0.12");
        old.getSpec().setClusterIPs(new ArrayList<>(List.of("10.96.0.12")));
        Service moved = copy(old);
        moved.getSpec().setClusterIP("10.96.0.13");
        moved.getSpec().setClusterIPs(new ArrayList<>(List.of("10.96.0.13")));
        Service relabelled = copy(old);
        relabelled.getSpec().getSelector().put("tier", "front");

        assertThat(update(moved, old)).containsExactly(new Cause("FieldValueInvalid",
                "Invalid value: [\"10.96.0.13\"]: may not change once set", "spec.clusterIPs[0]"));
        assertThat(update(relabelled, old)).isEmpty();
    }

    private static Service service(String spec) {
        return read(namespaced(Service.class, "web", spec), Service.class);
    }
}
