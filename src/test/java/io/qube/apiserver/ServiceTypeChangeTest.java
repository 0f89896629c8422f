package io.qube.apiserver;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.qube.test.EmbeddedPostgresResource;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A Service changes type in every direction, by each way clients write (PUT of the edited object, merge patch,
 * strategic merge patch, JSON patch), and its addresses are kept, released or allocated as Kubernetes does: kept
 * between types that both have them, cleared when the new type has none, allocated when it starts needing them; the
 * changes Kubernetes refuses (a cluster IP changed once set, headless NodePort or LoadBalancer) are 422.
 */
@QuarkusTest
@WithTestResource(EmbeddedPostgresResource.class)
class ServiceTypeChangeTest {

    private static final String SERVICES = "/api/v1/namespaces/default/services";
    private static final AtomicInteger NAMES = new AtomicInteger();

    enum Shape {
        CLUSTER_IP("ClusterIP"), NODE_PORT("NodePort"), LOAD_BALANCER("LoadBalancer"), EXTERNAL_NAME("ExternalName"),
        HEADLESS("ClusterIP");

        final String type;

        Shape(String type) {
            this.type = type;
        }

        boolean hasClusterIp() {
            return this == CLUSTER_IP || this == NODE_PORT || this == LOAD_BALANCER;
        }

        boolean hasNodePorts() {
            return this == NODE_PORT || this == LOAD_BALANCER;
        }
    }

    enum Method { PUT, MERGE, STRATEGIC, JSON_PATCH }

    static Stream<Arguments> changes() {
        List<Arguments> all = new ArrayList<>();
        for (Shape from : Shape.values()) {
            for (Shape to : Shape.values()) {
                if (from != to) {
                    for (Method method : Method.values()) {
                        all.add(Arguments.of(from, to, method));
                    }
                }
            }
        }
        return all.stream();
    }

    @ParameterizedTest(name = "{0} -> {1} by {2}")
    @MethodSource("changes")
    void typeChanges(Shape from, Shape to, Method method) {
        String name = "svc-" + NAMES.incrementAndGet();
        JsonPath before = given().contentType(ContentType.JSON).body(create(name, from)).post(SERVICES)
                .then().statusCode(201).extract().jsonPath();
        Response response = change(name, from, to, method, before);
        JsonPath stored = given().get(SERVICES + "/" + name).then().statusCode(200).extract().jsonPath();
        if (refused(from, to)) {
            assertThat(response.statusCode()).as(response.asString()).isEqualTo(422);
            assertThat(response.jsonPath().getList("details.causes.field", String.class))
                    .contains("spec.clusterIPs[0]");
            assertThat(stored.getString("metadata.resourceVersion"))
                    .isEqualTo(before.getString("metadata.resourceVersion"));
            return;
        }
        assertThat(response.statusCode()).as(response.asString()).isEqualTo(200);
        JsonPath after = response.jsonPath();
        assertThat(after.getString("spec.type")).isEqualTo(to.type);
        assertThat(stored.getString("metadata.resourceVersion")).isEqualTo(after.getString("metadata.resourceVersion"));
        List<Integer> nodePorts = after.getList("spec.ports.nodePort", Integer.class);
        switch (expectedShape(from, to)) {
            case EXTERNAL_NAME -> {
                assertThat(after.getString("spec.externalName")).isEqualTo("db.example.com");
                assertThat(after.getString("spec.clusterIP")).isNullOrEmpty();
                assertThat(after.getList("spec.clusterIPs")).isNullOrEmpty();
                assertThat(after.getList("spec.ipFamilies")).isNullOrEmpty();
                assertThat(after.getString("spec.ipFamilyPolicy")).isNull();
                assertThat(nodePorts).containsOnlyNulls();
            }
            case HEADLESS -> {
                assertThat(after.getString("spec.clusterIP")).isEqualTo("None");
                assertThat(after.getList("spec.clusterIPs")).containsExactly("None");
                assertThat(nodePorts).containsOnlyNulls();
            }
            default -> {
                String ip = after.getString("spec.clusterIP");
                assertThat(ip).startsWith("10.");
                assertThat(after.getList("spec.clusterIPs")).containsExactly(ip);
                assertThat(after.getList("spec.ipFamilies")).containsExactly("IPv4");
                assertThat(after.getString("spec.externalName")).isNull();
                if (from.hasClusterIp()) {
                    assertThat(ip).as("the cluster IP is kept").isEqualTo(before.getString("spec.clusterIP"));
                }
                if (to.hasNodePorts()) {
                    assertThat(nodePorts).allSatisfy(port -> assertThat(port).isBetween(30000, 32767));
                    if (from.hasNodePorts()) {
                        assertThat(nodePorts).as("node ports are kept")
                                .isEqualTo(before.getList("spec.ports.nodePort", Integer.class));
                    }
                } else {
                    assertThat(nodePorts).as("node ports are released").containsOnlyNulls();
                }
            }
        }
        if (to != Shape.LOAD_BALANCER) {
            assertThat(after.getString("spec.allocateLoadBalancerNodePorts")).isNull();
        }
    }

