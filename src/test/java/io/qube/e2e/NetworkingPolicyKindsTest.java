package io.qube.e2e;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.qube.test.EmbeddedPostgresResource;
import io.qube.test.Kubectl;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

import java.net.URI;
import java.net.URL;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Ingress, IngressClass, NetworkPolicy and PodDisruptionBudget through the real kubectl: short names, the table
 * columns kubectl prints, the defaults stored, the default IngressClass given to a new Ingress, and validation
 * errors naming the field. No controller runs here: budgets keep the zero status they are created with.
 */
@QuarkusTest
@WithTestResource(EmbeddedPostgresResource.class)
class NetworkingPolicyKindsTest {

    @TestHTTPResource
    URL server;

    private Kubectl kubectl;
    private String namespace;

    @BeforeEach
    void namespace(TestInfo test) {
        Kubectl.assumeInstalled();
        kubectl = Kubectl.against(URI.create("http://127.0.0.1:" + server.getPort()));
        String method = test.getTestMethod().orElseThrow().getName().toLowerCase().replaceAll("[^a-z0-9]", "");
        namespace = "np-" + method.substring(0, Math.min(20, method.length()));
        kubectl.ok("create", "namespace", namespace);
    }

    @Test
    void anIngressWithoutAClassGetsTheDefaultOne() {
        kubectl.ok("apply", "-f", kubectl.manifest("classes.yaml", """
                apiVersion: networking.k8s.io/v1
                kind: IngressClass
                metadata:
                  name: np-nginx
                  annotations: {ingressclass.kubernetes.io/is-default-class: "true"}
                spec:
                  controller: k8s.io/ingress-nginx
                  parameters: {apiGroup: k8s.example.com, kind: IngressParameters, name: external-lb}
                """).toString());
        in("apply", "-f", kubectl.manifest("ingresses.yaml", """
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata: {name: shop}
                spec:
                  tls: [{hosts: [shop.example.com], secretName: shop-tls}]
                  rules:
                  - host: shop.example.com
                    http:
                      paths: [{path: /, pathType: Prefix, backend: {service: {name: shop, port: {number: 80}}}}]
                ---
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata:
                  name: legacy
                  annotations: {kubernetes.io/ingress.class: traefik}
                spec:
                  defaultBackend: {service: {name: shop, port: {name: http}}}
                """).toString());

        assertThat(in("get", "ing", "shop", "-o", "jsonpath={.spec.ingressClassName}").stdout()).isEqualTo("np-nginx");
        assertThat(in("get", "ing", "legacy", "-o", "jsonpath=[{.spec.ingressClassName}]").stdout()).isEqualTo("[]");
        String table = in("get", "ingress").stdout();
        assertThat(table.lines().findFirst().orElseThrow())
                .matches("NAME\\s+CLASS\\s+HOSTS\\s+ADDRESS\\s+PORTS\\s+AGE");
        assertThat(table).containsPattern("shop\\s+np-nginx\\s+shop.example.com\\s+80, 443\\s+\\d+s")
                .containsPattern("legacy\\s+<none>\\s+\\*\\s+80\\s+\\d+s");
        String classes = kubectl.ok("get", "ingressclass", "np-nginx").stdout();
        assertThat(classes.lines().findFirst().orElseThrow()).matches("NAME\\s+CONTROLLER\\s+PARAMETERS\\s+AGE");
        assertThat(classes).containsPattern(
                "np-nginx\\s+k8s.io/ingress-nginx\\s+IngressParameters.k8s.example.com/external-lb\\s+\\d+s");
        assertThat(kubectl.ok("get", "ingressclass", "np-nginx", "-o", "jsonpath={.spec.parameters.scope}")
                .stdout()).isEqualTo("Cluster");
        kubectl.ok("delete", "ingressclass", "np-nginx");
    }

    @Test
    void anInvalidIngressIsRefusedNamingTheField() {
        var result = kubectl.failing("-n", namespace, "apply", "-f", kubectl.manifest("bad.yaml", """
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata: {name: bad}
                spec:
                  rules:
                  - http:
                      paths: [{path: /, backend: {service: {name: shop, port: {number: 80}}}}]
                """).toString());

        assertThat(result.stderr()).contains("The Ingress \"bad\" is invalid: "
                + "spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified");
    }

    @Test
    void aNetworkPolicyGetsItsPolicyTypesAndShowsItsSelector() {
        in("apply", "-f", kubectl.manifest("policy.yaml", """
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata: {name: api}
                spec:
                  podSelector: {matchLabels: {app: api}}
                  ingress: [{from: [{podSelector: {matchLabels: {app: web}}}], ports: [{port: 8080}]}]
                  egress: [{to: [{ipBlock: {cidr: 10.0.0.0/8}}]}]
                """).toString());

        assertThat(in("get", "netpol", "api", "-o",
                "jsonpath={.spec.policyTypes} {.spec.ingress[0].ports[0].protocol}").stdout())
                .isEqualTo("[\"Ingress\",\"Egress\"] TCP");
        String table = in("get", "networkpolicies").stdout();
        assertThat(table.lines().findFirst().orElseThrow()).matches("NAME\\s+POD-SELECTOR\\s+AGE");
        assertThat(table).containsPattern("api\\s+app=api\\s+\\d+s");
    }

    @Test
    void aDisruptionBudgetShowsItsLimitsAndRefusesBoth() {
        in("create", "pdb", "web", "--selector=app=web", "--min-available=50%");

        String table = in("get", "pdb").stdout();
        assertThat(table.lines().findFirst().orElseThrow())
                .matches("NAME\\s+MIN AVAILABLE\\s+MAX UNAVAILABLE\\s+ALLOWED DISRUPTIONS\\s+AGE");
        assertThat(table).containsPattern("web\\s+50%\\s+N/A\\s+0\\s+\\d+s");
        assertThat(in("get", "poddisruptionbudget", "web", "-o",
                "jsonpath={.status.expectedPods} {.status.disruptionsAllowed}").stdout()).isEqualTo("0 0");

        var both = kubectl.failing("-n", namespace, "patch", "pdb", "web", "--type=merge", "-p",
                "{\"spec\":{\"maxUnavailable\":1}}");
        assertThat(both.stderr()).contains("The PodDisruptionBudget \"web\" is invalid: spec: Invalid value: ")
                .contains("minAvailable and maxUnavailable cannot be both set");
    }

    private Kubectl.Result in(String... args) {
        return kubectl.okIn(namespace, args);
    }
}
