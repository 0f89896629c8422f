package io.qube.apiserver.admission;

import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.qube.apiserver.registry.FieldErrors.Cause;
import org.junit.jupiter.api.Test;

import static io.qube.apiserver.admission.Admission.create;
import static io.qube.apiserver.admission.Admission.read;
import static io.qube.apiserver.admission.Admission.reasonsAndFields;
import static io.qube.apiserver.admission.Manifests.namespaced;
import static org.assertj.core.api.Assertions.assertThat;

/** NetworkPolicies checked as pkg/apis/networking/validation does: peers, ports and policy types. */
class NetworkPolicyValidationTest {

    @Test
    void aTypicalPolicyIsValid() {
        NetworkPolicy policy = read(namespaced(NetworkPolicy.class, "api", """
                spec:
                  podSelector: {matchLabels: {app: api}}
                  ingress:
                  - from:
                    - podSelector: {matchLabels: {app: web}}
                      namespaceSelector: {matchLabels: {team: shop}}
                    - ipBlock: {cidr: 172.17.0.0/16, except: [172.17.1.0/24]}
                    ports: [{port: 8080}, {protocol: UDP, port: dns}, {port: 30000, endPort: 32767}]
                  egress:
                  - to: [{ipBlock: {cidr: "2001:db8::/32"}}]
                  policyTypes: [Ingress, Egress]
                """), NetworkPolicy.class);

        assertThat(create(policy)).isEmpty();
    }

    @Test
    void eachPeerIsSomethingAndAnIpBlockStandsAlone() {
        NetworkPolicy policy = read(namespaced(NetworkPolicy.class, "api", """
                spec:
                  podSelector: {}
                  ingress:
                  - from:
                    - {}
                    - podSelector: {}
                      ipBlock: {cidr: 10.0.0.0/8}
                    - ipBlock: {cidr: 10.0.0.0/33}
                    - ipBlock: {cidr: 10.0.0.0/16, except: [10.0.0.0/16, 10.1.0.0/24, bad]}
                    - ipBlock: {cidr: ""}
                """), NetworkPolicy.class);

        assertThat(create(policy)).containsExactly(
                new Cause("FieldValueRequired", "Required value: must specify a peer", "spec.ingress[0].from[0]"),
                new Cause("FieldValueForbidden", "Forbidden: may not specify both ipBlock and another peer",
                        "spec.ingress[0].from[1]"),
                new Cause("FieldValueInvalid", "Invalid value: \"10.0.0.0/33\": must be a valid CIDR value, (e.g. "
                        + "10.9.8.0/24 or 2001:db8::/64)", "spec.ingress[0].from[2].ipBlock.cidr"),
                new Cause("FieldValueInvalid", "Invalid value: \"10.0.0.0/16\": must be a strict subset of `cidr`",
                        "spec.ingress[0].from[3].ipBlock.except[0]"),
                new Cause("FieldValueInvalid", "Invalid value: \"10.1.0.0/24\": must be a strict subset of `cidr`",
                        "spec.ingress[0].from[3].ipBlock.except[1]"),
                new Cause("FieldValueInvalid", "Invalid value: \"bad\": must be a valid CIDR value, (e.g. "
                        + "10.9.8.0/24 or 2001:db8::/64)", "spec.ingress[0].from[3].ipBlock.except[2]"),
                new Cause("FieldValueRequired", "Required value", "spec.ingress[0].from[4].ipBlock.cidr"));
    }

    @Test
    void portsHaveAKnownProtocolAndARangeOnlyFromANumber() {
        NetworkPolicy policy = read(namespaced(NetworkPolicy.class, "api", """
                spec:
                  podSelector: {}
                  egress:
                  - ports:
                    - {protocol: ICMP, port: 0}
                    - {port: 443, endPort: 80}
                    - {port: https, endPort: 8443}
                    - {endPort: 8443}
                    - {port: Not_A_Name}
                """), NetworkPolicy.class);

        assertThat(create(policy)).containsExactly(
                new Cause("FieldValueNotSupported", "Unsupported value: \"ICMP\": supported values: \"TCP\", \"UDP\", "
                        + "\"SCTP\"", "spec.egress[0].ports[0].protocol"),
                new Cause("FieldValueInvalid", "Invalid value: 0: must be between 1 and 65535, inclusive",
                        "spec.egress[0].ports[0].port"),
                new Cause("FieldValueInvalid", "Invalid value: 443: must be greater than or equal to `port`",
                        "spec.egress[0].ports[1].endPort"),
                new Cause("FieldValueInvalid", "Invalid value: 8443: may not be specified when `port` is non-numeric",
                        "spec.egress[0].ports[2].endPort"),
                new Cause("FieldValueInvalid", "Invalid value: 8443: may not be specified when `port` is not "
                        + "specified", "spec.egress[0].ports[3].endPort"),
                new Cause("FieldValueInvalid", "Invalid value: \"Not_A_Name\": must contain only alpha-numeric "
                        + "characters (a-z, 0-9), and hyphens (-)", "spec.egress[0].ports[4].port"));
    }

    @Test
    void policyTypesAreIngressAndEgressOnly() {
        NetworkPolicy unknown = read(namespaced(NetworkPolicy.class, "a", """
                spec: {podSelector: {}, policyTypes: [Ingress, Both]}
                """), NetworkPolicy.class);
        NetworkPolicy tooMany = read(namespaced(NetworkPolicy.class, "b", """
                spec: {podSelector: {}, policyTypes: [Ingress, Egress, Ingress]}
                """), NetworkPolicy.class);

        assertThat(create(unknown)).containsExactly(new Cause("FieldValueNotSupported",
                "Unsupported value: \"Both\": supported values: \"Ingress\", \"Egress\"", "spec.policyTypes[1]"));
        assertThat(reasonsAndFields(create(tooMany))).containsExactly("FieldValueInvalid spec.policyTypes");
        assertThat(create(tooMany).get(0).message()).endsWith("may not specify more than two policyTypes");
    }

    @Test
    void selectorsAreValidated() {
        NetworkPolicy policy = read(namespaced(NetworkPolicy.class, "a", """
                spec:
                  podSelector: {matchExpressions: [{key: app, operator: Like}]}
                """), NetworkPolicy.class);

        assertThat(reasonsAndFields(create(policy)))
                .containsExactly("FieldValueInvalid spec.podSelector.matchExpressions[0].operator");
    }
}
