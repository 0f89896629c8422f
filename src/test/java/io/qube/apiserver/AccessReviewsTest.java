package io.qube.apiserver;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.qube.test.EmbeddedPostgresResource;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The access reviews on the wire: create-only, answered in the status of the returned review from the RBAC objects
 * as stored (here the default bindings of the bootstrap policy), for the impersonated user or the named one;
 * malformed reviews are 4xx Statuses.
 */
@QuarkusTest
@WithTestResource(EmbeddedPostgresResource.class)
class AccessReviewsTest {

    private static final String REVIEWS = "/apis/authorization.k8s.io/v1/";

    @BeforeEach
    void bootstrapped() {
        await().atMost(Duration.ofSeconds(30)).until(() -> given().get("/apis/rbac.authorization.k8s.io/v1/"
                + "clusterrolebindings/system:public-info-viewer").statusCode() == 200);
    }

    @Test
    void selfReviewAnswersForTheImpersonatedUser() {
        String healthz = """
                {"apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview",
                 "spec": {"nonResourceAttributes": {"verb": "get", "path": "%s"}}}""";

        JsonPath allowed = review(asJane(), "selfsubjectaccessreviews", healthz.formatted("/healthz"), 201);
        JsonPath denied = review(asJane(), "selfsubjectaccessreviews", healthz.formatted("/metrics"), 201);

        assertThat(allowed.getString("kind")).isEqualTo("SelfSubjectAccessReview");
        assertThat(allowed.getBoolean("status.allowed")).isTrue();
        assertThat(allowed.getString("status.reason")).isEqualTo("RBAC: allowed by ClusterRoleBinding "
                + "\"system:discovery\" of ClusterRole \"system:discovery\" to Group \"system:authenticated\"");
        assertThat(denied.getBoolean("status.allowed")).isFalse();
        // Without impersonation the asker is the implicit admin, in system:masters.
        assertThat(review(given(), "selfsubjectaccessreviews", healthz.formatted("/metrics"), 201)
                .getBoolean("status.allowed")).isTrue();
    }

    @Test
    void subjectReviewAnswersForTheNamedUserAndGroups() {
        String review = """
                {"apiVersion": "authorization.k8s.io/v1", "kind": "SubjectAccessReview",
                 "spec": {"user": "ops", "groups": [%s],
                          "resourceAttributes": {"verb": "delete", "resource": "nodes", "name": "n1"}}}""";

        assertThat(review(given(), "subjectaccessreviews", review.formatted("\"system:masters\""), 201)
                .getBoolean("status.allowed")).isTrue();
        assertThat(review(given(), "subjectaccessreviews", review.formatted("\"devs\""), 201)
                .getBoolean("status.allowed")).isFalse();
        assertThat(review(given(), "subjectaccessreviews", """
                {"kind": "SubjectAccessReview", "spec": {"resourceAttributes": {"verb": "get", "resource": "pods"}}}
                """, 422).getString("details.causes[0].field")).isEqualTo("spec.user");
    }

    @Test
    void rulesReviewListsWhatTheUserMayDoInTheNamespace() {
        JsonPath rules = review(asJane(), "selfsubjectrulesreviews", """
                {"kind": "SelfSubjectRulesReview", "spec": {"namespace": "default"}}""", 201);

        assertThat(rules.getList("status.resourceRules.resources")).contains(
                java.util.List.of("selfsubjectaccessreviews", "selfsubjectrulesreviews"));
        assertThat(rules.getList("status.nonResourceRules.nonResourceURLs").toString()).contains("/healthz");
        assertThat(rules.getBoolean("status.incomplete")).isFalse();
        assertThat(review(asJane(), "selfsubjectrulesreviews", "{\"kind\": \"SelfSubjectRulesReview\"}", 400)
                .getString("message")).isEqualTo("no namespace on request");
    }

    @Test
    void malformedReviewsAndOtherVerbsAreRefused() {
        JsonPath neither = review(asJane(), "selfsubjectaccessreviews", "{\"kind\": \"SelfSubjectAccessReview\"}",
                422);
        assertThat(neither.getString("details.causes[0].field")).isEqualTo("spec.resourceAttributes");
        assertThat(neither.getString("details.causes[0].message")).contains(
                "exactly one of nonResourceAttributes or resourceAttributes must be specified");
        JsonPath both = review(asJane(), "selfsubjectaccessreviews", """
                {"kind": "SelfSubjectAccessReview", "spec": {"resourceAttributes": {"verb": "get"},
                 "nonResourceAttributes": {"verb": "get", "path": "/"}}}""", 422);
        assertThat(both.getString("details.causes[0].field")).isEqualTo("spec.nonResourceAttributes");
        assertThat(review(asJane(), "selfsubjectaccessreviews",
                "{\"kind\": \"SelfSubjectAccessReview\", \"spec\": \"everything\"}", 400).getString("message"))
                .contains("spec");
        assertThat(review(asJane(), "selfsubjectaccessreviews", "{\"kind\": \"Pod\"}", 400).getString("message"))
                .isEqualTo("the request body is a Pod, but this request takes a SelfSubjectAccessReview");
        assertThat(given().get(REVIEWS + "selfsubjectaccessreviews").then().extract().statusCode())
                .isEqualTo(405);
    }

    private static RequestSpecification asJane() {
        return given().header("Impersonate-User", "jane");
    }

    private static JsonPath review(RequestSpecification request, String resource, String body, int status) {
        return request.contentType("application/json").body(body).post(REVIEWS + resource).then()
                .statusCode(status).extract().jsonPath();
    }
}
