package io.qube.apiserver.openapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import io.qube.apiserver.codec.Json;
import io.qube.apiserver.registry.BuiltinResources;
import io.qube.apiserver.registry.ResourceDefinition;
import io.qube.test.EmbeddedPostgresResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/** The OpenAPI documents over real HTTP: shape, the details kubectl relies on, and that every reference resolves. */
@QuarkusTest
@WithTestResource(EmbeddedPostgresResource.class)
class OpenApiTest {

    private static final List<String> GROUP_VERSIONS = List.of("api/v1", "apis/apps/v1",
            "apis/batch/v1", "apis/storage.k8s.io/v1", "apis/rbac.authorization.k8s.io/v1",
            "apis/authorization.k8s.io/v1", "apis/autoscaling/v2", "apis/autoscaling/v1", "apis/networking.k8s.io/v1",
            "apis/policy/v1", "apis/apiextensions.k8s.io/v1", "apis/coordination.k8s.io/v1", "apis/discovery.k8s.io/v1",
            "apis/scheduling.k8s.io/v1", "apis/metrics.k8s.io/v1beta1");

    @Test
    void swaggerDocumentDescribesTheWholeApi() {
        JsonNode swagger = json(given().accept("application/json").get("/openapi/v2"));
        assertThat(swagger.path("swagger").asText()).isEqualTo("2.0");
        JsonNode definitions = swagger.path("definitions");
        assertThat(definitions.path("io.k8s.api.core.v1.Pod").path("x-kubernetes-group-version-kind"))
                .isEqualTo(gvks("", "v1", "Pod"));
        assertThat(definitions.path("io.k8s.api.apps.v1.Deployment").path("x-kubernetes-group-version-kind"))
                .isEqualTo(gvks("apps", "v1", "Deployment"));
        assertThat(definitions.path("io.k8s.apimachinery.pkg.util.intstr.IntOrString").path("type").asText())
                .isEqualTo("string");
        assertThat(definitions.path("io.k8s.apimachinery.pkg.util.intstr.IntOrString")
                .path("x-kubernetes-int-or-string").asBoolean()).isTrue();

        JsonNode patch = swagger.path("paths").path("/api/v1/namespaces/{namespace}/pods/{name}").path("patch");
        assertThat(texts(patch.path("consumes"))).contains("application/strategic-merge-patch+json",
                "application/apply-patch+yaml", "application/merge-patch+json", "application/json-patch+json");
        assertThat(texts(patch.path("parameters"), "name")).contains("fieldValidation", "body");
        assertThat(swagger.path("paths").has("/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale")).isTrue();
        assertEveryReferenceResolves(swagger, "#/definitions/", definitions);
    }

    @Test
    void v3IndexLinksEveryGroupVersionByHash() {
        Response response = given().accept("application/json").get("/openapi/v3");
        JsonNode paths = json(response).path("paths");
        assertThat(names(paths)).containsExactlyElementsOf(GROUP_VERSIONS);
        for (String groupVersion : GROUP_VERSIONS) {
            String url = paths.path(groupVersion).path("serverRelativeURL").asText();
            assertThat(url).startsWith("/openapi/v3/" + groupVersion + "?hash=");
            Response document = given().accept("application/json").get(url);
            assertThat(document.header("Cache-Control")).as(url).contains("immutable");
            assertThat(json(document).path("openapi").asText()).isEqualTo("3.0.0");
        }
        assertThat(given().accept("application/json").get("/openapi/v3/api/v1").header("Cache-Control"))
                .isEqualTo("no-cache, private");
    }

