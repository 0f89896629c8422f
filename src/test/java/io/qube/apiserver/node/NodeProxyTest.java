package io.qube.apiserver.node;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.qube.test.EmbeddedPostgresResource;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the apiserver answers for {@code nodes/<name>/proxy} when the node's agent cannot be reached (a real agent
 * answering: the node agent's ResourceMetricsIT), and that discovery lists the subresource.
 */
@QuarkusTest
@WithTestResource(EmbeddedPostgresResource.class)
class NodeProxyTest {

    private static void createNode(String name, String status) {
        given().contentType("application/json").body("{\"apiVersion\":\"v1\",\"kind\":\"Node\",\"metadata\":{\"name\":\""
                + name + "\"},\"status\":" + status + "}").post("/api/v1/nodes").then().statusCode(201);
    }

    private static void assertStatus(Response response, int code, String reason, String message) {
        assertThat(response.statusCode()).isEqualTo(code);
        assertThat(response.jsonPath().getString("kind")).isEqualTo("Status");
        assertThat(response.jsonPath().getString("reason")).isEqualTo(reason);
        assertThat(response.jsonPath().getString("message")).contains(message);
    }

    @Test
    void anUnknownNodeIsNotFound() {
        assertStatus(given().get("/api/v1/nodes/proxy-nobody/proxy/stats/summary"), 404, "NotFound",
                "nodes \"proxy-nobody\" not found");
        assertStatus(given().get("/api/v1/nodes/proxy-nobody/proxy"), 404, "NotFound",
                "nodes \"proxy-nobody\" not found");
    }

    @Test
    void aNodeWithoutAnEndpointIsUnavailable() {
        createNode("proxy-no-endpoint", "{\"addresses\":[{\"type\":\"InternalIP\",\"address\":\"127.0.0.1\"}]}");
        assertStatus(given().get("/api/v1/nodes/proxy-no-endpoint/proxy/stats/summary"), 503, "ServiceUnavailable",
                "node proxy-no-endpoint advertises no endpoint of its agent");
    }

    @Test
    void anAgentThatDoesNotAnswerIsUnavailable() throws Exception {
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort(); // free once closed: nothing listens there
        }
        createNode("proxy-silent", "{\"addresses\":[{\"type\":\"InternalIP\",\"address\":\"127.0.0.1\"}],"
                + "\"daemonEndpoints\":{\"kubeletEndpoint\":{\"Port\":" + closed + "}}}");
        assertStatus(given().get("/api/v1/nodes/proxy-silent/proxy/metrics/resource"), 503, "ServiceUnavailable",
                "error trying to reach the agent of the node at 127.0.0.1:" + closed);
    }

    @Test
    void discoveryListsNodesProxy() {
        Response core = given().get("/api/v1");
        assertThat(core.jsonPath().getList("resources.name", String.class)).contains("nodes/proxy");
        assertThat(core.jsonPath().getString("resources.find { it.name == 'nodes/proxy' }.kind"))
                .isEqualTo("NodeProxyOptions");
    }
}
