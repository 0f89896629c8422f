package io.qube.apiserver;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.qube.test.EmbeddedPostgresResource;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.notNullValue;

/** Deleting a namespace: it turns Terminating, refuses new content, loses its content, then goes. */
@QuarkusTest
@WithTestResource(EmbeddedPostgresResource.class)
class NamespaceLifecycleTest {

    @Test
    void aDeletedNamespaceEmptiesThenGoes() {
        given().contentType(ContentType.JSON).body("{\"metadata\":{\"name\":\"doomed\"}}").post("/api/v1/namespaces")
                .then().statusCode(201).body("spec.finalizers", hasItem("kubernetes"))
                .body("status.phase", equalTo("Active"));
        for (String name : new String[] {"a", "b"}) {
            given().contentType(ContentType.JSON).body("{\"metadata\":{\"name\":\"" + name + "\"}}")
                    .post("/api/v1/namespaces/doomed/configmaps").then().statusCode(201);
        }

        given().delete("/api/v1/namespaces/doomed").then().statusCode(200)
                .body("metadata.deletionTimestamp", notNullValue()).body("status.phase", equalTo("Terminating"));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                given().get("/api/v1/namespaces/doomed").then().statusCode(404));
        given().get("/api/v1/namespaces/doomed/configmaps").then().statusCode(200)
                .body("items.size()", equalTo(0));
    }

    @Test
    void aTerminatingNamespaceRefusesNewContent() {
        given().contentType(ContentType.JSON).body("{\"metadata\":{\"name\":\"closing\"}}").post("/api/v1/namespaces")
                .then().statusCode(201);
        // A finalizer of our own keeps the namespace in Terminating for as long as the test needs.
        given().contentType(ContentType.JSON).body("{\"metadata\":{\"name\":\"held\",\"finalizers\":[\"test/hold\"]}}")
                .post("/api/v1/namespaces/closing/configmaps").then().statusCode(201);
        given().delete("/api/v1/namespaces/closing").then().statusCode(200);

        given().contentType(ContentType.JSON).body("{\"metadata\":{\"name\":\"late\"}}")
                .post("/api/v1/namespaces/closing/configmaps").then().statusCode(403)
                .body("reason", equalTo("Forbidden"))
                .body("message", org.hamcrest.Matchers.containsString(
                        "unable to create new content in namespace closing because it is being terminated"));

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                given().get("/api/v1/namespaces/closing/configmaps/held").then().statusCode(200)
                        .body("metadata.deletionTimestamp", notNullValue()));
        String held = given().get("/api/v1/namespaces/closing/configmaps/held").asString();
        given().contentType(ContentType.JSON).body(held.replace("[\"test/hold\"]", "[]"))
                .put("/api/v1/namespaces/closing/configmaps/held").then().statusCode(200);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                given().get("/api/v1/namespaces/closing").then().statusCode(404));
    }
}