    @Test
    void everyKindHasASchemaAndAPatchThatTakesFieldValidation() {
        for (ResourceDefinition<?> definition : BuiltinResources.registry().all()) {
            String path = definition.group().isEmpty() ? "api/" + definition.version()
                    : "apis/" + definition.group() + "/" + definition.version();
            JsonNode document = v3(path);
            JsonNode gvk = gvks(definition.group(), definition.version(), definition.kind()).get(0);
            boolean hasSchema = false;
            for (JsonNode schema : document.path("components").path("schemas")) {
                hasSchema |= contains(schema.path("x-kubernetes-group-version-kind"), gvk);
            }
            assertThat(hasSchema).as(definition.kind() + " schema").isTrue();
            if (definition.isCreateOnly() || definition.isComputed()) {
                continue; // nothing to patch: created once, or computed and read-only (metrics.k8s.io)
            }
            // kubectl decides from the first PATCH of the kind it meets, so every one must qualify.
            int patches = 0;
            for (JsonNode item : document.path("paths")) {
                JsonNode patch = item.path("patch");
                if (patch.path("x-kubernetes-group-version-kind").equals(objectGvk(gvk))) {
                    patches++;
                    assertThat(texts(patch.path("parameters"), "name")).as(definition.kind())
                            .contains("fieldValidation", "dryRun", "fieldManager", "force");
                    assertThat(names(patch.path("requestBody").path("content")))
                            .contains("application/strategic-merge-patch+json");
                }
            }
            assertThat(patches).as(definition.kind() + " patches").isGreaterThan(0);
        }
    }

    @Test
    void schemasHaveTheTypesExplainShows() {
        JsonNode schemas = v3("apis/apps/v1").path("components").path("schemas");
        JsonNode spec = schemas.path("io.k8s.api.apps.v1.DeploymentSpec").path("properties");
        assertThat(spec.path("replicas").path("type").asText()).isEqualTo("integer");
        assertThat(spec.path("template").path("$ref").asText())
                .isEqualTo("#/components/schemas/io.k8s.api.core.v1.PodTemplateSpec");
        assertThat(spec.path("strategy").path("x-kubernetes-patch-strategy").asText()).isEqualTo("retainKeys");
        assertThat(schemas.path("io.k8s.api.apps.v1.RollingUpdateDeployment").path("properties").path("maxSurge")
                .path("$ref").asText()).endsWith("io.k8s.apimachinery.pkg.util.intstr.IntOrString");
        assertThat(schemas.path("io.k8s.api.autoscaling.v1.Scale").path("x-kubernetes-group-version-kind"))
                .isEqualTo(gvks("autoscaling", "v1", "Scale"));

        JsonNode container = schemas.path("io.k8s.api.core.v1.Container").path("properties");
        assertThat(container.path("image").path("type").asText()).isEqualTo("string");
        assertThat(container.path("ports").path("type").asText()).isEqualTo("array");
        assertThat(container.path("ports").path("x-kubernetes-patch-merge-key").asText()).isEqualTo("containerPort");
        assertThat(container.path("env").path("x-kubernetes-patch-merge-key").asText()).isEqualTo("name");
        assertThat(schemas.path("io.k8s.api.core.v1.ResourceRequirements").path("properties").path("limits")
                .path("additionalProperties").path("$ref").asText())
                .endsWith("io.k8s.apimachinery.pkg.api.resource.Quantity");
        assertThat(schemas.path("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta").path("properties")
                .path("creationTimestamp").path("format").asText()).isEqualTo("date-time");

        JsonNode scalePatch = v3("apis/apps/v1").path("paths")
                .path("/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale").path("patch");
        assertThat(scalePatch.path("x-kubernetes-group-version-kind"))
                .isEqualTo(objectGvk(gvks("autoscaling", "v1", "Scale").get(0)));

        JsonNode lease = v3("apis/coordination.k8s.io/v1").path("components").path("schemas");
        assertThat(lease.path("io.k8s.api.coordination.v1.LeaseSpec").path("properties").path("renewTime")
                .path("format").asText()).isEqualTo("date-time");
    }

    @Test
    void everyV3ReferenceResolvesWithinItsDocument() {
        for (String groupVersion : GROUP_VERSIONS) {
            JsonNode document = v3(groupVersion);
            assertEveryReferenceResolves(document, "#/components/schemas/", document.path("components").path("schemas"));
        }
    }

