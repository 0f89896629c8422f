package io.qube.apiserver.admission;

import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClass;
import io.qube.apiserver.registry.FieldErrors.Cause;
import org.junit.jupiter.api.Test;

import static io.qube.apiserver.admission.Admission.copy;
import static io.qube.apiserver.admission.Admission.create;
import static io.qube.apiserver.admission.Admission.read;
import static io.qube.apiserver.admission.Admission.reasonsAndFields;
import static io.qube.apiserver.admission.Admission.update;
import static io.qube.apiserver.admission.Manifests.clusterScoped;
import static io.qube.apiserver.admission.Manifests.namespaced;
import static org.assertj.core.api.Assertions.assertThat;

/** Ingresses and IngressClasses checked as pkg/apis/networking/validation does, with its field paths and words. */
class IngressValidationTest {

    @Test
    void aCompleteIngressIsValid() {
        Ingress ingress = read(namespaced(Ingress.class, "web", """
                spec:
                  ingressClassName: nginx
                  defaultBackend: {service: {name: fallback, port: {number: 80}}}
                  tls: [{hosts: [shop.example.com, "*.example.com"], secretName: shop-tls}]
                  rules:
                  - host: shop.example.com
                    http:
                      paths:
                      - {path: /, pathType: Prefix, backend: {service: {name: shop, port: {name: http}}}}
                      - {path: /api/v1, pathType: Exact, backend: {service: {name: api, port: {number: 8080}}}}
                  - host: "*.example.com"
                    http:
                      paths:
                      - pathType: ImplementationSpecific
                        backend: {resource: {apiGroup: k8s.example.com, kind: StorageBucket, name: static}}
                """), Ingress.class);

        assertThat(create(ingress)).isEmpty();
    }

    @Test
    void anIngressNeedsRulesOrADefaultBackend() {
        Ingress ingress = read(namespaced(Ingress.class, "web", "spec: {}"), Ingress.class);

        assertThat(create(ingress)).extracting(Cause::field, Cause::message).containsExactly(
                org.assertj.core.groups.Tuple.tuple("spec",
                        "Invalid value: \"null\": either `defaultBackend` or `rules` must be specified"));
    }

    @Test
    void pathsNeedATypeAndAnAbsoluteCleanPath() {
        Ingress ingress = read(namespaced(Ingress.class, "web", """
                spec:
                  rules:
                  - http:
                      paths:
                      - {path: /, backend: {service: {name: shop, port: {number: 80}}}}
                      - {path: shop, pathType: Prefix, backend: {service: {name: shop, port: {number: 80}}}}
                      - {path: /a//b/.., pathType: Exact, backend: {service: {name: shop, port: {number: 80}}}}
                      - {path: /, pathType: Regex, backend: {service: {name: shop, port: {number: 80}}}}
                  - http: {paths: []}
                """), Ingress.class);

        assertThat(create(ingress)).containsExactly(
                new Cause("FieldValueRequired", "Required value: pathType must be specified",
                        "spec.rules[0].http.paths[0].pathType"),
                new Cause("FieldValueInvalid", "Invalid value: \"shop\": must be an absolute path",
                        "spec.rules[0].http.paths[1].path"),
                new Cause("FieldValueInvalid", "Invalid value: \"/a//b/..\": must not contain '//'",
                        "spec.rules[0].http.paths[2].path"),
                new Cause("FieldValueInvalid", "Invalid value: \"/a//b/..\": cannot end with '/..'",
                        "spec.rules[0].http.paths[2].path"),
                new Cause("FieldValueNotSupported", "Unsupported value: \"Regex\": supported values: \"Exact\", "
                        + "\"ImplementationSpecific\", \"Prefix\"", "spec.rules[0].http.paths[3].pathType"),
                new Cause("FieldValueRequired", "Required value", "spec.rules[1].http.paths"));
    }

    @Test
    void backendsAreOneServicePortOrOneResource() {
        Ingress ingress = read(namespaced(Ingress.class, "web", """
                spec:
                  rules:
                  - http:
                      paths:
                      - {path: /a, pathType: Prefix, backend: {service: {name: shop, port: {name: http, number: 80}}}}
                      - {path: /b, pathType: Prefix, backend: {service: {name: shop, port: {}}}}
                      - {path: /c, pathType: Prefix, backend: {service: {name: Shop, port: {number: 70000}}}}
                      - path: /d
                        pathType: Prefix
                        backend: {service: {name: shop, port: {number: 80}}, resource: {kind: Bucket, name: b}}
                      - {path: /e, pathType: Prefix, backend: {}}
                      - {path: /f, pathType: Prefix, backend: {resource: {kind: "", name: a/b}}}
                """), Ingress.class);

        assertThat(reasonsAndFields(create(ingress))).containsExactly(
                "FieldValueInvalid spec.rules[0].http.paths[0].backend",
                "FieldValueRequired spec.rules[0].http.paths[1].backend",
                "FieldValueInvalid spec.rules[0].http.paths[2].backend.service.name",
                "FieldValueInvalid spec.rules[0].http.paths[2].backend.service.port.number",
                "FieldValueInvalid spec.rules[0].http.paths[3].backend",
                "FieldValueInvalid spec.rules[0].http.paths[4].backend",
                "FieldValueRequired spec.rules[0].http.paths[5].backend.resource.kind",
                "FieldValueInvalid spec.rules[0].http.paths[5].backend.resource.name");
        assertThat(create(ingress).get(0).message())
                .isEqualTo("Invalid value: \"\": cannot set both port name & port number");
        assertThat(create(ingress).get(1).message()).isEqualTo("Required value: port name or number is required");
    }

