package io.qube.apiserver.node;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.qube.test.EmbeddedPostgresResource;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/** What the apiserver answers for {@code pods/portforward} before any node is asked (streams: node agent ITs). */
@QuarkusTest
@WithTestResource(EmbeddedPostgresResource.class)
class PodPortForwardTest {

    private static final String PODS = "/api/v1/namespaces/default/pods";

    private static Response forward(String pod, String query, String protocol) {
        var request = given().contentType("application/json");
        if (protocol != null) {
            request = request.header("Connection", "Upgrade").header("Upgrade", "websocket")
                    .header("Sec-WebSocket-Version", "13").header("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
                    .header("Sec-WebSocket-Protocol", protocol);
        }
        return request.post(PODS + "/" + pod + "/portforward" + query);
    }

    private static void assertStatus(Response response, int code, String message) {
        assertThat(response.statusCode()).isEqualTo(code);
        assertThat(response.jsonPath().getString("kind")).isEqualTo("Status");
        assertThat(response.jsonPath().getString("message")).isEqualTo(message);
    }

    @Test
    void portsMustBeNumbersInRange() {
        assertStatus(forward("p", "?ports=http", "v4.channel.k8s.io"), 400,
                "ports must be numbers: For input string: \"http\"");
        assertStatus(forward("p", "?ports=70000", "v4.channel.k8s.io"), 400, "port 70000 must be between 1 and 65535");
    }

    @Test
    void noUpgradeAndUnknownSubprotocolsAreRefused() {
        assertStatus(forward("p", "?ports=80", null), 400, "Upgrade request required: Qube serves portforward as a "
                + "WebSocket (SPDY/3.1+portforward.k8s.io, v5.channel.k8s.io, v4.channel.k8s.io)");
        assertStatus(forward("p", "?ports=80", "v3.channel.k8s.io, base64.channel.k8s.io"), 400, "portforward "
                + "needs one of the WebSocket subprotocols SPDY/3.1+portforward.k8s.io, v5.channel.k8s.io, "
                + "v4.channel.k8s.io");
    }

    @Test
    void plainSpdyIsRefusedWithTheTransportsServed() {
        Response response = given().header("Connection", "Upgrade").header("Upgrade", "SPDY/3.1")
                .header("X-Stream-Protocol-Version", "portforward.k8s.io").post(PODS + "/p/portforward");
        assertStatus(response, 400, "Upgrade request required: Qube serves portforward as a WebSocket "
                + "(SPDY/3.1+portforward.k8s.io, v5.channel.k8s.io, v4.channel.k8s.io)");
    }

    @Test
    void aMissingPodIsNotFound() {
        assertStatus(forward("forward-nobody", "?ports=80", "v4.channel.k8s.io"), 404,
                "pods \"forward-nobody\" not found");
        // kubectl's way: SPDY tunnelled in a WebSocket
        assertStatus(forward("forward-nobody", "", "SPDY/3.1+portforward.k8s.io"), 404,
                "pods \"forward-nobody\" not found");
    }
}