    @Test
    void aClientAcceptingNoFormWeWriteGets406AndUnchangedDocumentsAnswer304() {
        Response protobufOnly = given().accept("application/com.github.proto-openapi.spec.v3@v1.0+protobuf")
                .get("/openapi/v3");
        assertThat(protobufOnly.statusCode()).isEqualTo(406);
        assertThat(protobufOnly.header("Content-Type")).isEqualTo("application/json");
        assertThat(protobufOnly.jsonPath().getString("kind")).isEqualTo("Status");
        assertThat(protobufOnly.jsonPath().getInt("code")).isEqualTo(406);

        String etag = given().get("/openapi/v3").header("ETag");
        assertThat(given().header("If-None-Match", etag).get("/openapi/v3").statusCode()).isEqualTo(304);
    }

    /**
     * What kubectl asks for when a manifest's kind is not in the v3 document: the v2 document as gnostic's protobuf
     * Document. Read back with protobuf's generic reader, it holds every definition of the JSON form (definitions,
     * field 9: entries of name 1, schema 2) with its x-kubernetes-group-version-kind extension (schema field 31), and
     * every path (paths, field 8: entries in field 2).
     */
    @Test
    void swaggerInProtobufCarriesTheWholeDocument() throws Exception {
        JsonNode json = json(given().accept("application/json").get("/openapi/v2"));
        Response response = given().accept("application/com.github.proto-openapi.spec.v2@v1.0+protobuf")
                .get("/openapi/v2");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.header("Content-Type"))
                .isEqualTo("application/com.github.proto-openapi.spec.v2.v1.0+protobuf");
        UnknownFieldSet document = UnknownFieldSet.parseFrom(response.asByteArray());
        assertThat(document.getField(1).getLengthDelimitedList().get(0).toStringUtf8()).isEqualTo("2.0");

        Map<String, UnknownFieldSet> definitions = new HashMap<>();
        UnknownFieldSet definitionsMessage = UnknownFieldSet.parseFrom(
                document.getField(9).getLengthDelimitedList().get(0));
        for (ByteString entry : definitionsMessage.getField(1).getLengthDelimitedList()) {
            UnknownFieldSet named = UnknownFieldSet.parseFrom(entry);
            definitions.put(named.getField(1).getLengthDelimitedList().get(0).toStringUtf8(),
                    UnknownFieldSet.parseFrom(named.getField(2).getLengthDelimitedList().get(0)));
        }
        List<String> jsonNames = new ArrayList<>();
        json.path("definitions").fieldNames().forEachRemaining(jsonNames::add);
        assertThat(definitions.keySet()).containsExactlyInAnyOrderElementsOf(jsonNames);

        UnknownFieldSet pod = definitions.get("io.k8s.api.core.v1.Pod");
        List<String> extensions = new ArrayList<>();
        for (ByteString extension : pod.getField(31).getLengthDelimitedList()) {
            UnknownFieldSet named = UnknownFieldSet.parseFrom(extension);
            UnknownFieldSet any = UnknownFieldSet.parseFrom(named.getField(2).getLengthDelimitedList().get(0));
            extensions.add(named.getField(1).getLengthDelimitedList().get(0).toStringUtf8() + "="
                    + any.getField(2).getLengthDelimitedList().get(0).toStringUtf8());
        }
        assertThat(extensions).containsExactly(
                "x-kubernetes-group-version-kind=[{\"group\":\"\",\"kind\":\"Pod\",\"version\":\"v1\"}]");
        UnknownFieldSet properties = UnknownFieldSet.parseFrom(pod.getField(25).getLengthDelimitedList().get(0));
        assertThat(properties.getField(1).getLengthDelimitedList()).hasSize(json.path("definitions")
                .path("io.k8s.api.core.v1.Pod").path("properties").size());

