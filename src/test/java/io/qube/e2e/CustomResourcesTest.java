package io.qube.e2e;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.qube.test.EmbeddedPostgresResource;
import io.qube.test.Kubectl;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.URL;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * CustomResourceDefinitions through the real kubectl: a CRD is established and its kind served within a second,
 * with its schema's validation, defaults and pruning, printer columns, the scale subresource, server-side apply,
 * and deleting the CRD deletes its custom resources.
 */
@QuarkusTest
@WithTestResource(EmbeddedPostgresResource.class)
class CustomResourcesTest {

    private static final String CRD = """
            apiVersion: apiextensions.k8s.io/v1
            kind: CustomResourceDefinition
            metadata: {name: widgets.example.com}
            spec:
              group: example.com
              scope: Namespaced
              names: {plural: widgets, kind: Widget, shortNames: [wd], categories: [all]}
              versions:
              - name: v1beta1
                served: true
                storage: false
                schema:
                  openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}
              - name: v1
                served: true
                storage: true
                selectableFields: [{jsonPath: .spec.colour}]
                subresources:
                  status: {}
                  scale: {specReplicasPath: .spec.replicas, statusReplicasPath: .status.replicas}
                additionalPrinterColumns:
                - {name: Colour, type: string, jsonPath: .spec.colour}
                - {name: Replicas, type: integer, jsonPath: .spec.replicas}
                schema:
                  openAPIV3Schema:
                    type: object
                    properties:
                      spec:
                        type: object
                        required: [colour]
                        properties:
                          colour: {type: string, enum: [red, green, blue]}
                          replicas: {type: integer, minimum: 0, default: 1}
                          size: {type: string, pattern: "^[0-9]+(cm|m)$"}
                      status:
                        type: object
                        properties:
                          replicas: {type: integer}
            """;

    @TestHTTPResource
    URL server;

    private Kubectl kubectl;

    @BeforeEach
    void kubectl() {
        Kubectl.assumeInstalled();
        kubectl = Kubectl.against(URI.create("http://127.0.0.1:" + server.getPort()));
    }

    @Test
    void aCrdIsServedWithItsSchemaColumnsAndScaleAndItsDeletionTakesItsResources() {
        kubectl.ok("apply", "-f", kubectl.manifest("crd.yaml", CRD).toString());
        await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(50)).until(() -> kubectl.run(
                "get", "crd", "widgets.example.com", "-o",
                "jsonpath={.status.conditions[?(@.type==\"Established\")].status}").stdout().equals("True"));
        assertThat(kubectl.ok("get", "crd", "widgets.example.com", "-o", "jsonpath={.status.acceptedNames.kind} "
                + "{.status.storedVersions} {.metadata.finalizers}").stdout())
                .isEqualTo("Widget [\"v1\"] [\"customresourcecleanup.apiextensions.k8s.io\"]");

