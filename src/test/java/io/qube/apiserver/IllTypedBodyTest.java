package io.qube.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.qube.apiserver.codec.Json;
import io.qube.test.EmbeddedPostgresResource;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A body with a field of the wrong JSON type is refused with a 400 Status naming the field, before any step of the
 * write touches it, on every verb and in JSON and YAML alike; nothing is stored or changed.
 */
@QuarkusTest
@WithTestResource(EmbeddedPostgresResource.class)
class IllTypedBodyTest {

    private static final AtomicInteger NAMES = new AtomicInteger();

    /** A kind's collection path and a valid object of it (its name is filled in per case). */
    private record Kind(String collection, String valid) {
    }

    private static final Kind SERVICE = new Kind("/api/v1/namespaces/default/services",
            "{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"spec\":{\"selector\":{\"app\":\"x\"},"
                    + "\"ports\":[{\"port\":80}]}}");
    private static final Kind DEPLOYMENT = new Kind("/apis/apps/v1/namespaces/default/deployments",
            "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"spec\":{\"replicas\":1,\"selector\":{\"matchLabels\":"
                    + "{\"app\":\"x\"}},\"template\":{\"metadata\":{\"labels\":{\"app\":\"x\"}},\"spec\":{\"containers\":"
                    + "[{\"name\":\"c\",\"image\":\"busybox\"}]}}}}");
    private static final Kind CONFIG_MAP = new Kind("/api/v1/namespaces/default/configmaps",
            "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"data\":{\"k\":\"v\"}}");
    private static final Kind POD = new Kind("/api/v1/namespaces/default/pods",
            "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"busybox\","
                    + "\"ports\":[{\"containerPort\":8080}]}]}}");
    private static final Kind LEASE = new Kind("/apis/coordination.k8s.io/v1/namespaces/default/leases",
            "{\"apiVersion\":\"coordination.k8s.io/v1\",\"kind\":\"Lease\",\"spec\":{\"holderIdentity\":\"a\"}}");
    private static final Kind NAMESPACE = new Kind("/api/v1/namespaces",
            "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\"}");

    /** One wrong-typed field: merged into the valid object (create, PUT, apply) or sent as the patch itself. */
    private record Case(Kind kind, String fragment, String field) {
        @Override
        public String toString() {
            return field + " in " + fragment;
        }
    }

    private static final List<Case> CASES = List.of(
            new Case(SERVICE, "{\"spec\":[]}", "spec"),
            new Case(SERVICE, "{\"spec\":\"\"}", "spec"),
            new Case(SERVICE, "{\"spec\":{\"ports\":[{\"port\":\"80\"}]}}", "spec.ports[0].port"),
            new Case(SERVICE, "{\"spec\":{\"ports\":{\"port\":80}}}", "spec.ports"),
            new Case(DEPLOYMENT, "{\"spec\":{\"replicas\":3.5}}", "spec.replicas"),
            new Case(DEPLOYMENT, "{\"spec\":{\"replicas\":1099511627776}}", "spec.replicas"),
            new Case(DEPLOYMENT, "{\"spec\":{\"paused\":\"yes\"}}", "spec.paused"),
            new Case(CONFIG_MAP, "{\"data\":{\"k\":5}}", "data.k"),
            new Case(CONFIG_MAP, "{\"metadata\":{\"labels\":[\"a\"]}}", "metadata.labels"),
            new Case(CONFIG_MAP, "{\"apiVersion\":{\"v\":1}}", "apiVersion"),
            new Case(POD, "{\"spec\":{\"containers\":{\"name\":\"c\"}}}", "spec.containers"),
            new Case(POD, "{\"metadata\":{\"annotations\":{\"a\":true}}}", "metadata.annotations.a"),
            new Case(LEASE, "{\"spec\":{\"leaseDurationSeconds\":true}}", "spec.leaseDurationSeconds"),
            new Case(NAMESPACE, "{\"spec\":{\"finalizers\":\"kubernetes\"}}", "spec.finalizers"),
            new Case(SERVICE, "{\"spec\":{\"ports\":[{\"port\":80},null]}}", "spec.ports[1]"),
            new Case(CONFIG_MAP, "{\"metadata\":{\"finalizers\":[\"a/b\",null]}}", "metadata.finalizers[1]"));

    enum Verb { CREATE_JSON, CREATE_YAML, PUT, MERGE_PATCH, STRATEGIC_PATCH, JSON_PATCH, APPLY }

    static Stream<Arguments> cases() {
        List<Arguments> all = new ArrayList<>();
        for (Case c : CASES) {
            for (Verb verb : Verb.values()) {
                all.add(Arguments.of(c, verb));
            }
        }
        return all.stream();
    }