        UnknownFieldSet paths = UnknownFieldSet.parseFrom(document.getField(8).getLengthDelimitedList().get(0));
        assertThat(paths.getField(2).getLengthDelimitedList()).hasSize(json.path("paths").size());
        String etag = response.header("ETag");
        assertThat(given().accept("application/com.github.proto-openapi.spec.v2@v1.0+protobuf")
                .header("If-None-Match", etag).get("/openapi/v2").statusCode()).isEqualTo(304);
    }

    /**
     * kube-openapi's choice for /openapi/v2: the first clause naming JSON or gnostic's protobuf (either spelling)
     * wins; Kubernetes' object encoding is not a form of this document, so asked for alone it is a 406. Both forms
     * share the URL, so the answer varies by Accept.
     */
    @Test
    void swaggerFormIsChosenAsKubeOpenApiChoosesIt() {
        Response deprecatedSpelling = given().accept("application/com.github.proto-openapi.spec.v2@v1.0+protobuf")
                .get("/openapi/v2");
        Response currentSpelling = given()
                .accept("application/json;q=0.5, application/com.github.proto-openapi.spec.v2.v1.0+protobuf")
                .get("/openapi/v2");
        assertThat(currentSpelling.statusCode()).isEqualTo(200);
        assertThat(currentSpelling.header("Content-Type")).isEqualTo(deprecatedSpelling.header("Content-Type"));
        assertThat(currentSpelling.asByteArray()).isEqualTo(deprecatedSpelling.asByteArray());
        assertThat(deprecatedSpelling.header("Vary")).isEqualTo("Accept");

        Response objectProtobuf = given().accept("application/vnd.kubernetes.protobuf").get("/openapi/v2");
        assertThat(objectProtobuf.statusCode()).isEqualTo(406);
        assertThat(objectProtobuf.jsonPath().getString("kind")).isEqualTo("Status");
        Response objectProtobufOrJson = given().accept("application/vnd.kubernetes.protobuf, application/json")
                .get("/openapi/v2");
        assertThat(json(objectProtobufOrJson).path("swagger").asText()).isEqualTo("2.0");
        assertThat(objectProtobufOrJson.header("Vary")).isEqualTo("Accept");
    }

    private static JsonNode v3(String groupVersion) {
        return json(given().accept("application/json").get("/openapi/v3/" + groupVersion));
    }

    private static JsonNode json(Response response) {
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.header("Content-Type")).isEqualTo("application/json");
        try {
            return Json.MAPPER.readTree(response.asByteArray());
        } catch (java.io.IOException e) {
            throw new AssertionError("not JSON", e);
        }
    }

    private static void assertEveryReferenceResolves(JsonNode document, String prefix, JsonNode definitions) {
        List<String> references = new ArrayList<>();
        collectReferences(document, references);
        assertThat(references).isNotEmpty().allSatisfy(reference -> {
            assertThat(reference).startsWith(prefix);
            assertThat(definitions.has(reference.substring(prefix.length()))).as(reference).isTrue();
        });
    }

    private static void collectReferences(JsonNode node, List<String> references) {
        // Textual only: JSONSchemaProps (the CRD's schema type) has a property named "$ref", whose schema is no link.
        if (node.path("$ref").isTextual()) {
            references.add(node.get("$ref").asText());
        }
        node.elements().forEachRemaining(child -> collectReferences(child, references));
    }

    private static JsonNode gvks(String group, String version, String kind) {
        return Json.MAPPER.valueToTree(List.of(Map.of("group", group, "kind", kind, "version", version)));
    }

    private static JsonNode objectGvk(JsonNode gvk) {
        return Json.MAPPER.valueToTree(Map.of("group", gvk.path("group").asText(), "version",
                gvk.path("version").asText(), "kind", gvk.path("kind").asText()));
    }

    private static boolean contains(JsonNode array, JsonNode element) {
        for (JsonNode candidate : array) {
            if (candidate.equals(element)) {
                return true;
            }
        }
        return false;
    }

    private static List<String> names(JsonNode object) {
        List<String> names = new ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static List<String> texts(JsonNode array) {
        List<String> texts = new ArrayList<>();
        array.forEach(element -> texts.add(element.asText()));
        return texts;
    }

    private static List<String> texts(JsonNode array, String field) {
        List<String> texts = new ArrayList<>();
        for (Iterator<JsonNode> elements = array.elements(); elements.hasNext(); ) {
            texts.add(elements.next().path(field).asText());
        }
        return texts;
    }
}