        kubectl.ok("create", "namespace", "crs");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> kubectl.okIn("crs", "apply", "-f",
                kubectl.manifest("w.yaml", """
                        apiVersion: example.com/v1
                        kind: Widget
                        metadata: {name: w1}
                        spec: {colour: red}
                        """).toString()));
        assertThat(kubectl.okIn("crs", "get", "widget", "w1", "-o", "jsonpath={.spec}").stdout())
                .isEqualTo("{\"colour\":\"red\",\"replicas\":1}");
        // v1beta1 is listed first, but discovery prefers v1 (Kubernetes' version priority), so kubectl reads v1.
        assertThat(kubectl.ok("get", "--raw", "/apis/example.com").stdout())
                .contains("\"preferredVersion\":{\"groupVersion\":\"example.com/v1\",\"version\":\"v1\"}");
        assertThat(kubectl.okIn("crs", "get", "widget", "w1", "-o", "jsonpath={.apiVersion}").stdout())
                .isEqualTo("example.com/v1");
        assertThat(kubectl.ok("explain", "widgets.spec").stdout())
                .contains("GROUP:      example.com").contains("KIND:       Widget")
                .containsPattern("colour\\s+<string> -required-").containsPattern("replicas\\s+<integer>");
        assertThat(kubectl.okIn("crs", "get", "wd").stdout())
                .containsPattern("NAME\\s+COLOUR\\s+REPLICAS").containsPattern("w1\\s+red\\s+1");

        Kubectl.Result invalid = kubectl.run("-n", "crs", "apply", "--validate=false", "-f",
                kubectl.manifest("bad.yaml", """
                        apiVersion: example.com/v1
                        kind: Widget
                        metadata: {name: w2}
                        spec: {colour: pink, replicas: "three", size: big}
                        """).toString());
        assertThat(invalid.succeeded()).isFalse();
        assertThat(invalid.stderr())
                .contains("spec.colour: Unsupported value: \"pink\": supported values: \"red\", \"green\", \"blue\"")
                .contains("spec.replicas: Invalid value: \"string\": spec.replicas in body must be of type "
                        + "integer: \"string\"")
                .contains("spec.size: Invalid value: \"big\": spec.size in body should match '^[0-9]+(cm|m)$'");

        kubectl.okIn("crs", "apply", "--validate=false", "-f", kubectl.manifest("pruned.yaml", """
                apiVersion: example.com/v1
                kind: Widget
                metadata: {name: w3}
                spec: {colour: blue, shape: round}
                """).toString());
        assertThat(kubectl.okIn("crs", "get", "widget", "w3", "-o", "jsonpath={.spec}").stdout())
                .isEqualTo("{\"colour\":\"blue\",\"replicas\":1}");

        assertThat(kubectl.okIn("crs", "get", "widgets", "--field-selector", "spec.colour=blue", "-o", "name")
                .stdout().strip()).isEqualTo("widget.example.com/w3");
        assertThat(kubectl.okIn("crs", "get", "widgets", "--field-selector", "metadata.name=w1", "-o", "name")
                .stdout().strip()).isEqualTo("widget.example.com/w1");
        // conversion None: one object, read and written through either version with that version's apiVersion
        kubectl.okIn("crs", "patch", "widgets.v1beta1.example.com", "w3", "--type=merge", "-p",
                "{\"spec\":{\"size\":\"3m\"}}");
        assertThat(kubectl.okIn("crs", "get", "widgets.v1beta1.example.com", "w3", "-o",
                "jsonpath={.apiVersion} {.spec.size}").stdout()).isEqualTo("example.com/v1beta1 3m");
        assertThat(kubectl.okIn("crs", "get", "widgets.v1.example.com", "w3", "-o", "jsonpath={.apiVersion}")
                .stdout()).isEqualTo("example.com/v1");
        kubectl.okIn("crs", "scale", "widget", "w1", "--replicas=4");
        assertThat(kubectl.okIn("crs", "get", "widget", "w1", "-o", "jsonpath={.spec.replicas}").stdout())
                .isEqualTo("4");
        kubectl.okIn("crs", "apply", "--server-side", "--field-manager=me", "-f", kubectl.manifest("ssa.yaml", """
                apiVersion: example.com/v1
                kind: Widget
                metadata: {name: w4}
                spec: {colour: green, replicas: 2}
                """).toString());
        assertThat(kubectl.okIn("crs", "get", "widget", "w4", "-o", "jsonpath={.metadata.managedFields[0].manager}")
                .stdout()).isEqualTo("me");
        assertThat(kubectl.okIn("crs", "get", "all").stdout()).contains("widget.example.com/w1");

        kubectl.ok("delete", "crd", "widgets.example.com");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(kubectl.run("get", "crd",
                "widgets.example.com").succeeded()).isFalse());
        assertThat(kubectl.run("get", "--raw", "/apis/example.com/v1/namespaces/crs/widgets").succeeded()).isFalse();
    }

    @Test
    void deletingANamespaceDeletesItsCustomResources() {
        kubectl.ok("apply", "-f", kubectl.manifest("gadgets.yaml", """
                apiVersion: apiextensions.k8s.io/v1
                kind: CustomResourceDefinition
                metadata: {name: gadgets.example.org}
                spec:
                  group: example.org
                  scope: Namespaced
                  names: {plural: gadgets, kind: Gadget}
                  versions:
                  - name: v1
                    served: true
                    storage: true
                    schema:
                      openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}
                """).toString());
        kubectl.ok("create", "namespace", "gadgets");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> kubectl.okIn("gadgets", "apply", "-f",
                kubectl.manifest("g.yaml", """
                        apiVersion: example.org/v1
                        kind: Gadget
                        metadata: {name: g1}
                        """).toString()));

        kubectl.ok("delete", "namespace", "gadgets", "--wait=false");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(kubectl.run("get", "namespace",
                "gadgets").succeeded()).isFalse());
        assertThat(kubectl.ok("get", "--raw", "/apis/example.org/v1/namespaces/gadgets/gadgets").stdout())
                .contains("\"items\":[]");
        kubectl.ok("delete", "crd", "gadgets.example.org");
    }
}