    /** A node port a type change releases is free at once: another service can ask for exactly that port. */
    @org.junit.jupiter.api.Test
    void releasedNodePortsCanBeTakenByAnotherService() {
        String port = "31234";
        given().contentType(ContentType.JSON).body("{\"metadata\":{\"name\":\"first-owner\"},\"spec\":{\"type\":"
                + "\"NodePort\",\"selector\":{\"app\":\"x\"},\"ports\":[{\"port\":80,\"nodePort\":" + port + "}]}}")
                .post(SERVICES).then().statusCode(201);
        String second = "{\"metadata\":{\"name\":\"second-owner\"},\"spec\":{\"type\":\"NodePort\",\"selector\":"
                + "{\"app\":\"y\"},\"ports\":[{\"port\":80,\"nodePort\":" + port + "}]}}";
        Response taken = given().contentType(ContentType.JSON).body(second).post(SERVICES);
        assertThat(taken.statusCode()).as(taken.asString()).isEqualTo(422);
        given().contentType("application/merge-patch+json").body("{\"spec\":{\"type\":\"ClusterIP\"}}")
                .patch(SERVICES + "/first-owner").then().statusCode(200);
        Response released = given().contentType(ContentType.JSON).body(second).post(SERVICES);
        assertThat(released.statusCode()).as(released.asString()).isEqualTo(201);
        assertThat(released.jsonPath().getInt("spec.ports[0].nodePort")).isEqualTo(Integer.parseInt(port));
    }

    /**
     * Headless and a cluster IP do not mix: an allocated cluster IP may not change (so no service with one becomes
     * headless), and NodePort or LoadBalancer services need one. A headless service asked to be plain ClusterIP
     * (clusterIP "") keeps None, as Kubernetes fills an omitted cluster IP from the stored one.
     */
    private static boolean refused(Shape from, Shape to) {
        return to == Shape.HEADLESS && from.hasClusterIp()
                || from == Shape.HEADLESS && to.hasNodePorts();
    }

    private static Shape expectedShape(Shape from, Shape to) {
        return from == Shape.HEADLESS && to == Shape.CLUSTER_IP ? Shape.HEADLESS : to;
    }

    private static String create(String name, Shape shape) {
        String spec = switch (shape) {
            case EXTERNAL_NAME -> "\"type\":\"ExternalName\",\"externalName\":\"old.example.com\"";
            case HEADLESS -> "\"clusterIP\":\"None\",\"selector\":{\"app\":\"x\"}";
            default -> "\"type\":\"" + shape.type + "\",\"selector\":{\"app\":\"x\"}";
        };
        return "{\"metadata\":{\"name\":\"" + name + "\"},\"spec\":{" + spec + ",\"ports\":[{\"name\":\"http\","
                + "\"port\":80},{\"name\":\"metrics\",\"port\":9090}]}}";
    }

    private static Response change(String name, Shape from, Shape to, Method method, JsonPath before) {
        String path = SERVICES + "/" + name;
        return switch (method) {
            case PUT -> given().contentType(ContentType.JSON).body(edited(before, to)).put(path);
            case MERGE -> given().contentType("application/merge-patch+json").body(mergePatch(to)).patch(path);
            case STRATEGIC -> given().contentType("application/strategic-merge-patch+json").body(mergePatch(to))
                    .patch(path);
            case JSON_PATCH -> given().contentType("application/json-patch+json").body(jsonPatch(from, to))
                    .patch(path);
        };
    }

    /** What an editor does: the stored object with the type changed, the cluster IP cleared or set as needed. */
    private static Map<String, Object> edited(JsonPath before, Shape to) {
        Map<String, Object> service = before.getMap("");
        @SuppressWarnings("unchecked")
        Map<String, Object> spec = (Map<String, Object>) service.get("spec");
        spec.put("type", to.type);
        switch (to) {
            case EXTERNAL_NAME -> {
                spec.put("externalName", "db.example.com");
                spec.put("clusterIP", "");
            }
            case HEADLESS -> {
                spec.put("clusterIP", "None");
                spec.remove("externalName");
            }
            default -> {
                spec.remove("externalName");
                if ("None".equals(spec.get("clusterIP"))) {
                    spec.put("clusterIP", "");
                }
            }
        }
        return service;
    }

    private static String mergePatch(Shape to) {
        return switch (to) {
            case EXTERNAL_NAME -> "{\"spec\":{\"type\":\"ExternalName\",\"externalName\":\"db.example.com\"}}";
            case HEADLESS -> "{\"spec\":{\"type\":\"ClusterIP\",\"clusterIP\":\"None\",\"externalName\":null}}";
            default -> "{\"spec\":{\"type\":\"" + to.type + "\",\"externalName\":null}}";
        };
    }

    private static String jsonPatch(Shape from, Shape to) {
        List<String> ops = new ArrayList<>();
        ops.add("{\"op\":\"replace\",\"path\":\"/spec/type\",\"value\":\"" + to.type + "\"}");
        if (to == Shape.EXTERNAL_NAME) {
            ops.add("{\"op\":\"add\",\"path\":\"/spec/externalName\",\"value\":\"db.example.com\"}");
            if (from != Shape.EXTERNAL_NAME) {
                ops.add("{\"op\":\"remove\",\"path\":\"/spec/clusterIP\"}");
                ops.add("{\"op\":\"remove\",\"path\":\"/spec/clusterIPs\"}");
            }
        } else if (from == Shape.EXTERNAL_NAME) {
            ops.add("{\"op\":\"remove\",\"path\":\"/spec/externalName\"}");
        }
        if (to == Shape.HEADLESS) {
            ops.add("{\"op\":\"add\",\"path\":\"/spec/clusterIP\",\"value\":\"None\"}");
        }
        return "[" + String.join(",", ops) + "]";
    }
}
