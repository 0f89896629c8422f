package io.qube.apiserver.node;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.qube.test.EmbeddedPostgresResource;
import io.restassured.response.Response;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the apiserver answers for {@code pods/log} before any node is asked: the checks Kubernetes makes, each a
 * Status with its code; the stream itself is tested end to end with real agents in the node agent's project.
 */
@QuarkusTest
@WithTestResource(EmbeddedPostgresResource.class)
class PodLogsTest {

    private static final String PODS = "/api/v1/namespaces/default/pods";
    private static int closedPort;

    @BeforeAll
    static void objects() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
    }

    private static void create(String path, String json) {
        int code = given().contentType("application/json").body(json).post(path).statusCode();
        assertThat(code).isIn(201, 409);
    }

    private static Response log(String pod, String query) {
        return given().get(PODS + "/" + pod + "/log" + query);
    }

    private static void assertStatus(Response response, int code, String reason, String message) {
        assertThat(response.statusCode()).isEqualTo(code);
        assertThat(response.jsonPath().getString("kind")).isEqualTo("Status");
        assertThat(response.jsonPath().getString("reason")).isEqualTo(reason);
        assertThat(response.jsonPath().getString("message")).isEqualTo(message);
    }

    @Test
    void aPodWithoutANodeHasNoLogYet() {
        create(PODS, """
                {"apiVersion":"v1","kind":"Pod","metadata":{"name":"unbound"},
                 "spec":{"containers":[{"name":"main","image":"busybox"}]}}""");
        assertStatus(log("unbound", ""), 400, "BadRequest", "pod unbound does not have a host assigned");
    }

    /** A pod of two containers and an init container (created once, whichever test comes first). */
    private static void podOfTwo() {
        create(PODS, """
                {"apiVersion":"v1","kind":"Pod","metadata":{"name":"two"},
                 "spec":{"nodeName":"n","initContainers":[{"name":"setup","image":"busybox"}],
                         "containers":[{"name":"a","image":"busybox"},{"name":"b","image":"busybox"}]}}""");
    }

    @Test
    void aPodOfSeveralContainersNeedsOneNamed() {
        podOfTwo();
        assertStatus(log("two", ""), 400, "BadRequest", "a container name must be specified for pod two, choose one "
                + "of: [a b] or one of the init containers: [setup]");
        assertStatus(log("two", "?container=c"), 400, "BadRequest", "container c is not valid for pod two");
    }

    @Test
    void optionsAreCheckedAsKubernetesChecksThem() {
        podOfTwo();
        assertStatus(log("two", "?container=a&tailLines=-1"), 400, "BadRequest",
                "tailLines: Invalid value: -1: must be greater than or equal to 0");
        assertStatus(log("two", "?container=a&limitBytes=0"), 400, "BadRequest",
                "limitBytes: Invalid value: 0: must be greater than 0");
        assertStatus(log("two", "?container=a&sinceSeconds=5&sinceTime=2026-12-05T00:00:00Z"), 400, "BadRequest",
                "at most one of `sinceTime` or `sinceSeconds` may be specified");
        assertStatus(log("two", "?container=a&tailLines=x"), 400, "BadRequest",
                "tailLines: Invalid value: \"x\": must be an integer");
    }

    @Test
    void missingPodsAndNodesAreNotFound() {
        assertStatus(log("nobody", ""), 404, "NotFound", "pods \"nobody\" not found");
        create(PODS, """
                {"apiVersion":"v1","kind":"Pod","metadata":{"name":"orphan"},
                 "spec":{"nodeName":"no-such-node","containers":[{"name":"main","image":"busybox"}]}}""");
        assertStatus(log("orphan", ""), 404, "NotFound", "nodes \"no-such-node\" not found");
    }

    @Test
    void aNodeWhoseAgentDoesNotAnswerIsUnavailable() {
        create("/api/v1/nodes", """
                {"apiVersion":"v1","kind":"Node","metadata":{"name":"silent"},
                 "status":{"addresses":[{"type":"InternalIP","address":"127.0.0.1"}],
                           "daemonEndpoints":{"kubeletEndpoint":{"Port":%d}}}}""".formatted(closedPort));
        create(PODS, """
                {"apiVersion":"v1","kind":"Pod","metadata":{"name":"on-silent"},
                 "spec":{"nodeName":"silent","containers":[{"name":"main","image":"busybox"}]}}""");
        Response response = log("on-silent", "");
        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.jsonPath().getString("reason")).isEqualTo("ServiceUnavailable");
        assertThat(response.jsonPath().getString("message")).startsWith("the agent of the pod's node at 127.0.0.1:"
                + closedPort + " did not answer");
    }

    @Test
    void onlyGetIsServed() {
        podOfTwo();
        Response response = given().contentType("application/json").body("{}").post(PODS + "/two/log");
        assertThat(response.statusCode()).isEqualTo(405);
        assertThat(response.jsonPath().getString("reason")).isEqualTo("MethodNotAllowed");
    }
}
