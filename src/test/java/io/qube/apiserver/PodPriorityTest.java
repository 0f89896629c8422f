package io.qube.apiserver;

import io.qube.test.EmbeddedPostgresResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;

/**
 * Kubernetes' Priority admission on pod creation, and what binding writes. (The scheduler is off in this test
 * profile, so these pods stay where the test puts them.)
 */
@QuarkusTest
@WithTestResource(EmbeddedPostgresResource.class)
class PodPriorityTest {

    private static final String PODS = "/api/v1/namespaces/default/pods";
    private static final String CLASSES = "/apis/scheduling.k8s.io/v1/priorityclasses";

    private static String pod(String name, String specExtra) {
        return "{\"metadata\":{\"name\":\"" + name + "\"},\"spec\":{" + specExtra
                + "\"containers\":[{\"name\":\"c\",\"image\":\"busybox\"}]}}";
    }

    private static void createClass(String name, int value, boolean globalDefault, String policy) {
        given().contentType(ContentType.JSON).body("{\"metadata\":{\"name\":\"" + name + "\"},\"value\":" + value
                        + ",\"globalDefault\":" + globalDefault + (policy == null ? "" : ",\"preemptionPolicy\":\"" + policy + "\"")
                        + "}")
                .post(CLASSES).then().statusCode(201);
    }

    @Test
    void aPodTakesItsClassValueAndPolicy() {
        createClass("prio-gold", 5000, false, "Never");
        given().contentType(ContentType.JSON).body(pod("prio-gold-pod", "\"priorityClassName\":\"prio-gold\","))
                .post(PODS).then().statusCode(201)
                .body("spec.priority", equalTo(5000)).body("spec.preemptionPolicy", equalTo("Never"));
        given().contentType(ContentType.JSON).body(pod("prio-system", "\"priorityClassName\":\"system-node-critical\","))
                .post(PODS).then().statusCode(201).body("spec.priority", equalTo(2_000_001_000));
        given().contentType(ContentType.JSON).body(pod("prio-none", "")).post(PODS).then().statusCode(201)
                .body("spec.priority", equalTo(0)).body("spec.preemptionPolicy", equalTo("PreemptLowerPriority"));
    }

    @Test
    void anUnknownClassOrAContradictingValueIsForbidden() {
        given().contentType(ContentType.JSON).body(pod("prio-missing", "\"priorityClassName\":\"no-such-class\","))
                .post(PODS).then().statusCode(403).body("reason", equalTo("Forbidden"))
                .body("message", containsString("no PriorityClass with name no-such-class was found"));
        createClass("prio-silver", 300, false, null);
        given().contentType(ContentType.JSON).body(pod("prio-contradicts",
                        "\"priorityClassName\":\"prio-silver\",\"priority\":7,"))
                .post(PODS).then().statusCode(403)
                .body("message", containsString("the integer value of priority (7) must not be provided in pod spec; "
                        + "priority admission controller computed 300 from the given PriorityClass name"));
        given().get(PODS + "/prio-missing").then().statusCode(404);
        given().get(PODS + "/prio-contradicts").then().statusCode(404);
    }

    @Test
    void theGlobalDefaultClassAppliesToPodsNamingNone() {
        createClass("prio-default", 42, true, null);
        try {
            given().contentType(ContentType.JSON).body(pod("prio-defaulted", "")).post(PODS).then().statusCode(201)
                    .body("spec.priority", equalTo(42)).body("spec.priorityClassName", equalTo("prio-default"));
        } finally {
            given().delete(CLASSES + "/prio-default").then().statusCode(200);
        }
    }

    @Test
    void bindingSetsTheNodeAndPodScheduledTrueOnce() {
        given().contentType(ContentType.JSON).body(pod("prio-bound", "")).post(PODS).then().statusCode(201);
        String uid = given().get(PODS + "/prio-bound").then().extract().path("metadata.uid");
        given().contentType(ContentType.JSON).body("{\"metadata\":{\"name\":\"prio-bound\",\"uid\":\"other\"},"
                        + "\"target\":{\"name\":\"some-node\"}}")
                .post(PODS + "/prio-bound/binding").then().statusCode(409)
                .body("message", containsString("Precondition failed: UID in precondition: other"));
        given().contentType(ContentType.JSON).body("{\"metadata\":{\"name\":\"prio-bound\",\"uid\":\"" + uid + "\"},"
                        + "\"target\":{\"name\":\"some-node\"}}")
                .post(PODS + "/prio-bound/binding").then().statusCode(201);
        given().get(PODS + "/prio-bound").then().statusCode(200).body("spec.nodeName", equalTo("some-node"))
                .body("status.conditions.findAll { it.type == 'PodScheduled' }.status", equalTo(java.util.List.of("True")));
        given().contentType(ContentType.JSON).body("{\"metadata\":{\"name\":\"prio-bound\"},\"target\":{\"name\":\"n2\"}}")
                .post(PODS + "/prio-bound/binding").then().statusCode(409)
                .body("message", containsString("is already assigned to node \"some-node\""));
        given().delete(PODS + "/prio-bound?gracePeriodSeconds=0").then().statusCode(200);
        // Before binding there is no PodScheduled condition at all (the scheduler writes False, binding True).
        given().contentType(ContentType.JSON).body(pod("prio-pending", "")).post(PODS).then().statusCode(201);
        given().get(PODS + "/prio-pending").then().body("status.conditions.type", not(hasItem("PodScheduled")));
    }
}