    @ParameterizedTest(name = "{1}: {0}")
    @MethodSource("cases")
    void refusedWithTheFieldNamed(Case c, Verb verb) throws Exception {
        String name = "typed-" + NAMES.incrementAndGet();
        ObjectNode valid = (ObjectNode) Json.MAPPER.readTree(c.kind().valid());
        valid.putObject("metadata").put("name", name);
        ObjectNode fragment = (ObjectNode) Json.MAPPER.readTree(c.fragment());
        String path = c.kind().collection() + "/" + name;
        String before = null;
        if (verb != Verb.CREATE_JSON && verb != Verb.CREATE_YAML) {
            given().contentType("application/json").body(valid.toString()).post(c.kind().collection())
                    .then().statusCode(201);
            before = given().get(path).then().statusCode(200).extract().asString();
        }
        ObjectNode merged = merge(valid.deepCopy(), fragment);
        Response response = switch (verb) {
            case CREATE_JSON -> given().contentType("application/json").body(merged.toString())
                    .post(c.kind().collection());
            case CREATE_YAML -> given().contentType("application/yaml")
                    .body(Json.YAML.writeValueAsBytes(merged)).post(c.kind().collection());
            case PUT -> given().contentType("application/json").body(merge((ObjectNode) Json.MAPPER.readTree(before),
                    fragment).toString()).put(path);
            case MERGE_PATCH -> given().contentType("application/merge-patch+json").body(fragment.toString())
                    .patch(path);
            case STRATEGIC_PATCH -> given().contentType("application/strategic-merge-patch+json")
                    .body(fragment.toString()).patch(path);
            case JSON_PATCH -> given().contentType("application/json-patch+json").body(jsonPatch(merged, fragment))
                    .patch(path);
            case APPLY -> given().contentType("application/apply-patch+yaml").queryParam("fieldManager", "test")
                    .body(Json.YAML.writeValueAsBytes(merged)).patch(path);
        };
        assertThat(response.statusCode()).as(response.asString()).isEqualTo(400);
        assertThat(response.contentType()).startsWith("application/json");
        assertThat(response.jsonPath().getString("kind")).isEqualTo("Status");
        String message = response.jsonPath().getString("message");
        if (verb == Verb.STRATEGIC_PATCH && message.contains("merge key")) {
            // A strategic merge patch whose list item cannot be merged is refused as a patch, before its result
            // exists (as in Kubernetes): the message names the list.
            assertThat(message).contains("\"" + c.field().replaceAll("\\[.*", "").replaceAll(".*\\.", "") + "\"");
        } else {
            assertThat(message).as(response.asString()).contains(c.field() + ": ");
            assertThat(response.jsonPath().getList("details.causes.field")).containsExactly(c.field());
        }
        if (before == null) {
            given().get(path).then().statusCode(404);
        } else {
            assertThat(given().get(path).then().statusCode(200).extract().asString()).isEqualTo(before);
        }
    }

    @Test
    void malformedBytesAreBadRequests() {
        String configMaps = CONFIG_MAP.collection();
        StringBuilder deep = new StringBuilder("{\"metadata\":{\"name\":\"deep\"},\"data\":{\"k\":");
        deep.append("[".repeat(5000)).append("]".repeat(5000)).append("}}");
        byte[] invalidUtf8 = "{\"metadata\":{\"name\":\"utf\"},\"data\":{\"k\":\"\u0000\"}}"
                .getBytes(StandardCharsets.ISO_8859_1);
        invalidUtf8[invalidUtf8.length - 5] = (byte) 0xC3; // a lead byte followed by a quote: not UTF-8
        StringBuilder deepYaml = new StringBuilder("metadata: {name: deepyaml}\ndata: {k: ");
        deepYaml.append("[".repeat(5000)).append("]".repeat(5000)).append("}\n");
        Map<String, byte[]> bodies = Map.of(
                "application/json", deep.toString().getBytes(StandardCharsets.UTF_8),
                "application/json; charset=utf-8", invalidUtf8,
                "application/yaml", deepYaml.toString().getBytes(StandardCharsets.UTF_8));
        for (Map.Entry<String, byte[]> body : bodies.entrySet()) {
            Response response = given().contentType(body.getKey()).body(body.getValue()).post(configMaps);
            assertThat(response.statusCode()).as(response.asString()).isEqualTo(400);
            assertThat(response.jsonPath().getString("kind")).isEqualTo("Status");
        }
        for (String name : List.of("deep", "utf", "deepyaml")) {
            given().get(configMaps + "/" + name).then().statusCode(404);
        }
    }

    /** A protobuf body whose field has the wrong wire type cannot be decoded: 400, nothing stored. */
    @Test
    void protobufWithAWrongWireTypeIsABadRequest() {
        // A ConfigMap whose metadata (field 1) holds name (field 1, a string) encoded as a varint.
        byte[] wrong = {0x08, (byte) 0x96, 0x01};
        byte[] body = ProtobufVerbsTest.encode("v1", "ConfigMap", com.google.protobuf.BytesValue.of(
                com.google.protobuf.ByteString.copyFrom(wrong)));
        Response response = given().contentType("application/vnd.kubernetes.protobuf").body(body)
                .post(CONFIG_MAP.collection());
        assertThat(response.statusCode()).as(response.asString()).isEqualTo(400);
        assertThat(response.jsonPath().getString("message")).contains("wrong wire type");
    }

    /** JSON merge of a fragment into an object (RFC 7386 without deletions: fragments set fields only). */
    private static ObjectNode merge(ObjectNode target, ObjectNode fragment) {
        for (Iterator<Map.Entry<String, JsonNode>> it = fragment.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            JsonNode existing = target.get(field.getKey());
            if (existing instanceof ObjectNode object && field.getValue() instanceof ObjectNode patch) {
                merge(object, patch);
            } else {
                target.set(field.getKey(), field.getValue().deepCopy());
            }
        }
        return target;
    }

    /** A JSON patch that replaces each top-level field the fragment touches with its merged (ill-typed) value. */
    private static String jsonPatch(ObjectNode merged, ObjectNode fragment) {
        ArrayNode ops = Json.MAPPER.createArrayNode();
        fragment.fieldNames().forEachRemaining(field -> ops.addObject().put("op", "add").put("path", "/" + field)
                .set("value", merged.get(field)));
        return ops.toString();
    }
}
