package io.qube.apiserver;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.qube.test.EmbeddedPostgresResource;
import io.restassured.config.EncoderConfig;
import io.restassured.config.RestAssuredConfig;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.config;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

/** Invalid objects and invalid changes get a 422 naming each field at fault, and the stored object stays as it was. */
@QuarkusTest
@WithTestResource(EmbeddedPostgresResource.class)
class BadInputTest {

    private static final String DEPLOYMENTS = "/apis/apps/v1/namespaces/default/deployments";
    private static final RestAssuredConfig YAML_AS_TEXT = config().encoderConfig(EncoderConfig.encoderConfig()
            .encodeContentTypeAs("application/apply-patch+yaml", ContentType.TEXT));

    private static String deployment(String name, int replicas) {
        return "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"" + name + "\"},"
                + "\"spec\":{\"replicas\":" + replicas + ",\"selector\":{\"matchLabels\":{\"app\":\"x\"}},"
                + "\"template\":{\"metadata\":{\"labels\":{\"app\":\"x\"}},\"spec\":{\"containers\":"
                + "[{\"name\":\"c\",\"image\":\"busybox\"}]}}}}";
    }

    @Test
    void invalidNamesAreUnprocessableWithTheFieldNamed() {
        given().contentType(ContentType.JSON).body("{\"metadata\":{\"name\":\"Bad_Name\"}}")
                .post("/api/v1/namespaces/default/configmaps").then().statusCode(422)
                .body("kind", equalTo("Status")).body("reason", equalTo("Invalid"))
                .body("details.causes.field", hasItem("metadata.name"))
                .body("message", containsString("a lowercase RFC 1123 subdomain"));
        given().contentType(ContentType.JSON).body("{\"metadata\":{\"name\":\"x\",\"labels\":{\"bad key!\":\"v\"}}}")
                .post("/api/v1/namespaces/default/configmaps").then().statusCode(422)
                .body("details.causes.field", hasItem("metadata.labels"));
        given().get("/api/v1/namespaces/default/configmaps/x").then().statusCode(404);
    }

    @Test
    void anInvalidObjectNamesEveryFieldAtFault() {
        given().contentType(ContentType.JSON).body("{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\"},"
                        + "\"spec\":{\"containers\":[{\"name\":\"c\"},{\"name\":\"c\",\"image\":\"x\"}]}}")
                .post("/api/v1/namespaces/default/pods").then().statusCode(422)
                .body("details.causes.field", hasItem("spec.containers[0].image"))
                .body("details.causes.field", hasItem("spec.containers[1].name"))
                .body("details.name", equalTo("p")).body("details.kind", equalTo("Pod"));
    }

    @Test
    void aPatchOrUpdateThatMakesTheObjectInvalidChangesNothing() {
        String version = given().contentType(ContentType.JSON).body(deployment("stays", 2)).post(DEPLOYMENTS)
                .then().statusCode(201).extract().path("metadata.resourceVersion");
        given().contentType("application/merge-patch+json").body("{\"spec\":{\"replicas\":-1}}")
                .patch(DEPLOYMENTS + "/stays").then().statusCode(422)
                .body("details.causes.field", hasItem("spec.replicas"));
        given().contentType("application/merge-patch+json")
                .body("{\"spec\":{\"selector\":{\"matchLabels\":{\"app\":\"other\"}}}}")
                .patch(DEPLOYMENTS + "/stays").then().statusCode(422).body("reason", equalTo("Invalid"));
        given().contentType(ContentType.JSON).body(deployment("stays", -5)).put(DEPLOYMENTS + "/stays").then()
                .statusCode(422);
        given().get(DEPLOYMENTS + "/stays").then().statusCode(200)
                .body("metadata.resourceVersion", equalTo(version)).body("spec.replicas", equalTo(2));
    }

    @Test
    void malformedYamlAndWrongShapesAreBadRequests() {
        given().config(YAML_AS_TEXT).contentType("application/apply-patch+yaml").queryParam("fieldManager", "t")
                .body("metadata: [unclosed").patch("/api/v1/namespaces/default/configmaps/y").then().statusCode(400)
                .body("kind", equalTo("Status"));
        given().contentType(ContentType.JSON).body("[1,2,3]").post("/api/v1/namespaces/default/configmaps").then()
                .statusCode(400).body("message", containsString("must be a JSON object"));
        given().contentType(ContentType.JSON).body("{\"metadata\":{\"name\":\"y\"},\"data\":\"not a map\"}")
                .post("/api/v1/namespaces/default/configmaps").then().statusCode(400)
                .body("reason", equalTo("BadRequest"));
        given().contentType(ContentType.JSON).queryParam("limit", "many").get("/api/v1/pods").then().statusCode(400);
        given().contentType(ContentType.JSON).queryParam("resourceVersion", "abc").get("/api/v1/pods").then()
                .statusCode(400);
        given().delete("/api/v1/namespaces/default/configmaps").then().statusCode(200);
        given().contentType(ContentType.JSON).body("{}").post("/api/v1/namespaces/default/pods/nope/binding").then()
                .statusCode(422).body("details.causes.field", hasItem("target.name"));
    }

    @Test
    void protobufAcceptHeadersGetJson() {
        given().accept("application/vnd.kubernetes.protobuf,application/json").get("/api/v1/namespaces/default")
                .then().statusCode(200).contentType(ContentType.JSON).body("kind", equalTo("Namespace"));
    }
}
