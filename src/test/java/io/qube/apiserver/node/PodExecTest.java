package io.qube.apiserver.node;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.qube.test.EmbeddedPostgresResource;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the apiserver answers for {@code pods/exec} and {@code pods/attach} before any node is asked: each refusal
 * a Status with a 4xx code; the streams themselves are tested end to end with kubectl, fabric8 and real agents in
 * the node agent's project.
 */
@QuarkusTest
@WithTestResource(EmbeddedPostgresResource.class)
class PodExecTest {

    private static final String PODS = "/api/v1/namespaces/default/pods";

    private static void pod(String name, String phase) {
        int code = given().contentType("application/json").body("""
                {"apiVersion":"v1","kind":"Pod","metadata":{"name":"%s"},
                 "spec":{"nodeName":"n","containers":[{"name":"main","image":"busybox"}]}}""".formatted(name))
                .post(PODS).statusCode();
        assertThat(code).isIn(201, 409);
        if (phase != null) {
            given().contentType("application/merge-patch+json").body("{\"status\":{\"phase\":\"" + phase + "\"}}")
                    .patch(PODS + "/" + name + "/status").then().statusCode(200);
        }
    }

    private static Response exec(String pod, String query, boolean upgrade) {
        return stream(pod, "exec", query, upgrade);
    }

    private static Response stream(String pod, String subresource, String query, boolean upgrade) {
        var request = given().contentType("application/json");
        if (upgrade) {
            request = request.header("Connection", "Upgrade").header("Upgrade", "websocket")
                    .header("Sec-WebSocket-Version", "13").header("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
                    .header("Sec-WebSocket-Protocol", "v5.channel.k8s.io");
        }
        return request.post(PODS + "/" + pod + "/" + subresource + query);
    }

    private static void assertBadRequest(Response response, String message) {
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.jsonPath().getString("kind")).isEqualTo("Status");
        assertThat(response.jsonPath().getString("message")).isEqualTo(message);
    }

    @Test
    void aCommandIsRequired() {
        pod("exec-target", null);
        assertBadRequest(exec("exec-target", "", true), "you must specify at least 1 command");
    }

    @Test
    void onlyWebSocketUpgradesAreServed() {
        pod("exec-target", null);
        assertBadRequest(exec("exec-target", "?command=ls", false), "Upgrade request required: Qube serves exec "
                + "as a WebSocket (v5.channel.k8s.io, v4.channel.k8s.io), not over SPDY");
    }

    @Test
    void aCompletedPodCannotBeEntered() {
        pod("exec-done", "Succeeded");
        assertBadRequest(exec("exec-done", "?command=ls", true),
                "cannot exec into a container in a completed pod; current phase is Succeeded");
    }

    @Test
    void aMissingPodIsNotFound() {
        Response response = exec("exec-nobody", "?command=ls", true);
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.jsonPath().getString("message")).isEqualTo("pods \"exec-nobody\" not found");
    }

    @Test
    void attachNamesAContainerOfThePod() {
        pod("attach-target", null);
        assertBadRequest(stream("attach-target", "attach", "?container=nope&stdin=true", true),
                "container nope is not valid for pod attach-target");
    }

    @Test
    void attachRefusesACompletedPodAndPlainRequests() {
        pod("attach-done", "Failed");
        assertBadRequest(stream("attach-done", "attach", "?container=main", true),
                "cannot attach to a container in a completed pod; current phase is Failed");
        pod("attach-target", null);
        assertBadRequest(stream("attach-target", "attach", "", false), "Upgrade request required: Qube serves "
                + "attach as a WebSocket (v5.channel.k8s.io, v4.channel.k8s.io), not over SPDY");
    }

    @Test
    void attachToAMissingPodIsNotFound() {
        Response response = stream("attach-nobody", "attach", "", true);
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.jsonPath().getString("kind")).isEqualTo("Status");
        assertThat(response.jsonPath().getString("message")).isEqualTo("pods \"attach-nobody\" not found");
    }
}
