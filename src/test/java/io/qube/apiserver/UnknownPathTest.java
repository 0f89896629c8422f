package io.qube.apiserver;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.qube.e2e.Fabric8Clients;
import io.qube.test.EmbeddedPostgresResource;
import io.qube.test.Kubectl;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.URL;
import java.util.List;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every path the server does not serve answers a Kubernetes Status in JSON, as kube-apiserver does: 404 NotFound
 * for unknown groups, versions, resources and OpenAPI documents, 405 MethodNotAllowed for a served path with another
 * method; the HTTP layer's HTML page never reaches a client.
 */
@QuarkusTest
@WithTestResource(EmbeddedPostgresResource.class)
class UnknownPathTest {

    @TestHTTPResource
    URL server;

    @Test
    void unknownPathsAreNotFoundStatuses() {
        for (String path : List.of("/apis/resource.k8s.io/v1", "/apis/nope/v1/foos", "/apis/resource.k8s.io",
                "/api/v2", "/api/v2/pods", "/openapi/v3/apis/resource.k8s.io/v1", "/no/such/path", "/apis/apps/v1/nothings")) {
            Response response = given().get(path);
            assertThat(response.statusCode()).as(path).isEqualTo(404);
            assertThat(response.contentType()).as(path).startsWith("application/json");
            assertThat(response.jsonPath().getString("kind")).isEqualTo("Status");
            assertThat(response.jsonPath().getString("reason")).isEqualTo("NotFound");
            assertThat(response.jsonPath().getInt("code")).isEqualTo(404);
            assertThat(response.jsonPath().getString("message")).contains("the server could not find the requested resource");
        }
    }

    @Test
    void wrongMethodsOnServedDocumentsAreMethodNotAllowed() {
        for (String path : List.of("/version", "/api", "/apis", "/apis/apps/v1", "/openapi/v2")) {
            Response response = given().contentType("application/json").body("{}").post(path);
            assertThat(response.statusCode()).as(path).isEqualTo(405);
            assertThat(response.contentType()).startsWith("application/json");
            assertThat(response.jsonPath().getString("reason")).isEqualTo("MethodNotAllowed");
        }
    }

    @Test
    void theServersOwnEndpointsStillAnswer() {
        given().get("/q/health/live").then().statusCode(200);
        given().get("/q/metrics").then().statusCode(200);
        given().get("/version").then().statusCode(200);
    }

    @Test
    void kubectlReportsNotFoundLikeKubernetes() {
        Kubectl.assumeInstalled();
        Kubectl kubectl = Kubectl.against(URI.create("http://127.0.0.1:" + server.getPort()));
        Kubectl.Result result = kubectl.run("get", "--raw", "/apis/resource.k8s.io/v1");
        assertThat(result.exitCode()).as(result.describe()).isNotZero();
        assertThat(result.stderr()).as(result.describe())
                .contains("the server could not find the requested resource").doesNotContain("<html");
    }

    @Test
    void fabric8FindsNoUnknownGroupWithoutAParseError() {
        try (var client = Fabric8Clients.to(server)) {
            assertThat(client.getApiGroup("resource.k8s.io")).isNull();
            assertThat(client.getApiResources("resource.k8s.io/v1")).isNull();
        }
    }
}
