package io.qube.apiserver;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.qube.test.EmbeddedPostgresResource;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a delete's propagation policy leaves for the garbage collector (which does not run in the API's tests):
 * Orphan and Foreground mark the object with their finalizer and keep it; Background, and no policy on an object
 * without finalizers, remove it at once; a second delete may change the policy; the deprecated orphanDependents
 * still means Orphan; once the collector's finalizer is taken off, the object goes.
 */
@QuarkusTest
@WithTestResource(EmbeddedPostgresResource.class)
class DeletionPropagationTest {

    private static final String CONFIGMAPS = "/api/v1/namespaces/default/configmaps";

    @Test
    void orphanKeepsTheObjectBehindTheOrphanFinalizer() {
        configMap("dp-orphan", "");
        given().delete(CONFIGMAPS + "/dp-orphan?propagationPolicy=Orphan").then().statusCode(200);
        JsonPath marked = stored("dp-orphan");
        assertThat(marked.getList("metadata.finalizers")).containsExactly("orphan");
        assertThat(marked.getString("metadata.deletionTimestamp")).isNotNull();
    }

    @Test
    void foregroundKeepsTheObjectBehindItsFinalizerAndKeepsOtherFinalizers() {
        configMap("dp-foreground", "\"finalizers\":[\"example.com/hold\"],");
        given().contentType(ContentType.JSON).body("{\"kind\":\"DeleteOptions\",\"apiVersion\":\"v1\","
                + "\"propagationPolicy\":\"Foreground\"}").delete(CONFIGMAPS + "/dp-foreground").then().statusCode(200);
        assertThat(stored("dp-foreground").getList("metadata.finalizers"))
                .containsExactly("example.com/hold", "foregroundDeletion");
    }

    @Test
    void backgroundAndNoPolicyRemoveAtOnce() {
        configMap("dp-background", "");
        given().delete(CONFIGMAPS + "/dp-background?propagationPolicy=Background").then().statusCode(200);
        given().get(CONFIGMAPS + "/dp-background").then().statusCode(404);
        configMap("dp-default", "");
        given().delete(CONFIGMAPS + "/dp-default").then().statusCode(200);
        given().get(CONFIGMAPS + "/dp-default").then().statusCode(404);
    }

    @Test
    void deprecatedOrphanDependentsMeansOrphan() {
        configMap("dp-legacy", "");
        given().contentType(ContentType.JSON).body("{\"kind\":\"DeleteOptions\",\"apiVersion\":\"v1\","
                + "\"orphanDependents\":true}").delete(CONFIGMAPS + "/dp-legacy").then().statusCode(200);
        assertThat(stored("dp-legacy").getList("metadata.finalizers")).containsExactly("orphan");
    }

    @Test
    void aSecondDeleteChangesThePolicyAndBackgroundThenRemovesIt() {
        configMap("dp-again", "");
        given().delete(CONFIGMAPS + "/dp-again?propagationPolicy=Orphan").then().statusCode(200);
        given().delete(CONFIGMAPS + "/dp-again?propagationPolicy=Foreground").then().statusCode(200);
        assertThat(stored("dp-again").getList("metadata.finalizers")).containsExactly("foregroundDeletion");
        given().delete(CONFIGMAPS + "/dp-again?propagationPolicy=Background").then().statusCode(200);
        given().get(CONFIGMAPS + "/dp-again").then().statusCode(404);
    }

    @Test
    void takingOffTheCollectorsFinalizerLetsTheObjectGo() {
        configMap("dp-finalized", "");
        given().delete(CONFIGMAPS + "/dp-finalized?propagationPolicy=Orphan").then().statusCode(200);
        given().contentType("application/json-patch+json")
                .body("[{\"op\":\"remove\",\"path\":\"/metadata/finalizers\"}]")
                .patch(CONFIGMAPS + "/dp-finalized").then().statusCode(200);
        given().get(CONFIGMAPS + "/dp-finalized").then().statusCode(404);
    }

    @Test
    void aBoundPodWaitsForItsGraceAndItsFinalizer() {
        given().contentType(ContentType.JSON).body("{\"metadata\":{\"name\":\"dp-pod\"},\"spec\":{\"nodeName\":"
                + "\"node-x\",\"containers\":[{\"name\":\"c\",\"image\":\"nginx\"}]}}")
                .post("/api/v1/namespaces/default/pods").then().statusCode(201);
        given().delete("/api/v1/namespaces/default/pods/dp-pod?propagationPolicy=Orphan").then().statusCode(200);
        JsonPath marked = given().get("/api/v1/namespaces/default/pods/dp-pod").then().statusCode(200)
                .extract().jsonPath();
        assertThat(marked.getList("metadata.finalizers")).containsExactly("orphan");
        assertThat(marked.getInt("metadata.deletionGracePeriodSeconds")).isEqualTo(30);
        // The node's agent confirms with grace 0; the orphan finalizer still holds it.
        given().delete("/api/v1/namespaces/default/pods/dp-pod?gracePeriodSeconds=0").then().statusCode(200);
        given().get("/api/v1/namespaces/default/pods/dp-pod").then().statusCode(200);
        given().contentType("application/json-patch+json")
                .body("[{\"op\":\"remove\",\"path\":\"/metadata/finalizers\"}]")
                .patch("/api/v1/namespaces/default/pods/dp-pod").then().statusCode(200);
        given().get("/api/v1/namespaces/default/pods/dp-pod").then().statusCode(404);
    }

    private static void configMap(String name, String metadataExtra) {
        given().contentType(ContentType.JSON).body("{\"metadata\":{" + metadataExtra + "\"name\":\"" + name
                + "\"},\"data\":{\"k\":\"v\"}}").post(CONFIGMAPS).then().statusCode(201);
    }

    private static JsonPath stored(String name) {
        return given().get(CONFIGMAPS + "/" + name).then().statusCode(200).extract().jsonPath();
    }
}