    @Test
    void hostsAreDnsNamesOrWildcardsNeverAddresses() {
        Ingress ingress = read(namespaced(Ingress.class, "web", """
                spec:
                  defaultBackend: {service: {name: shop, port: {number: 80}}}
                  rules: [{host: 10.0.0.1}, {host: "*.*.example.com"}, {host: Shop.example.com}]
                  tls: [{hosts: ["shop.*.com", under_score.example.com], secretName: Bad_Secret}]
                """), Ingress.class);

        assertThat(reasonsAndFields(create(ingress))).containsExactly(
                "FieldValueInvalid spec.rules[0].host",
                "FieldValueInvalid spec.rules[1].host",
                "FieldValueInvalid spec.rules[2].host",
                "FieldValueInvalid spec.tls[0].hosts[1]",
                "FieldValueInvalid spec.tls[0].secretName",
                "FieldValueInvalid spec.tls[0].hosts[0]");
        assertThat(create(ingress).get(0).message())
                .isEqualTo("Invalid value: \"10.0.0.1\": must be a DNS name, not an IP address");
        assertThat(create(ingress).get(1).message()).startsWith("Invalid value: \"*.*.example.com\": a wildcard "
                + "DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain");
    }

    @Test
    void theClassAnnotationMustAgreeWithTheClassField() {
        Ingress ingress = read("""
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata:
                  name: web
                  namespace: default
                  annotations: {kubernetes.io/ingress.class: traefik}
                spec:
                  ingressClassName: nginx
                  defaultBackend: {service: {name: shop, port: {number: 80}}}
                """, Ingress.class);

        assertThat(create(ingress)).containsExactly(new Cause("FieldValueInvalid",
                "Invalid value: \"traefik\": must match `ingressClassName` when both are specified",
                "annotations.kubernetes.io/ingress.class"));
    }

    @Test
    void aClassNamesItsControllerAsADomainPrefixedPath() {
        IngressClass valid = read(clusterScoped(IngressClass.class, "nginx", """
                spec:
                  controller: k8s.io/ingress-nginx
                  parameters: {apiGroup: k8s.example.com, kind: IngressParameters, name: external-lb}
                """), IngressClass.class);
        IngressClass unprefixed = read(clusterScoped(IngressClass.class, "bad", "spec: {controller: nginx}"),
                IngressClass.class);
        IngressClass missing = read(clusterScoped(IngressClass.class, "empty", "spec: {}"), IngressClass.class);

        assertThat(create(valid)).isEmpty();
        assertThat(create(unprefixed)).containsExactly(new Cause("FieldValueInvalid",
                "Invalid value: \"nginx\": must be a domain-prefixed path (such as \"acme.io/foo\")",
                "spec.controller"));
        assertThat(create(missing)).containsExactly(new Cause("FieldValueRequired", "Required value",
                "spec.controller"));
    }

    @Test
    void classParametersMatchTheirScope() {
        IngressClass namespaceWithout = read(clusterScoped(IngressClass.class, "a", """
                spec:
                  controller: example.com/lb
                  parameters: {kind: Params, name: p, scope: Namespace}
                """), IngressClass.class);
        IngressClass clusterWith = read(clusterScoped(IngressClass.class, "b", """
                spec:
                  controller: example.com/lb
                  parameters: {kind: Params, name: p, scope: Cluster, namespace: team-a}
                """), IngressClass.class);
        IngressClass unknown = read(clusterScoped(IngressClass.class, "c", """
                spec:
                  controller: example.com/lb
                  parameters: {kind: Params, name: p, scope: Global}
                """), IngressClass.class);

        assertThat(create(namespaceWithout)).containsExactly(new Cause("FieldValueRequired",
                "Required value: `parameters.scope` is set to 'Namespace'", "spec.parameters.namespace"));
        assertThat(create(clusterWith)).containsExactly(new Cause("FieldValueForbidden",
                "Forbidden: `parameters.scope` is set to 'Cluster'", "spec.parameters.namespace"));
        assertThat(create(unknown)).containsExactly(new Cause("FieldValueNotSupported",
                "Unsupported value: \"Global\": supported values: \"Cluster\", \"Namespace\"",
                "spec.parameters.scope"));
    }

    @Test
    void aClassKeepsItsController() {
        IngressClass old = read(clusterScoped(IngressClass.class, "nginx", "spec: {controller: k8s.io/ingress-nginx}"),
                IngressClass.class);
        IngressClass changed = copy(old);
        changed.getSpec().setController("example.com/other");

        assertThat(reasonsAndFields(update(changed, old))).containsExactly("FieldValueInvalid spec.controller");
    }
}
